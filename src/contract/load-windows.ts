/**
 * Read access to a load run's client-side measurements over any time window. The engine
 * (src/load) computes them from the per-100-ms HDR buckets it keeps (exact percentiles over
 * merged slices, no per-request samples); the SLO evaluator and the findings read client
 * metrics only through these interfaces.
 */
import type { Counters, LatencySummary } from './journal.js';

/** The latency figures of streamed generations: time to first token, inter-token gaps, time per output token. */
export type StreamLatency = 'ttft' | 'itl' | 'tpot';

/** Streamed generations (Server-Sent Events answers) over a window. */
export interface ClientStreamWindow {
  readonly streams: number;
  readonly complete: number;
  readonly cutOff: number;
  readonly noToken: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  /** Percentile (p in 0..100) of a stream latency in milliseconds; undefined when no stream had one. */
  percentile(kind: StreamLatency, p: number): number | undefined;
  /** Complete streams whose TTFT ≤ `ttftMs` and whose TPOT (the request's mean inter-token gap) ≤ `itlMs`. */
  good(ttftMs: number, itlMs: number): number;
}

export interface WindowStats extends Counters {
  readonly latency: LatencySummary;
  /** Latency percentile in milliseconds over the window (p in 0..100). */
  percentile(p: number): number;
  /** Achieved completed requests per second over the window. */
  readonly rps: number;
  /** Length of the window in ms (what rates are per). */
  readonly spanMs?: number;
  /** Streamed generations (Server-Sent Events answers) in the window; undefined when none. */
  readonly stream?: ClientStreamWindow | undefined;
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
