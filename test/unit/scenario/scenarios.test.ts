import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../src/scenario/load-file.js';
import { SeededRandom } from '../../../src/load/random.js';
import type { RequestContext, ResolvedScenario } from '../../../src/scenario/types.js';

function ctx(rng = new SeededRandom(1)): RequestContext {
  return { rng, iteration: 0, elapsedMs: 0, drift: 0, features: (n) => Array.from({ length: n }, () => rng.next()) };
}

function rates(s: ResolvedScenario): { phase: string; rate: number }[] {
  if (s.traffic.executor !== 'arrival-rate') throw new Error('open model expected');
  return s.traffic.stages.map((st) => ({ phase: st.name, rate: st.toRate }));
}

describe('bundled scenarios', () => {
  it('holiday-peak: a holiday day in about four minutes with a flash sale of at least 3x baseline', async () => {
    const s = await loadScenarioFile('scenarios/holiday-peak.ts');
    expect(s.traffic.durationMs).toBeGreaterThanOrEqual(200_000);
    expect(s.traffic.durationMs).toBeLessThanOrEqual(250_000);
    expect(s.phases.map((p) => p.name)).toEqual(['baseline', 'morning-ramp', 'flash-sale', 'sustained-peak', 'decay']);
    const r = rates(s);
    const baseline = r.find((x) => x.phase === 'baseline')!.rate;
    const flash = Math.max(...r.filter((x) => x.phase === 'flash-sale').map((x) => x.rate));
    expect(flash).toBeGreaterThanOrEqual(3 * baseline);
    expect(Math.max(...r.map((x) => x.rate))).toBeLessThanOrEqual(160);
    expect(Object.fromEntries(Object.entries(s.mix).map(([k, v]) => [k, v.weight]))).toEqual({ predict: 70, detailed: 20, batch: 10, generate: 3 });
  });

  it('holiday-peak: predict repeats popular products about 40% of the time; payloads match the gateway routes', async () => {
    const s = await loadScenarioFile('scenarios/holiday-peak.ts');
    const c = ctx();
    const bodies = Array.from({ length: 1000 }, () => s.mix.predict!.request(c));
    expect(bodies[0]).toMatchObject({ method: 'POST', path: '/api/v1/predict', body: { options: { return_probabilities: true } } });
    const keys = bodies.map((b) => JSON.stringify((b.body as { features: number[] }).features));
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    const repeated = [...counts.values()].filter((n) => n > 1).reduce((a, b) => a + b, 0);
    expect(repeated / 1000).toBeGreaterThan(0.33);
    expect(repeated / 1000).toBeLessThan(0.47);
    expect([...counts.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(50);
    const gen = s.mix.generate!.request(c);
    expect(gen).toMatchObject({ method: 'POST', path: '/api/v1/generate', body: { max_tokens: 32 } });
    expect(typeof (gen.body as { prompt: string }).prompt).toBe('string');
  });

  it('ci-smoke: at most 60 s of traffic, same phases', async () => {
    const s = await loadScenarioFile('scenarios/ci-smoke.ts');
    expect(s.traffic.durationMs).toBeLessThanOrEqual(60_000);
    expect(s.phases.map((p) => p.name)).toEqual(['baseline', 'morning-ramp', 'flash-sale', 'sustained-peak', 'decay']);
    const r = rates(s);
    expect(Math.max(...r.filter((x) => x.phase === 'flash-sale').map((x) => x.rate))).toBeGreaterThanOrEqual(3 * r[0]!.rate);
  });

  it("seed-locust: the seed's users, think time 1-5 s and 70/20/10 mix of the locustfile", async () => {
    const s = await loadScenarioFile('scenarios/seed-locust.ts');
    expect(s.traffic).toMatchObject({ executor: 'vus', thinkTimeMs: { min: 1000, max: 5000 } });
    expect(Object.fromEntries(Object.entries(s.mix).map(([k, v]) => [k, v.weight]))).toEqual({ predict: 70, detailed: 20, batch: 10 });
    const c = ctx();
    const d = s.mix.detailed!.request(c);
    expect(d).toMatchObject({ path: '/api/v1/predict/detailed', body: { options: { return_probabilities: true, explanation: true } } });
    expect((d.body as { features: number[] }).features).toHaveLength(20);
    const sizes = Array.from({ length: 300 }, () => (s.mix.batch!.request(c).body as { instances: { features: number[] }[] }).instances);
    expect(Math.min(...sizes.map((x) => x.length))).toBe(10);
    expect(Math.max(...sizes.map((x) => x.length))).toBe(50);
    expect(sizes[0]![0]!.features).toHaveLength(10);
  });
});
