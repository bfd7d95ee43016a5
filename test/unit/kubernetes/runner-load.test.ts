/** The harness-side merge of the runners' per-second data into one LoadResult. */
import { describe, expect, it } from 'vitest';
import { LoadResult, type LoadData } from '../../../src/load/load-result.js';
import { encodeHistogram, newHistogram } from '../../../src/load/histogram.js';
import { formatRunnerResult, mergeRunnerLoad, parseRunnerLog, runnerResult } from '../../../src/platforms/kubernetes/runner-results.js';

function data(latenciesUs: number[], startEpochMs: number): LoadData {
  const h = newHistogram();
  for (const v of latenciesUs) h.recordValue(v);
  const counters = { requests: latenciesUs.length, errors: 1, dropped: 0, status: {}, errorKinds: {}, modelType: {}, modelVersion: {}, cache: {} };
  return { endpoints: ['predict'], durationMs: 1000, startEpochMs, targetRps: 10, seconds: [[{ counters, histogram: encodeHistogram(h) }]], schedulingLag: undefined, aborted: false };
}

describe('runner results with per-second data', () => {
  it('round-trips through the log line and merges into one LoadResult over every runner', () => {
    const a = runnerResult(0, new LoadResult(data([1000, 2000, 3000], 5_000)));
    const b = runnerResult(1, new LoadResult(data([40_000, 50_000], 5_200)));
    expect(a.endpoints.predict).toMatchObject({ ok: 2, errors: 1, dropped: 0 });
    const parsed = [b, a].map((r, i) => parseRunnerLog(`table\n${formatRunnerResult(r)}\n`, `runner ${i}`));
    const merged = mergeRunnerLoad(parsed, 2);
    expect(merged.totals().requests).toBe(5);
    expect(merged.totals().errors).toBe(2);
    expect(merged.startEpochMs).toBe(5_000);
    // The slow runner's samples count in the global p99, as one histogram of all five.
    expect(merged.window(0, 1000)!.percentile(99)).toBeGreaterThan(40);
    expect(merged.window(0, 1000)!.percentile(50)).toBeLessThan(4);
  });

  it('refuses runners that sent no per-second data instead of judging SLO windows without them', () => {
    const a = runnerResult(0, new LoadResult(data([1000], 0)));
    const { data: _dropped, ...old } = runnerResult(1, new LoadResult(data([1000], 0)));
    expect(() => mergeRunnerLoad([a, old], 2)).toThrow('load runners 1 sent no per-second data');
    expect(() => mergeRunnerLoad([a], 2)).toThrow('load runners 1 reported nothing');
  });
});
