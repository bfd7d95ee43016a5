/**
 * Windows that mean what they say: "within D" judged to 100 ms, "during" cut at the fault's
 * confirmed edges, timing conditions that must be sustained, and replicas that are ready.
 * Client data goes through the real engine recorder (StatsRecorder → LoadResult).
 */
import { describe, expect, it } from 'vitest';
import type { SloResult, TimelineFault } from '../../../src/contract/journal.js';
import { LoadResult } from '../../../src/load/load-result.js';
import { StatsRecorder, type Outcome } from '../../../src/load/stats-recorder.js';
import type { EvaluationContext } from '../../../src/slo/context.js';
import { evaluateSlos } from '../../../src/slo/evaluate.js';
import { slo } from '../../../src/slo/expr.js';
import { parseSlo } from '../../../src/slo/parse.js';
import type { SloSpec } from '../../../src/scenario/slo-spec.js';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

interface Req {
  readonly atMs: number;
  readonly latencyMs?: number;
  readonly fallback?: boolean;
}

/** One endpoint "predict", requests as given, through the engine's recorder. */
function client(reqs: readonly Req[], durationMs: number): LoadResult {
  const r = new StatsRecorder(['predict']);
  for (const q of reqs) {
    const o: Outcome = { status: 200, errorKind: undefined, modelType: q.fallback ? 'fallback' : 'primary', modelVersion: 'v1', cache: undefined };
    r.begin(q.atMs);
    r.record(0, q.atMs, Math.round((q.latencyMs ?? 20) * 1000), o);
  }
  r.sealAll();
  return new LoadResult({ endpoints: ['predict'], durationMs, startEpochMs: T0, targetRps: 0, slices: r.store().toData(), schedulingLag: undefined, aborted: false });
}

/** Requests every `everyMs` over [fromMs, toMs). */
function steady(fromMs: number, toMs: number, everyMs: number, f: (atMs: number) => Partial<Req> = () => ({})): Req[] {
  const out: Req[] = [];
  for (let t = fromMs; t < toMs; t += everyMs) out.push({ atMs: t, ...f(t) });
  return out;
}

function context(c: LoadResult, faults: TimelineFault[], extra: Partial<EvaluationContext> = {}): EvaluationContext {
  return { client: c, timeline: { phases: [{ name: 'peak', startMs: 0, endMs: c.durationMs }], faults, events: [] }, platformEvents: [], trafficStartEpochMs: T0, ...extra };
}

const fault = (id: string, startMs: number, endMs: number): TimelineFault => ({ id, kind: 'unavailable', target: 'tabular', startMs, endMs, params: {} });

async function one(spec: SloSpec | string, ctx: EvaluationContext): Promise<SloResult> {
  const [r] = await evaluateSlos([typeof spec === 'string' ? parseSlo(spec) : spec], ctx);
  return r!;
}

describe('"within D after" is judged to 100 ms', () => {
  // 50 req/s; the fault is confirmed 1 ms past a second; fallback answers begin 5.6 s after it.
  const start = 10_001;
  const c = client(steady(0, 30_000, 20, (t) => ({ fallback: t >= start + 5600 })), 30_000);
  const ctx = context(c, [fault('kill', start, 25_000)]);

  it('fails "within 5s" when the condition first holds 5.6 s after the anchor', async () => {
    // One-second buckets took in traffic up to 16.0 s here (6 s after the anchor) and passed.
    const r = await one('fallback_share(predict) > 10% within 5s after fault:kill start', ctx);
    expect(r).toMatchObject({ status: 'fail', observed: 'not within 5s' });
  });

  it('passes "within 6s" and says when, to 100 ms', async () => {
    const r = await one('fallback_share(predict) > 10% within 6s after fault:kill start', ctx);
    expect(r.status).toBe('pass');
    expect(r.observed).toMatch(/^after 5\.[67]s$/);
  });
});

describe('"during fault X" holds the requests sent between its confirmed start and its revert', () => {
  it('leaves out slow requests sent 300 ms before the fault start', async () => {
    const start = 5_400;
    const reqs = [
      ...steady(0, 10_000, 20).filter((q) => q.atMs < start - 300 || q.atMs >= start - 200),
      // Slow requests sent 300 ms before the fault was confirmed: not the fault's traffic.
      ...steady(start - 300, start - 200, 5, () => ({ latencyMs: 2000 })),
    ];
    const ctx = context(client(reqs, 10_000), [fault('kill', start, 8_000)]);
    const during = await one('p99(predict) < 500ms during fault:kill', ctx);
    expect(during).toMatchObject({ status: 'pass', window: 'during fault kill [5.4s, 8.0s)' });
    // The whole run does see them.
    expect((await one('p99(predict) < 500ms', ctx)).status).toBe('fail');
  });

  it('counts exactly the requests inside when the edges fall on the 100 ms grid, and rounds other edges inwards', async () => {
    const c = client(steady(0, 10_000, 10), 10_000);
    expect(c.window(5_400, 8_000)!.requests).toBe(260);
    // Edges between grid points round inwards ([5.5 s, 8.0 s)): never a request from outside.
    expect(c.window(5_450, 8_050)!.requests).toBe(250);
  });
});

