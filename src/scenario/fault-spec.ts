/**
 * The fault vocabulary as scenarios write it. Back ends (local service proxy and
 * process control; Chaos Mesh resources) live in src/faults/.
 */
import type { DurationString } from './types.js';

export const FAULT_KINDS = [
  'kill-replica', // SIGKILL one replica (PodChaos pod-kill)
  'unavailable', // service answers nothing for the duration (PodChaos pod-failure)
  'latency', // added delay with jitter (NetworkChaos delay / HTTPChaos delay)
  'errors', // HTTP error responses for a fraction of requests (HTTPChaos abort)
  'reset', // connections reset (NetworkChaos loss)
  'partition', // no traffic reaches the service (NetworkChaos partition)
  'bandwidth', // bytes per second limit (NetworkChaos bandwidth)
  'cpu-stress', // bounded CPU burn next to the service (StressChaos cpu)
  'redis-outage', // the prediction cache goes away
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kind-specific parameters; each kind reads only its own. */
export interface FaultParams {
  /** latency: added delay, e.g. "300ms". */
  readonly latency?: DurationString;
  /** latency: +/- jitter, e.g. "50ms". */
  readonly jitter?: DurationString;
  /** errors: HTTP status to answer with (default 503). */
  readonly status?: number;
  /** errors / reset / latency: share of requests affected, 0..1 (default 1). */
  readonly fraction?: number;
  /** bandwidth: bytes per second. */
  readonly rate?: number;
  /** cpu-stress: number of busy workers (default 1) and load percent (default 80). */
  readonly workers?: number;
  readonly load?: number;
  /** kill-replica: how many replicas (default 1). */
  readonly count?: number;
}

export interface FaultSpec {
  /** Names the fault in SLO windows and reports; default `<kind>-<target>`. */
  readonly id?: string;
  readonly kind: FaultKind;
  /** Service name, e.g. "tabular", "triton", "redis". */
  readonly target: string;
  /** Offset from traffic start. */
  readonly at: DurationString;
  /** How long it lasts; instantaneous kinds (kill-replica) may omit it. */
  readonly for?: DurationString;
  readonly params?: FaultParams;
}

export interface ResolvedFault {
  readonly id: string;
  readonly kind: FaultKind;
  readonly target: string;
  readonly atMs: number;
  /** 0 for instantaneous faults. */
  readonly durationMs: number;
  readonly params: FaultParams;
}
