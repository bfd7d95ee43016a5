import { describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { formatSlo } from '../../../src/slo/format.js';
import { parseSlo, parseSlos, tryParseSlo } from '../../../src/slo/parse.js';
import { exitCode } from '../../../src/contract/exit-code.js';

describe('SLO string form', () => {
  it('parses the examples of the issue into SloSpecs', () => {
    expect(parseSlo('p99(predict) < 250ms')).toEqual({ metric: { kind: 'latency', percentile: 99, endpoint: 'predict' }, op: '<', threshold: 250 });
    expect(parseSlo('error_rate < 1%')).toEqual({ metric: { kind: 'error-rate' }, op: '<', threshold: 0.01 });
    expect(parseSlo('fallback_share(predict) > 50% within 30s after fault:kill-tabular start')).toEqual({
      metric: { kind: 'fallback-share', endpoint: 'predict' },
      op: '>',
      threshold: 0.5,
      timing: { within: '30s', anchor: { fault: 'kill-tabular', edge: 'start' } },
    });
    expect(parseSlo('replicas(tabular) >= 3 within 3m after phase:flash-sale start')).toEqual({
      metric: { kind: 'replicas', service: 'tabular' },
      op: '>=',
      threshold: 3,
      timing: { within: '3m', anchor: { phase: 'flash-sale', edge: 'start' } },
    });
    expect(parseSlo('p95 < 300ms during fault:latency-triton')).toEqual({
      metric: { kind: 'latency', percentile: 95 },
      op: '<',
      threshold: 300,
      window: { kind: 'during-fault', fault: 'latency-triton' },
    });
    expect(parseSlo('cache_hit_ratio > 20% in phase:peak')).toEqual({
      metric: { kind: 'cache-hit-ratio' },
      op: '>',
      threshold: 0.2,
      window: { kind: 'phase', phase: 'peak' },
    });
  });

  it('reads units: seconds, bare shares, rps, breaker state names, rollout phases, flags', () => {
    expect(parseSlo('p99.9(batch) <= 1.5s').threshold).toBe(1500);
    expect(parseSlo('error_rate(detailed) < 0.05').threshold).toBe(0.05);
    expect(parseSlo('throughput >= 35rps').threshold).toBe(35);
    expect(parseSlo('breaker_state(tabular) == open within 10s after fault:kill-tabular start').threshold).toBe(2);
    expect(parseSlo('rollout(tabular) == rolledback within 2m after event:deploy-tabular-v2-bad')).toMatchObject({
      metric: { kind: 'rollout-phase', service: 'tabular' },
      threshold: 'RolledBack',
      timing: { anchor: { event: 'deploy-tabular-v2-bad' } },
    });
    expect(parseSlo('version_share(v2-bad, predict) < 5% for 2m after event:deploy-tabular-v2-bad advisory weight 2')).toEqual({
      metric: { kind: 'version-share', version: 'v2-bad', endpoint: 'predict' },
      op: '<',
      threshold: 0.05,
      window: { kind: 'after-event', event: 'deploy-tabular-v2-bad', for: '2m' },
      advisory: true,
      weight: 2,
    });
    expect(parseSlo('promql("sum(rate(model_prediction_errors_total[1m]))") < 0.5').metric).toEqual({
      kind: 'promql',
      query: 'sum(rate(model_prediction_errors_total[1m]))',
    });
  });

  it('round-trips every metric kind through the formatter', () => {
    const texts = [
      'p99(predict) < 250ms',
      'p99.9 < 2s',
      'error_rate < 1%',
      'throughput(batch) >= 12.5rps',
      'dropped == 0 in phase:flash-sale',
      'fallback_share(predict) > 50% within 30s after fault:kill-tabular start',
      'fallback_share(predict) < 10% within 60s after fault:kill-tabular end',
      'cache_hit_ratio > 20% in phase:peak advisory',
      'version_share(v2-bad) < 5% for 2m after event:deploy-tabular-v2-bad',
      'breaker_state(tabular) != open for 30s after fault:kill-tabular weight 3',
      'replicas(tabular) >= 3 within 3m after phase:flash-sale start',
      'rollout(tabular) == Degraded within 2m after event:deploy-tabular-v2-bad',
      'accuracy(v1) > 0.9',
      'drift(f3) < 0.25',
      'restarts(tabular) <= 1',
      'promql("max(up{job=\\"gateway\\"})") == 1',
      'ttft_p95(generate) < 500ms in phase:flash-sale',
      'itl_p99(generate) < 50ms',
      'tpot_p50 <= 30ms',
      'output_tokens_per_second(generate) >= 500tok/s',
      'goodput(generate, ttft=500ms, itl=50ms) > 10rps in phase:sustained-peak',
      'goodput(ttft=1s, itl=40ms) >= 2rps',
    ];
    for (const t of texts) {
      const spec = parseSlo(t);
      expect(formatSlo(spec)).toBe(t);
      expect(parseSlo(formatSlo(spec))).toEqual(spec);
    }
  });

  it('reads the streamed-generation metrics into typed data, and refuses a goodput without both limits', () => {
    expect(parseSlo('ttft_p95(generate) < 0.5s').metric).toEqual({ kind: 'ttft', percentile: 95, endpoint: 'generate' });
    expect(parseSlo('ttft_p95(generate) < 0.5s').threshold).toBe(500);
    expect(parseSlo('goodput(generate, itl=50ms, ttft=2s) > 3').metric).toEqual({ kind: 'goodput', ttftMs: 2000, itlMs: 50, endpoint: 'generate' });
    const half = tryParseSlo('goodput(generate, ttft=500ms) > 1');
    expect(!half.ok && half.problem).toContain('expected itl=DUR (goodput needs both limits)');
    const unit = tryParseSlo('output_tokens_per_second > 5rps');
    expect(!unit.ok && unit.problem).toContain('expected a rate like 500 or 500tok/s, got "5rps"');
  });

  it('names the expression, the position, what was expected and what it got', () => {
    const r = tryParseSlo('p99(predict) =< 250ms');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toBe('SLO "p99(predict) =< 250ms": position 14: expected a comparator (<, <=, >, >=, ==, !=), got "="');
    const bad = tryParseSlo('error_rate < 5');
    expect(!bad.ok && bad.problem).toContain('position 14: expected a share like 5% or 0.05 (bare numbers are 0..1), got "5"');
    const anchor = tryParseSlo('fallback_share > 50% within 30s after kill-tabular');
    expect(!anchor.ok && anchor.problem).toContain('position 39: expected fault:ID, event:ID or phase:NAME, got "kill-tabular"');
    const metric = tryParseSlo('latency < 3ms');
    expect(!metric.ok && metric.problem).toMatch(/position 1: expected a metric \(pNN, error_rate.*got "latency"/);
    const trailing = tryParseSlo('p99 < 250ms tomorrow');
    expect(!trailing.ok && trailing.problem).toContain('position 13: expected a window');
  });

  it('throws INVALID_INPUT (exit 2) listing every bad SLO at once', () => {
    let err: unknown;
    try {
      parseSlos(['p99 < 250ms', 'p99 < fast', 'replicas(tabular) >= three'], '--slo');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PeakreadyError);
    const pe = err as PeakreadyError;
    expect(exitCode({ kind: 'error', error: pe })).toBe(2);
    expect(pe.problems).toHaveLength(2);
    expect(pe.problems[0]).toContain('--slo[1]: SLO "p99 < fast": position 7: expected a latency like 250ms or 1.5s, got "fast"');
    expect(pe.problems[1]).toContain('--slo[2]: SLO "replicas(tabular) >= three": position 22: expected a number, got "three"');
  });
});