describe('timing conditions must be sustained', () => {
  it('fails on a one-second blip of fewer than 5 requests (one second used to be enough)', async () => {
    // 3 req/s throughout; fallback in one aligned second only.
    const c = client(steady(0, 20_000, 333, (t) => ({ fallback: t >= 5_000 && t < 6_000 })), 20_000);
    const r = await one('fallback_share(predict) > 50% within 10s after fault:kill start', context(c, [fault('kill', 2_000, 12_000)]));
    expect(r).toMatchObject({ status: 'fail', observed: 'not within 10s' });
  });

  it('fails on a 300 ms blip at 100 req/s, and passes once the condition lasts a second', async () => {
    const blip = client(steady(0, 20_000, 10, (t) => ({ fallback: t >= 5_000 && t < 5_300 })), 20_000);
    const ctxBlip = context(blip, [fault('kill', 2_000, 12_000)]);
    expect((await one('fallback_share(predict) > 50% within 10s after fault:kill start', ctxBlip)).status).toBe('fail');
    const held = client(steady(0, 20_000, 10, (t) => ({ fallback: t >= 5_000 && t < 6_000 })), 20_000);
    const r = await one('fallback_share(predict) > 50% within 10s after fault:kill start', context(held, [fault('kill', 2_000, 12_000)]));
    expect(r).toMatchObject({ status: 'pass', observed: 'after 3.0s', detail: '100% from 5.0s, held for 1s' });
  });

  describe('for(D) in both forms', () => {
    // Fallback for 2 s from 5 s, then again for 4 s from 10 s.
    const c = client(steady(0, 20_000, 20, (t) => ({ fallback: (t >= 5_000 && t < 7_000) || (t >= 10_000 && t < 14_000) })), 20_000);
    const ctx = context(c, [fault('kill', 2_000, 16_000)]);

    it('takes the first stretch that lasts long enough', async () => {
      const typed = slo.fallbackShare('predict').above('50%').within('10s').after.fault('kill').for('3s');
      const text = 'fallback_share(predict) > 50% within 10s after fault:kill start for 3s';
      expect(parseSlo(text)).toEqual(typed.toSpec());
      expect(typed.toString()).toBe(text);
      for (const spec of [typed, text]) {
        expect(await one(spec, ctx)).toMatchObject({ status: 'pass', observed: 'after 8.0s', window: 'within 10s after fault kill starts, held for 3s (at 2.0s)' });
      }
      // Without for(), the first stretch (2 s) is enough.
      expect((await one('fallback_share(predict) > 50% within 10s after fault:kill start', ctx)).observed).toBe('after 3.0s');
    });

    it('fails when no stretch lasts long enough', async () => {
      const typed = slo.fallbackShare('predict').above('50%').within('10s').after.fault('kill').for('5s');
      const text = 'fallback_share(predict) > 50% within 10s after fault:kill start for 5s';
      for (const spec of [typed, text]) {
        const r = await one(spec, ctx);
        expect(r).toMatchObject({ status: 'fail', observed: 'not within 10s' });
        expect(r.detail).toMatch(/it must hold for 5s with at least 5 requests a second$/);
      }
    });

    it('scales with --time-scale and refuses for() without a timing', () => {
      expect(() => slo.errorRate().below('1%').for('3s')).toThrow(/only a timing assertion/);
      expect(parseSlo('error_rate < 1% within 30s after event:deploy for 2m')).toMatchObject({ timing: { within: '30s', anchor: { event: 'deploy' }, for: '2m' } });
      expect(() => parseSlo('error_rate < 1% within 30s after event:deploy for soon')).toThrow(/a duration/);
    });
  });

  it('applies to sampled platform series: one breaker sample is not a sustained state', async () => {
    const c = client(steady(0, 20_000, 20), 20_000);
    const series = [{ name: 'breaker:tabular', unit: 'state', points: [[0, 0], [3, 2], [4, 0], [8, 2], [9, 2], [10, 2], [11, 2]] as [number, number][] }];
    const ctx = context(c, [fault('kill', 2_000, 12_000)], { series });
    expect(await one('breaker_state(tabular) == open within 10s after fault:kill start', ctx)).toMatchObject({ status: 'pass', observed: 'after 6.0s' });
    expect(await one('breaker_state(tabular) == open within 5s after fault:kill start', ctx)).toMatchObject({ status: 'fail' });
    expect(await one('breaker_state(tabular) == open within 10s after fault:kill start for 5s', ctx)).toMatchObject({ status: 'fail' });
  });
});

describe('replicas(svc) counts ready replicas', () => {
  it('reads the sampled ready count, not the autoscaler decision', async () => {
    const c = client(steady(0, 60_000, 50), 60_000);
    const ctx = context(c, [], {
      timeline: { phases: [{ name: 'peak', startMs: 30_000, endMs: 60_000 }], faults: [], events: [] },
      // The autoscaler decided 3 at 32 s; the third replica was ready and serving only at 40 s.
      platformEvents: [{ t: T0 + 32_000, type: 'replicas', service: 'tabular', from: 2, to: 3, reason: 'hpa' }],
      series: [{ name: 'replicas:tabular', unit: 'replicas', points: Array.from({ length: 60 }, (_, s) => [s, s < 40 ? 2 : 3] as [number, number]) }],
    });
    expect(await one('replicas(tabular) >= 3 within 5s after phase:peak start', ctx)).toMatchObject({ status: 'fail', source: 'platform' });
    expect(await one('replicas(tabular) >= 3 within 15s after phase:peak start', ctx)).toMatchObject({ status: 'pass', observed: 'after 10.0s' });
    expect(await one('replicas(tabular) >= 3 in phase:peak', ctx)).toMatchObject({ status: 'fail', observed: '2' });
  });
});
