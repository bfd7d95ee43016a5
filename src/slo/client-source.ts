/**
 * Client-side metrics (what the load engine measured) over a window: latency percentiles,
 * error rate, throughput, dropped requests, and shares of response headers.
 */
import type { Comparator, SloMetric } from '../scenario/slo-spec.js';
import type { LoadWindows, WindowStats } from '../contract/load-windows.js';
import { holds } from './compare.js';
import type { TimingOutcome } from './step-signal.js';

export type ClientMetric = Extract<
  SloMetric,
  { kind: 'latency' | 'error-rate' | 'throughput' | 'dropped' | 'fallback-share' | 'cache-hit-ratio' | 'version-share' | 'ttft' | 'itl' | 'tpot' | 'output-tokens-per-second' | 'goodput' }
>;

const CLIENT_KINDS = new Set<string>(['latency', 'error-rate', 'throughput', 'dropped', 'fallback-share', 'cache-hit-ratio', 'version-share', 'ttft', 'itl', 'tpot', 'output-tokens-per-second', 'goodput']);

export function isClientMetric(m: SloMetric): m is ClientMetric {
  return CLIENT_KINDS.has(m.kind);
}

/** Width of the sub-windows a sustained condition is judged on, and the requests each needs. */
export const SUSTAIN_WINDOW_MS = 1000;
export const MIN_REQUESTS_PER_WINDOW = 5;

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** The metric's value from one window's stats; undefined when the window holds nothing it can be computed from. */
export function clientValue(metric: ClientMetric, s: WindowStats): number | undefined {
  switch (metric.kind) {
    case 'latency':
      // Every completed request has a latency; `requests` avoids summarising the histogram.
      return s.requests > 0 ? s.percentile(metric.percentile) : undefined;
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
    // Streamed generations: no stream in the window (or no token, for the latencies) is no data, never a pass.
    case 'ttft':
    case 'itl':
    case 'tpot': {
      return s.stream?.percentile(metric.kind, metric.percentile);
    }
    case 'output-tokens-per-second':
      return s.stream ? s.stream.tokensOut / (spanOf(s) / 1000) : undefined;
    case 'goodput':
      return s.stream ? s.stream.good(metric.ttftMs, metric.itlMs) / (spanOf(s) / 1000) : undefined;
  }
}

/** The window's length in ms (from its rate when a source does not give it). */
function spanOf(s: WindowStats): number {
  return s.spanMs ?? (s.rps > 0 ? (s.requests / s.rps) * 1000 : 1000);
}

/** Value over [fromMs, toMs). */
export function clientOver(client: LoadWindows, metric: ClientMetric, fromMs: number, toMs: number): number | undefined {
  if (toMs <= fromMs) return undefined;
  const s = client.window(fromMs, toMs, metric.endpoint);
  return s ? clientValue(metric, s) : undefined;
}

/**
 * The first moment T, on the data's 100 ms grid in [anchorMs, deadlineMs], from which the
 * condition holds and is sustained for `sustainMs`:
 *   - the slice starting at T holds (the condition is already true at T, so a second that
 *     only holds on average because of what comes later does not move T earlier);
 *   - every window of min(1 s, sustainMs) starting in [T, T + sustainMs − window], on the
 *     same grid, holds and carries at least 5 requests (arrivals, dropped included).
 * Nothing before the anchor counts. `atMs` is T; `value` the metric over [T, T + sustainMs).
 */
export function clientFirstHolding(
  client: LoadWindows,
  metric: ClientMetric,
  anchorMs: number,
  deadlineMs: number,
  op: Comparator,
  threshold: number | string,
  sustainMs: number = SUSTAIN_WINDOW_MS,
): TimingOutcome {
  const res = client.resolutionMs ?? 100;
  const win = Math.max(res, Math.min(SUSTAIN_WINDOW_MS, sustainMs));
  const span = Math.max(win, Math.ceil(sustainMs / res) * res);
  const ep = metric.endpoint;
  // Window values by start, computed once: each start is tried by up to span/res candidates.
  const memo = new Map<number, { v: number | undefined; n: number }>();
  const windowAt = (t: number): { v: number | undefined; n: number } => {
    let w = memo.get(t);
    if (w === undefined) {
      const s = client.window(t, t + win, ep);
      w = s ? { v: clientValue(metric, s), n: s.requests + s.dropped } : { v: undefined, n: 0 };
      memo.set(t, w);
    }
    return w;
  };
  const sustained = (t0: number): boolean => {
    for (let t = t0; t + win <= t0 + span + 1e-6; t += res) {
      const w = windowAt(t);
      if (w.v === undefined || w.n < MIN_REQUESTS_PER_WINDOW || !holds(op, w.v, threshold)) return false;
    }
    return true;
  };
  let last: { value: number; atMs: number } | undefined;
  const first = Math.ceil(anchorMs / res - 1e-9) * res + 0; // + 0: never -0
  for (let t = first; t <= deadlineMs + 1e-6 && t < client.durationMs; t += res) {
    const onset = clientOver(client, metric, t, t + res);
    if (onset === undefined) continue;
    const w = windowAt(t);
    if (w.v !== undefined) last = { value: w.v, atMs: t };
    if (!holds(op, onset, threshold) || !sustained(t)) continue;
    const v = clientOver(client, metric, t, t + span);
    return { kind: 'held', atMs: t, value: v ?? onset };
  }
  return last ? { kind: 'never', last: last.value, lastMs: last.atMs } : { kind: 'no-data' };
}
