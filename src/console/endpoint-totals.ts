/**
 * Whole-game-day results per endpoint: the background loads of a game day (one per
 * traffic start) added up exactly — counters add, HDR histograms add bucket by bucket.
 */
import type { EndpointResult } from '../contract/journal.js';
import { MutableCounters } from '../load/counters.js';
import { decodeHistogram, encodeHistogram, newHistogram, summarize } from '../load/histogram.js';

/** Merges the endpoint results of several loads into one result per endpoint (first-seen order). */
export function mergeEndpointResults(loads: readonly (readonly EndpointResult[])[]): EndpointResult[] {
  const byName = new Map<string, { counters: MutableCounters; hist: ReturnType<typeof newHistogram> }>();
  for (const load of loads) {
    for (const r of load) {
      let acc = byName.get(r.endpoint);
      if (!acc) byName.set(r.endpoint, (acc = { counters: new MutableCounters(), hist: newHistogram() }));
      acc.counters.add(r);
      acc.hist.add(decodeHistogram(r.histogram));
    }
  }
  return [...byName].map(([endpoint, { counters, hist }]) => ({ endpoint, ...counters.snapshot(), latency: summarize(hist), histogram: encodeHistogram(hist) }));
}
