/**
 * Read access to a load run's client-side measurements over any time window, computed
 * from the per-100-ms HDR buckets the engine keeps (exact percentiles over merged
 * slices, no per-request samples). The SLO evaluator reads client metrics only
 * through this interface.
 */
import type { Counters, LatencySummary } from '../journal.js';
import type { StreamWindow } from './stream-store.js';

export interface WindowStats extends Counters {
  readonly latency: LatencySummary;
  /** Latency percentile in milliseconds over the window (p in 0..100). */
  percentile(p: number): number;
  /** Achieved completed requests per second over the window. */
  readonly rps: number;
  /** Length of the window in ms (what rates are per). */
  readonly spanMs?: number;
  /** Streamed generations (Server-Sent Events answers) in the window; undefined when none. */
  readonly stream?: StreamWindow | undefined;
}

export interface LoadWindows {
  /** Milliseconds of traffic the run carried. */
  readonly durationMs: number;
  /** Width in ms of the slices windows are cut to (100 for this engine); default 100. */
  readonly resolutionMs?: number;
  /** Endpoint (mix entry) names seen or configured. */
  readonly endpoints: readonly string[];
  /**
   * Stats over [fromMs, toMs) measured from traffic start (by the request's intended send
   * time), for one endpoint or, when omitted, all. Edges are rounded inwards to the
   * resolution, so no request sent outside the window counts. `undefined` when no request
   * fell in it.
   */
  window(fromMs: number, toMs: number, endpoint?: string): WindowStats | undefined;
}
