import { describe, expect, it } from 'vitest';
import { DEFAULT_TOLERANCES, parseTolerances, toleranceFor } from '../../../src/baseline/tolerance.js';

describe('--tolerance', () => {
  it('defaults to the issue\'s tolerances: p99 +10%, throughput -5%, fallback share +2pp, rollback time +20%, error rate +0.5pp', () => {
    const { tolerances, problems } = parseTolerances([]);
    expect(problems).toEqual([]);
    expect(tolerances.byKind).toEqual({
      p99: { mode: 'relative', fraction: 0.1 },
      throughput: { mode: 'relative', fraction: 0.05 },
      'fallback-share': { mode: 'absolute', amount: 0.02 },
      'rollback-time': { mode: 'relative', fraction: 0.2 },
      'error-rate': { mode: 'absolute', amount: 0.005 },
    });
    expect(tolerances.byKind).toEqual(DEFAULT_TOLERANCES);
  });

  it('reads relative and absolute forms per figure, in the figure\'s unit', () => {
    const { tolerances, problems } = parseTolerances(['p99=25ms', 'throughput=3rps', 'fallback-share=1.5pp', 'rollback-time=10s', 'error-rate=1pp']);
    expect(problems).toEqual([]);
    expect(tolerances.byKind.p99).toEqual({ mode: 'absolute', amount: 25 });
    expect(tolerances.byKind.throughput).toEqual({ mode: 'absolute', amount: 3 });
    expect(tolerances.byKind['fallback-share']).toEqual({ mode: 'absolute', amount: 0.015 });
    expect(tolerances.byKind['rollback-time']).toEqual({ mode: 'absolute', amount: 10_000 });
    expect(tolerances.byKind['error-rate']).toEqual({ mode: 'absolute', amount: 0.01 });
    expect(parseTolerances(['p99=15%', 'rollback-time=50%']).tolerances.byKind).toMatchObject({ p99: { mode: 'relative', fraction: 0.15 }, 'rollback-time': { mode: 'relative', fraction: 0.5 } });
  });

  it('lets one endpoint have its own p99 tolerance without changing the others', () => {
    const { tolerances, problems } = parseTolerances(['p99(batch)=40%']);
    expect(problems).toEqual([]);
    expect(toleranceFor(tolerances, 'p99', 'batch')).toEqual({ mode: 'relative', fraction: 0.4 });
    expect(toleranceFor(tolerances, 'p99', 'predict')).toEqual(DEFAULT_TOLERANCES.p99);
    expect(toleranceFor(tolerances, 'p99')).toEqual(DEFAULT_TOLERANCES.p99);
  });

  it('lists every bad flag at once, saying what each figure expects', () => {
    const { problems } = parseTolerances(['p99=fast', 'latency=10%', 'fallback-share=2%', 'throughput', 'error-rate(predict)=1pp', 'throughput=5ms']);
    expect(problems).toEqual([
      '--tolerance "p99=fast": p99: expected a percentage like "10%" or a duration like "25ms", got "fast"',
      '--tolerance "latency=10%": figure: expected one of p99, throughput, error-rate, fallback-share, rollback-time (or p99(<endpoint>)), got "latency"',
      '--tolerance "fallback-share=2%": fallback-share: expected percentage points like "2pp", got "2%"',
      '--tolerance "throughput": expected <figure>=<value>, e.g. p99=10%, got no "="',
      '--tolerance "error-rate(predict)=1pp": error-rate: expected no (scope), only p99(<endpoint>) and rollback-time(<deploy id>) take one, got "error-rate(predict)"',
      '--tolerance "throughput=5ms": throughput: expected a percentage like "5%" or a rate like "3rps", got "5ms"',
    ]);
  });
});
