/** The SLOs each capacity step is held to: the command-line forms and how a step is judged. */
import { describe, expect, it } from 'vitest';
import { checkCapacitySlo, parseCapacitySlos } from '../../../src/capacity/capacity-slo.js';
import type { WindowStats } from '../../../src/contract/load-windows.js';

function stats(o: { requests: number; errors: number; dropped: number; p99: number }): WindowStats {
  return {
    requests: o.requests,
    errors: o.errors,
    dropped: o.dropped,
    status: {},
    errorKinds: {},
    modelType: {},
    modelVersion: {},
    cache: {},
    latency: { count: o.requests, min: 1, mean: o.p99 / 2, p50: o.p99 / 2, p90: o.p99, p95: o.p99, p99: o.p99, p999: o.p99, max: o.p99 },
    rps: o.requests,
    percentile: (p: number) => (p >= 99 ? o.p99 : o.p99 / 2),
  };
}

describe('parseCapacitySlos', () => {
  it('accepts the short forms of the issue: "p99<250ms" and "errors<1%"', () => {
    const { slos, problems } = parseCapacitySlos(['p99<250ms', 'errors<1%', 'error_rate <= 0.5%', 'p50(detailed) < 0.1s']);
    expect(problems).toEqual([]);
    expect(slos.map((s) => [s.metric.kind, s.op, s.threshold])).toEqual([
      ['latency', '<', 250],
      ['error-rate', '<', 0.01],
      ['error-rate', '<=', 0.005],
      ['latency', '<', 100],
    ]);
  });

  it('lists every bad SLO at once, each naming the flag index and what was expected', () => {
    const { problems } = parseCapacitySlos(['p99<fast', 'fallback_share(predict) < 5%', 'p99 < 250ms in phase:peak', 'errors > 1%', 'p99(nope) < 1s'], ['predict']);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^--slo\[0\] "p99<fast": .*expected a latency like 250ms/);
    expect(problems[1]).toMatch(/^--slo\[1\] .*expected a latency percentile .* got metric fallback-share/);
    expect(problems[2]).toMatch(/^--slo\[2\] .*expected no window or timing/);
    expect(problems[3]).toMatch(/^--slo\[3\] .*expected an upper bound/);
    expect(problems[4]).toMatch(/^--slo\[4\] .*unknown endpoint "nope", expected one of predict/);
  });
});

describe('checkCapacitySlo', () => {
  const [p99, errors] = parseCapacitySlos(['p99<250ms', 'errors<1%']).slos;

  it('holds when the window is inside the bounds, breaks when it is not', () => {
    expect(checkCapacitySlo(p99!, stats({ requests: 100, errors: 0, dropped: 0, p99: 120 }))).toEqual({ slo: 'p99 < 250ms', observed: 120, ok: true });
    expect(checkCapacitySlo(p99!, stats({ requests: 100, errors: 0, dropped: 0, p99: 300 })).ok).toBe(false);
  });

  it('counts dropped arrivals as errors: a request that could not be sent failed the user', () => {
    const c = checkCapacitySlo(errors!, stats({ requests: 98, errors: 0, dropped: 2, p99: 10 }));
    expect(c.observed).toBeCloseTo(0.02);
    expect(c.ok).toBe(false);
  });

  it('fails a step that measured nothing', () => {
    expect(checkCapacitySlo(p99!, undefined)).toEqual({ slo: 'p99 < 250ms', observed: null, ok: false });
  });
});
