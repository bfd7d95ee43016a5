/**
 * Exact merge of load runs (worker threads, Kubernetes runners): counters add, and HDR
 * histograms with one bucket layout add bucket by bucket, so percentiles of the merge
 * equal percentiles of one histogram of every value.
 */
import { MutableCounters } from './counters.js';
import { decodeHistogram, encodeHistogram, newHistogram } from './histogram.js';
import type { LoadData } from './load-result.js';

/** Merges runs second by second (each run's seconds counted from its own traffic start). */
export function mergeLoadData(runs: readonly LoadData[]): LoadData {
  const first = runs[0];
  if (first === undefined) throw new RangeError('nothing to merge');
  const endpoints = [...new Set(runs.flatMap((r) => r.endpoints))];
  const seconds = Math.max(...runs.map((r) => r.seconds.length));
  const merged: LoadData['seconds'][number][] = [];
  for (let t = 0; t < seconds; t++) {
    merged.push(
      endpoints.map((name) => {
        const counters = new MutableCounters();
        const hist = newHistogram();
        let any = false;
        for (const r of runs) {
          const cell = r.seconds[t]?.[r.endpoints.indexOf(name)];
          if (!cell) continue;
          counters.add(cell.counters);
          if (cell.histogram) {
            hist.add(decodeHistogram(cell.histogram));
            any = true;
          }
        }
        return { counters: counters.snapshot(), histogram: any ? encodeHistogram(hist) : undefined };
      }),
    );
  }
  const lags = runs.flatMap((r) => (r.schedulingLag ? [r.schedulingLag] : []));
  let schedulingLag: string | undefined;
  if (lags.length > 0) {
    const h = newHistogram();
    for (const l of lags) h.add(decodeHistogram(l));
    schedulingLag = encodeHistogram(h);
  }
  return {
    endpoints,
    durationMs: Math.max(...runs.map((r) => r.durationMs)),
    startEpochMs: Math.min(...runs.map((r) => r.startEpochMs)),
    targetRps: runs.reduce((s, r) => s + r.targetRps, 0),
    seconds: merged,
    schedulingLag,
    aborted: runs.some((r) => r.aborted),
  };
}
