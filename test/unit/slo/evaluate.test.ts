import * as hdr from 'hdr-histogram-js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SloResult } from '../../../src/contract/journal.js';
import type { EvaluationContext } from '../../../src/slo/context.js';
import { evaluateSlos } from '../../../src/slo/evaluate.js';
import { resilienceScore, verdictOf } from '../../../src/contract/verdict.js';
import { parseSlo } from '../../../src/slo/parse.js';
import { slo } from '../../../src/slo/expr.js';
import { HdrLoadWindows } from './fixtures/hdr-windows.js';
import { simContext } from './fixtures/sim-run.js';

let ctx: EvaluationContext;
beforeAll(() => {
  ctx = simContext();
});

async function one(text: string, c: EvaluationContext = ctx): Promise<SloResult> {
  const [r] = await evaluateSlos([parseSlo(text)], c);
  return r!;
}

describe('SLO evaluation over client windows (real HDR histograms)', () => {
  it('computes latency percentiles exactly as an HDR histogram of the same requests does', async () => {
    // 1000 requests in one second: 1..1000 ms; p99 must be the histogram's p99, not an average of seconds.
    const w = new HdrLoadWindows(['predict'], 2000);
    const ref = hdr.build({ numberOfSignificantValueDigits: 3 });
    for (let i = 1; i <= 1000; i++) {
      w.record({ atMs: (i % 2) * 1000 + 1, endpoint: 'predict', latencyMs: i, status: 200 });
      ref.recordValue(i * 1000);
    }
    const c: EvaluationContext = { ...ctx, client: w, timeline: { phases: [], faults: [], events: [] } };
    const r = await one('p99(predict) < 950ms', c);
    expect(r.status).toBe('fail');
    expect(r.observed).toBe(`${(ref.getValueAtPercentile(99) / 1000).toFixed(1)}ms`);
    expect(r.window).toBe('whole run [0.0s, 2.0s)');
    expect((await one('p50(predict) < 501ms', c)).status).toBe('pass');
  });

  it('fails a run-wide latency SLO the latency fault broke, and passes it in the calm phase', async () => {
    const run = await one('p99(predict) < 250ms');
    expect(run).toMatchObject({ status: 'fail', source: 'client', threshold: '< 250ms' });
    expect(Number.parseFloat(run.observed)).toBeGreaterThan(400);
    const calm = await one('p99(predict) < 250ms in phase:baseline');
    expect(calm.status).toBe('pass');
    expect(calm.window).toBe('phase baseline [0.0s, 30.0s)');
    const during = await one('p95 < 300ms during fault:latency-triton');
    expect(during.status).toBe('fail');
    expect(during.window).toBe('during fault latency-triton [40.0s, 50.0s)');
  });

  it('finds the first 100 ms from which a timing assertion holds, sustained, after its anchor', async () => {
    const engaged = await one('fallback_share(predict) > 50% within 30s after fault:kill-tabular start');
    expect(engaged).toMatchObject({ status: 'pass', observed: 'after 2.0s', window: 'within 30s after fault kill-tabular starts (at 20.0s)', detail: '100% from 22.0s, held for 1s' });
    const recovered = await one('fallback_share(predict) < 10% within 10s after fault:kill-tabular end');
    expect(recovered).toMatchObject({ status: 'pass', observed: 'after 2.0s' });
    const tooSlow = await one('error_rate < 1% within 1.5s after fault:kill-tabular start');
    expect(tooSlow).toMatchObject({ status: 'fail', observed: 'not within 1.5s' });
    expect(tooSlow.detail).toMatch(/^last value \d+(\.\d+)?% at 21\.5s \(1\.5s after the anchor\); it must hold for 1s with at least 5 requests a second$/);
  });

  it('multiplies SLO durations by the time scale', async () => {
    const c = { ...ctx, timeScale: 0.1 };
    const fits = await one('fallback_share(predict) > 50% within 30s after fault:kill-tabular start', c);
    expect(fits).toMatchObject({ status: 'pass', observed: 'after 2.0s', window: 'within 30s (×0.1 = 3s) after fault kill-tabular starts (at 20.0s)' });
    expect((await one('fallback_share(predict) > 50% within 15s after fault:kill-tabular start', c)).observed).toBe('not within 1.5s');
  });

  it('reads ratios, throughput and dropped requests', async () => {
    const cache = await one('cache_hit_ratio(predict) > 30%');
    expect(cache.status).toBe('pass');
    expect(Number.parseFloat(cache.observed)).toBeGreaterThan(30);
    expect(Number.parseFloat(cache.observed)).toBeLessThan(50);
    expect(await one('dropped == 0 in phase:peak')).toMatchObject({ status: 'fail', observed: '3' });
    expect(await one('dropped == 0 in phase:baseline')).toMatchObject({ status: 'pass', observed: '0' });
    const tp = await one('throughput >= 35rps in phase:peak');
    expect(tp.status).toBe('pass');
    expect(tp.observed).toMatch(/^3\d\.\d rps$/);
    expect((await one('version_share(v2-bad) < 5% for 10s after event:deploy-tabular-v2-bad')).status).toBe('fail');
  });

  it('reads ready replicas from the sampled series, rollout phases and restarts from platform events', async () => {
    expect(await one('replicas(tabular) >= 3 within 20s after phase:peak start')).toMatchObject({ status: 'pass', observed: 'after 2.0s', source: 'platform' });
    expect(await one('replicas(tabular) >= 2')).toMatchObject({ status: 'pass', observed: '2' });
    expect(await one('rollout(tabular) == Degraded within 2m after event:deploy-tabular-v2-bad')).toMatchObject({ status: 'pass', observed: 'after 5.0s' });
    const rb = await one('rollout(tabular) == RolledBack within 2m after event:deploy-tabular-v2-bad');
    expect(rb).toMatchObject({ status: 'pass', observed: 'after 7.0s', detail: 'Degraded (canary weight 0%) from 52.0s, held for 1s' });
    expect(await one('rollout(tabular) == RolledBack within 5s after event:deploy-tabular-v2-bad')).toMatchObject({ status: 'fail', observed: 'not within 5s' });
    expect(await one('restarts(tabular) == 0')).toMatchObject({ status: 'fail', observed: '1' });
    expect(await one('restarts(tabular) == 0 in phase:peak')).toMatchObject({ status: 'pass', observed: '0' });
  });

  it('counts restarts from the runner series, and never assumes zero when nothing reports restarts', async () => {
    const withSeries: EvaluationContext = {
      ...ctx,
      platformEvents: [],
      series: [{ name: 'restarts:triton', unit: 'restarts', points: [[0, 1], [10, 1], [41, 2], [44, 4], [59, 4]] }],
    };
    expect(await one('restarts(triton) <= 1', withSeries)).toMatchObject({ status: 'fail', observed: '3', source: 'platform' });
    expect(await one('restarts(triton) == 0 in phase:baseline', withSeries)).toMatchObject({ status: 'pass', observed: '0' });
    expect(await one('restarts(triton) >= 3 within 10s after fault:latency-triton start', withSeries)).toMatchObject({ status: 'pass', observed: 'after 4.0s' });
    const silent: EvaluationContext = { ...ctx, platformEvents: ctx.platformEvents.filter((e) => e.type !== 'restart'), series: [] };
    expect(await one('restarts(tabular) == 0', silent)).toMatchObject({ status: 'no-data', detail: 'no platform data and no PromQL query for restarts' });
  });

  it('reads the breaker state from the runner series', async () => {
    const r = await evaluateSlos([slo.breaker('tabular').is('open').within('5s').after.fault('kill-tabular')], ctx);
    expect(r[0]).toMatchObject({ status: 'pass', observed: 'after 1.0s', source: 'platform' });
    const closed = await one('breaker_state(tabular) == closed in phase:baseline');
    expect(closed).toMatchObject({ status: 'fail', observed: 'open' });
  });

  it('never passes without data: it fails with no-data and says why', async () => {
    const cases: [string, string][] = [
      ['cache_hit_ratio(batch) > 0%', 'no requests in the window carried what this metric needs'],
      ['p99 < 1s during fault:explode-redis', 'fault "explode-redis" did not happen in this run'],
      ['p99 < 1s within 10s after event:deploy-x', 'event "deploy-x" did not happen in this run'],
      ['rollout(triton) != Degraded', 'no rollout events for "triton"'],
      ['accuracy(v1) > 0.9', 'needs Prometheus (query avg(model_accuracy{model!~".*fallback.*",version="v1"})) and none was configured'],
    ];
    for (const [text, detail] of cases) {
      const r = await one(text);
      expect(r.status, text).toBe('no-data');
      expect(r.observed).toBe('no data');
      expect(r.detail).toBe(detail);
    }
    // A spec written as data with a bad duration cannot be measured: no-data, not a crash.
    const [bad] = await evaluateSlos([{ metric: { kind: 'error-rate' }, op: '<', threshold: 0.01, window: { kind: 'after-event', event: 'deploy-tabular-v2-bad', for: 'soon' } }], ctx);
    expect(bad).toMatchObject({ status: 'no-data', window: 'for soon after event:deploy-tabular-v2-bad', detail: 'could not be measured: expected a duration like "30s", "2m" or "250ms", got "soon"' });
    // A window after the traffic ended has no requests either.
    const late = await one('p99 < 1s for 30s after event:deploy-tabular-v2-bad', { ...ctx, client: new HdrLoadWindows(['predict'], 0) });
    expect(late.status).toBe('no-data');
  });

  it('gives the verdict from non-advisory SLOs and a weighted resilience score', async () => {
    const results = await evaluateSlos(
      [
        slo.errorRate().below('5%'), // pass (errors only in 2 s)
        slo.latency('predict').p(99).below('250ms').asAdvisory(), // fail, advisory
        slo.fallbackShare('predict').above('50%').within('30s').after.fault('kill-tabular').weighted(2), // pass
      ],
      ctx,
    );
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail', 'pass']);
    expect(verdictOf(results)).toBe('pass');
    expect(resilienceScore(results)).toBe(75);
    const withNoData = [...results, (await evaluateSlos([parseSlo('accuracy > 0.9')], ctx))[0]!];
    expect(verdictOf(withNoData)).toBe('fail');
    expect(resilienceScore(withNoData)).toBe(60);
  });
});
