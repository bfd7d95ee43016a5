import { describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../../src/contract/errors.js';
import type { SloSpec } from '../../../src/scenario/slo-spec.js';
import { slo } from '../../../src/slo/expr.js';
import { formatSlo } from '../../../src/slo/format.js';
import { parseSlo } from '../../../src/slo/parse.js';

describe('typed SLO API', () => {
  it('ends every chain in plain SloSpec data (JSON has only the data)', () => {
    const s: SloSpec = slo.fallbackShare('predict').above(0.5).within('30s').after.fault('kill-tabular');
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      metric: { kind: 'fallback-share', endpoint: 'predict' },
      op: '>',
      threshold: 0.5,
      timing: { within: '30s', anchor: { fault: 'kill-tabular', edge: 'start' } },
    });
    expect(s.toString()).toBe('fallback_share(predict) > 50% within 30s after fault:kill-tabular start');
  });

  it('builds the same specs as the string form for every metric kind and window', () => {
    const pairs: [SloSpec, string][] = [
      [slo.latency('predict').p(99).below('250ms'), 'p99(predict) < 250ms'],
      [slo.latency().p(95).below(300).during.fault('latency-triton'), 'p95 < 300ms during fault:latency-triton'],
      [slo.errorRate().below('1%'), 'error_rate < 1%'],
      [slo.throughput('batch').atLeast(10), 'throughput(batch) >= 10rps'],
      [slo.dropped().equals(0).inPhase('flash-sale'), 'dropped == 0 in phase:flash-sale'],
      [slo.cacheHitRatio().above('20%').inPhase('peak'), 'cache_hit_ratio > 20% in phase:peak'],
      [slo.versionShare('v2-bad').below('5%').forAfter.event('deploy-tabular-v2-bad', '2m'), 'version_share(v2-bad) < 5% for 2m after event:deploy-tabular-v2-bad'],
      [slo.breaker('tabular').is('open').within('10s').after.fault('kill-tabular'), 'breaker_state(tabular) == open within 10s after fault:kill-tabular start'],
      [slo.breaker('tabular').isNot('open').forAfter.fault('kill-tabular', '1m'), 'breaker_state(tabular) != open for 1m after fault:kill-tabular'],
      [slo.replicas('tabular').atLeast(3).within('3m').after.phase('flash-sale'), 'replicas(tabular) >= 3 within 3m after phase:flash-sale start'],
      [slo.rollout('tabular').is('Degraded').within('2m').after.event('deploy-tabular-v2-bad'), 'rollout(tabular) == Degraded within 2m after event:deploy-tabular-v2-bad'],
      [slo.rollout('tabular').rolledBack().within('2m').after.event('deploy-tabular-v2-bad'), 'rollout(tabular) == RolledBack within 2m after event:deploy-tabular-v2-bad'],
      [slo.accuracy('v1').above(0.9), 'accuracy(v1) > 0.9'],
      [slo.drift().below(0.2), 'drift < 0.2'],
      [slo.restarts('tabular').atMost(1), 'restarts(tabular) <= 1'],
      [slo.promql('sum(up)').atLeast(5), 'promql("sum(up)") >= 5'],
      [slo.fallbackShare('predict').below('10%').within('60s').after.fault('kill-tabular', 'end').asAdvisory().weighted(2), 'fallback_share(predict) < 10% within 60s after fault:kill-tabular end advisory weight 2'],
    ];
    for (const [built, text] of pairs) {
      expect(formatSlo(built)).toBe(text);
      expect({ ...built }).toEqual(parseSlo(text));
    }
  });

  it('keeps builders immutable and names apply to reports', () => {
    const base = slo.errorRate('predict').below('2%');
    const named = base.named('predict stays clean').asAdvisory();
    expect(base.name).toBeUndefined();
    expect(base.advisory).toBeUndefined();
    expect(named.name).toBe('predict stays clean');
    expect(named.advisory).toBe(true);
    expect(slo.parse('p99 < 1s').inPhase('peak').toString()).toBe('p99 < 1s in phase:peak');
  });

  it('rejects wrong values when the scenario file is loaded, naming what was expected', () => {
    const msg = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PeakreadyError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg(() => slo.errorRate().below(5))).toBe('SLO error-rate: threshold: expected a share 0..1 or "5%", got 5');
    expect(msg(() => slo.latency().p(99).below('fast'))).toBe('SLO latency: threshold: expected a latency like "250ms", got "fast"');
    expect(msg(() => slo.latency().p(0))).toContain('percentile: expected 0 < p <= 100, got 0');
    expect(msg(() => slo.errorRate().below('1%').within('soon'))).toContain('expected a duration like "30s" or "2m", got "soon"');
  });
});
