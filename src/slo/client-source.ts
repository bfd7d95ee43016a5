/**
 * Client-side metrics (what the load engine measured) over a window: latency percentiles,
 * error rate, throughput, dropped requests, and shares of response headers.
 */
import type { Comparator, SloMetric } from '../scenario/slo-spec.js';
import type { LoadWindows, WindowStats } from '../load/window.js';
import { holds } from './compare.js';
import type { TimingOutcome } from './step-signal.js';

export type ClientMetric = Extract<SloMetric, { kind: 'latency' | 'error-rate' | 'throughput' | 'dropped' | 'fallback-share' | 'cache-hit-ratio' | 'version-share' }>;

const CLIENT_KINDS = new Set<string>(['latency', 'error-rate', 'throughput', 'dropped', 'fallback-share', 'cache-hit-ratio', 'version-share']);

export function isClientMetric(m: SloMetric): m is ClientMetric {
  return CLIENT_KINDS.has(m.kind);
}

/** Client timing assertions look at one-second buckets. */
const BUCKET_MS = 1000;

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** The metric's value from one window's stats; undefined when the window holds nothing it can be computed from. */
export function clientValue(metric: ClientMetric, s: WindowStats): number | undefined {
  switch (metric.kind) {
    case 'latency':
      return s.latency.count > 0 ? s.percentile(metric.percentile) : undefined;
    case 'error-rate':
      return s.requests > 0 ? s.errors / s.requests : undefined;
    case 'throughput':
      return s.rps;
    case 'dropped':
      return s.dropped;
    case 'fallback-share': {
      // Answers without an x-model-type header (transport errors) do not count either way.
      const total = sum(s.modelType);
      return total > 0 ? (s.modelType['fallback'] ?? 0) / total : undefined;
    }
    case 'cache-hit-ratio': {
      const hit = s.cache['hit'] ?? 0;
      const total = hit + (s.cache['miss'] ?? 0);
      return total > 0 ? hit / total : undefined;
    }
    case 'version-share': {
      const total = sum(s.modelVersion);
      return total > 0 ? (s.modelVersion[metric.version] ?? 0) / total : undefined;
    }
  }
}

/** Value over [fromMs, toMs). */
export function clientOver(client: LoadWindows, metric: ClientMetric, fromMs: number, toMs: number): number | undefined {
  if (toMs <= fromMs) return undefined;
  const s = client.window(fromMs, toMs, metric.endpoint);
  return s ? clientValue(metric, s) : undefined;
}

/**
 * The first one-second bucket after the anchor in which the condition holds; `atMs` is the
 * bucket's end (the moment the holding second was complete), capped at the deadline.
 */
export function clientFirstHolding(
  client: LoadWindows,
  metric: ClientMetric,
  anchorMs: number,
  deadlineMs: number,
  op: Comparator,
  threshold: number | string,
): TimingOutcome {
  let last: { value: number; atMs: number } | undefined;
  const end = Math.min(deadlineMs, client.durationMs);
  for (let from = anchorMs; from < end; from += BUCKET_MS) {
    const to = Math.min(from + BUCKET_MS, deadlineMs);
    const v = clientOver(client, metric, from, to);
    if (v === undefined) continue;
    if (holds(op, v, threshold)) return { kind: 'held', atMs: to, value: v };
    last = { value: v, atMs: to };
  }
  return last ? { kind: 'never', last: last.value, lastMs: last.atMs } : { kind: 'no-data' };
}
