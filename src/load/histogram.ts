/**
 * HDR histogram helpers: one configuration everywhere (microseconds, 3 significant digits)
 * so histograms from seconds, endpoints and worker threads merge exactly.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../contract/journal.js';

export type Histogram = hdr.Histogram;

/**
 * A latency histogram in microseconds; auto-resizes past one minute (or past
 * `highestTrackableValue`, for a small histogram read once: the bucket layout is the same).
 */
export function newHistogram(highestTrackableValue = 60_000_000): Histogram {
  return hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(base64: string): Histogram {
  return hdr.decodeFromCompressedBase64(base64, 32, false);
}

/** Adds every encoded histogram into one (exact: same bucket layout). */
export function mergeEncoded(encoded: Iterable<string>, into: Histogram = newHistogram()): Histogram {
  for (const e of encoded) into.add(decodeHistogram(e));
  return into;
}

interface Indexed {
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  getCountAtIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  medianEquivalentValue(value: number): number;
  readonly countsArrayLength: number;
}

/**
 * The histogram's mean, computed as hdr-histogram-js does (bucket medians in index order, so
 * the same double), without its iterator, which costs milliseconds per call.
 */
export function meanOf(h: Histogram): number {
  if (h.totalCount === 0) return 0;
  const x = h as unknown as Indexed;
  const last = Math.min(x.countsArrayIndex(h.maxValue), x.countsArrayLength - 1);
  let total = 0;
  for (let i = 0; i <= last; i++) {
    const c = x.getCountAtIndex(i);
    if (c > 0) total += x.medianEquivalentValue(x.highestEquivalentValue(x.valueFromIndex(i))) * c;
  }
  return total / h.totalCount;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Percentile (0..100) in milliseconds; 0 for an empty histogram. */
export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : round3(h.getValueAtPercentile(p) / 1000);
}

/** The journal's latency summary, in milliseconds. */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    min: round3(h.minNonZeroValue / 1000),
    mean: round3(meanOf(h) / 1000),
    p50: percentileMs(h, 50),
    p90: percentileMs(h, 90),
    p95: percentileMs(h, 95),
    p99: percentileMs(h, 99),
    p999: percentileMs(h, 99.9),
    max: round3(h.maxValue / 1000),
  };
}
