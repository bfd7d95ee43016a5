/**
 * Exact merge of load runs (worker threads, Kubernetes runners): counters add, and HDR
 * histograms with one bucket layout add bucket by bucket, so percentiles of the merge
 * equal percentiles of one histogram of every value.
 */
import { decodeHistogram, encodeHistogram, newHistogram } from './histogram.js';
import { storeOf, type LoadData } from './load-result.js';
import { mergeStores } from './slice-store.js';
import { mergeStreamStores, StreamStore } from './stream-store.js';

/** Merges runs slice by slice (each run's slices counted from its own traffic start). */
export function mergeLoadData(runs: readonly LoadData[]): LoadData {
  const first = runs[0];
  if (first === undefined) throw new RangeError('nothing to merge');
  const endpoints = [...new Set(runs.flatMap((r) => r.endpoints))];
  const slices = mergeStores(
    runs.map((r) => ({ store: storeOf(r), endpoints: r.endpoints })),
    endpoints,
  ).toData();
  const withStreams = runs.filter((r) => r.streams !== undefined);
  const streams = mergeStreamStores(
    withStreams.map((r) => ({ store: StreamStore.from(r.streams!, r.endpoints.length), endpoints: r.endpoints })),
    endpoints,
  )?.toData();
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
    slices,
    ...(streams ? { streams } : {}),
    schedulingLag,
    aborted: runs.some((r) => r.aborted),
  };
}
