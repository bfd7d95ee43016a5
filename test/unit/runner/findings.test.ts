import { describe, expect, it } from 'vitest';
import type { TimelineFault } from '../../../src/contract/journal.js';
import { LoadResult } from '../../../src/load/load-result.js';
import { StatsRecorder, type Outcome } from '../../../src/load/stats-recorder.js';
import { complement, computeFindings } from '../../../src/runner/findings.js';

type Shape = (atMs: number) => { latencyMs: number; status?: number; modelType?: string };

/** 60 s of traffic, 50 req/s per endpoint, each answer shaped by `shapes[endpoint]`; recorded by the real load recorder. */
function load(shapes: Record<string, Shape>, durationMs = 60_000): LoadResult {
  const endpoints = Object.keys(shapes);
  const r = new StatsRecorder(endpoints);
  for (let at = 0; at < durationMs; at += 20) {
    endpoints.forEach((ep, i) => {
      const s = shapes[ep]!(at);
      const o: Outcome = { status: s.status ?? 200, errorKind: undefined, modelType: s.modelType ?? 'primary', modelVersion: 'v1', cache: undefined };
      r.begin(at);
      r.record(i, at, s.latencyMs * 1000 + (at % 7), o);
    });
  }
  r.sealAll();
  return new LoadResult({ endpoints, durationMs, startEpochMs: 0, targetRps: 100, slices: r.store().toData(), schedulingLag: undefined, aborted: false });
}

const fault = (id: string, startMs: number, endMs: number, extra: Partial<TimelineFault> = {}): TimelineFault => ({
  id,
  kind: 'latency',
  target: 'triton',
  startMs,
  endMs,
  params: {},
  ...extra,
});

const healthy: Shape = () => ({ latencyMs: 20 });
const phases = [
  { name: 'baseline', startMs: 0, endMs: 30_000 },
  { name: 'peak', startMs: 30_000, endMs: 60_000 },
];

describe('computeFindings', () => {
  it("measures a fault's effect against the window of equal length before it", () => {
    const during = (at: number) => at >= 20_000 && at < 30_000;
    const l = load({
      predict: healthy,
      detailed: (at) => (during(at) ? { latencyMs: 400, modelType: at % 40 === 0 ? 'fallback' : 'primary' } : { latencyMs: 20 }),
    });
    const { faultEffects, findings } = computeFindings({ load: l, faults: [fault('slow-triton', 20_000, 30_000)], phases });
    expect(faultEffects).toHaveLength(1);
    const fx = faultEffects[0]!;
    expect(fx).toMatchObject({ fault: 'slow-triton', window: [20_000, 30_000], baseline: [10_000, 20_000], bit: true });
    const detailed = fx.endpoints.find((e) => e.endpoint === 'detailed')!;
    expect(detailed.changed).toEqual(['p99', 'fallback share']);
    expect(detailed.before.p99Ms).toBeLessThan(30);
    expect(detailed.during.p99Ms).toBeGreaterThan(390);
    expect(detailed.during.fallbackShare).toBeCloseTo(0.5, 1);
    expect(fx.endpoints.find((e) => e.endpoint === 'predict')!.changed).toEqual([]);
    expect(findings.filter((f) => f.kind === 'fault-did-not-bite')).toEqual([]);
  });

  it('says "did not bite" for a fault under which nothing changed, and counts errors as an effect', () => {
    const l = load({ predict: (at) => (at >= 40_000 && at < 45_000 && at % 100 === 0 ? { latencyMs: 20, status: 503 } : { latencyMs: 20 }) });
    const { faultEffects, findings } = computeFindings({
      load: l,
      faults: [fault('latency-redis', 10_000, 20_000, { target: 'redis' }), fault('errors-tabular', 40_000, 45_000, { kind: 'errors' })],
      phases,
    });
    expect(faultEffects.map((f) => f.bit)).toEqual([false, true]);
    expect(faultEffects[1]!.endpoints[0]!.changed).toEqual(['error rate']);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'fault-did-not-bite', subject: 'latency-redis' });
    expect(findings[0]!.message).toContain('fault latency-redis (latency on redis) did not bite');
    expect(findings[0]!.message).toContain('predict: errors 0.0% → 0.0%');
  });

  it('judges an instantaneous fault over the 5 s after it, and skips a fault that was not injected', () => {
    const l = load({ predict: (at) => (at >= 30_000 && at < 32_000 ? { latencyMs: 20, status: 502 } : { latencyMs: 20 }) });
    const { faultEffects } = computeFindings({
      load: l,
      faults: [fault('kill-tabular', 30_000, 30_000, { kind: 'kill-replica' }), fault('never', 50_000, 55_000, { notInjected: 'Chaos Mesh never confirmed it' })],
      phases,
    });
    expect(faultEffects).toHaveLength(1);
    expect(faultEffects[0]).toMatchObject({ window: [30_000, 35_000], baseline: [25_000, 30_000], bit: true });
  });

  it('reports a fault it cannot judge for lack of traffic instead of calling it harmless', () => {
    const l = load({ predict: healthy }, 10_000);
    const { faultEffects, findings } = computeFindings({ load: l, faults: [fault('early', 0, 5000)], phases });
    expect(faultEffects[0]!.bit).toBeUndefined();
    expect(findings[0]).toMatchObject({ kind: 'fault-effect-unmeasured', subject: 'early' });
  });

  it('lists every endpoint the fallback served above 5 % outside fault windows (and their recovery), by phase', () => {
    const l = load({
      predict: (at) => ({ latencyMs: 20, modelType: at >= 20_000 && at < 25_000 ? 'fallback' : 'primary' }), // only in the fault
      // generate: 1 in 4 answers from fallback during the peak, no fault there.
      generate: (at) => ({ latencyMs: 600, modelType: at >= 30_000 && at % 80 === 0 ? 'fallback' : 'primary' }),
      batch: (at) => ({ latencyMs: 20, modelType: at % 1000 === 0 ? 'fallback' : 'primary' }), // 2 %: under the limit
    });
    const { findings } = computeFindings({ load: l, faults: [fault('kill-tabular', 20_000, 25_000, { kind: 'kill-replica' })], phases });
    const fb = findings.filter((f) => f.kind === 'fallback-outside-faults');
    expect(fb.map((f) => f.subject)).toEqual(['generate']);
    expect(fb[0]!.message).toMatch(/^fallback served 1\d\.\d% of generate answers outside fault windows/);
    expect(fb[0]!.message).toContain('by phase: peak 25.0%');
  });

  it('complement leaves the quiet spans between busy ones', () => {
    expect(complement([[10, 20], [15, 30], [50, 70]], 60)).toEqual([[0, 10], [30, 50]]);
    expect(complement([], 5)).toEqual([[0, 5]]);
  });
});
