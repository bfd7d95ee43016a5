/**
 * Converts the load engine's live seconds into the journal's per-second samples (what
 * `events.ndjson` stores and the report charts draw) and into the console's live points.
 */
import type { SecondSample } from '../journal.js';
import type { LiveSecond } from '../load/live.js';

/** One point of the console's live charts; `t` is seconds since the console started. */
export interface LivePoint {
  readonly t: number;
  /** Completed requests per second. */
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  /** Share (0..1) of answers with `x-model-type: fallback`; undefined when none carried the header. */
  readonly fallbackShare: number | undefined;
}

const add = (into: Record<string, number>, from: Readonly<Record<string, number>>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/**
 * Per-endpoint samples plus the all-endpoints "*" sample for one live second, at second `t`
 * of the game day. Live seconds carry p50/p99 only: p90/p95 are filled with p99 (an upper
 * bound), as the runner does for its live log.
 */
export function liveSamples(s: LiveSecond, t: number): SecondSample[] {
  const latency = (count: number, p50: number, p99: number) => ({ count, min: p50, mean: p50, p50, p90: p99, p95: p99, p99, p999: p99, max: p99 });
  const out: SecondSample[] = [];
  const all = { requests: 0, errors: 0, dropped: 0, status: {}, errorKinds: {}, modelType: {}, modelVersion: {}, cache: {} } as {
    requests: number; errors: number; dropped: number;
    status: Record<string, number>; errorKinds: Record<string, number>; modelType: Record<string, number>; modelVersion: Record<string, number>; cache: Record<string, number>;
  };
  for (const [endpoint, e] of Object.entries(s.endpoints)) {
    out.push({ t, endpoint, requests: e.requests, errors: e.errors, dropped: e.dropped, status: e.status, errorKinds: e.errorKinds, modelType: e.modelType, modelVersion: e.modelVersion, cache: e.cache, latency: latency(e.requests, e.p50, e.p99) });
    all.requests += e.requests;
    all.errors += e.errors;
    all.dropped += e.dropped;
    add(all.status, e.status);
    add(all.errorKinds, e.errorKinds);
    add(all.modelType, e.modelType);
    add(all.modelVersion, e.modelVersion);
    add(all.cache, e.cache);
  }
  out.push({ t, endpoint: '*', ...all, latency: latency(all.requests, s.p50, s.p99) });
  return out;
}

/** The console's chart point for one live second. */
export function livePoint(s: LiveSecond, t: number): LivePoint {
  const types: Record<string, number> = {};
  for (const e of Object.values(s.endpoints)) add(types, e.modelType);
  const typed = Object.values(types).reduce((a, b) => a + b, 0);
  return {
    t,
    rate: s.rate,
    p50: s.p50,
    p99: s.p99,
    requests: s.requests,
    errors: s.errors,
    dropped: s.dropped,
    fallbackShare: typed > 0 ? (types['fallback'] ?? 0) / typed : undefined,
  };
}
