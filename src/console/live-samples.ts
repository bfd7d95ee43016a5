/**
 * Converts the load engine's live seconds into the console's live chart points (the
 * journal's per-second samples come from the engine's own `liveSamples`).
 */
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
  /** Share (0..1) of answers the classifier counts as the fallback (the reference stack: `x-model-type: fallback`); undefined when none said which model answered. */
  readonly fallbackShare: number | undefined;
  /** Share (0..1) of cache hits among the answers that said hit or miss; undefined when none did. */
  readonly cacheHitShare: number | undefined;
}

const add = (into: Record<string, number>, from: Readonly<Record<string, number>>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/** The console's chart point for one live second. */
export function livePoint(s: LiveSecond, t: number): LivePoint {
  const types: Record<string, number> = {};
  const cache: Record<string, number> = {};
  for (const e of Object.values(s.endpoints)) {
    add(types, e.modelType);
    add(cache, e.cache);
  }
  const typed = Object.values(types).reduce((a, b) => a + b, 0);
  const cached = (cache['hit'] ?? 0) + (cache['miss'] ?? 0);
  return {
    t,
    rate: s.rate,
    p50: s.p50,
    p99: s.p99,
    requests: s.requests,
    errors: s.errors,
    dropped: s.dropped,
    fallbackShare: typed > 0 ? (types['fallback'] ?? 0) / typed : undefined,
    cacheHitShare: cached > 0 ? (cache['hit'] ?? 0) / cached : undefined,
  };
}
