/**
 * SLOs as data. Scenario files build them with the typed API in src/slo/ (or write
 * them as strings, the command-line form); the runner evaluates them after the run.
 * Kept here, in scenario/, because the scenario file is where they are declared.
 */
import type { DurationString } from './types.js';

export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** What is measured. `endpoint` is a mix entry name; absent means all endpoints. */
export type SloMetric =
  | { readonly kind: 'latency'; readonly percentile: number; readonly endpoint?: string }
  | { readonly kind: 'error-rate'; readonly endpoint?: string }
  | { readonly kind: 'throughput'; readonly endpoint?: string } // achieved requests/s
  | { readonly kind: 'dropped'; readonly endpoint?: string } // dropped requests (count)
  | { readonly kind: 'fallback-share'; readonly endpoint?: string } // share of answers with x-model-type: fallback
  | { readonly kind: 'cache-hit-ratio'; readonly endpoint?: string } // x-cache: hit / (hit + miss)
  | { readonly kind: 'version-share'; readonly version: string; readonly endpoint?: string } // share of answers from a model version
  // Streamed generations (Server-Sent Events answers; src/load/sse-tokens.ts defines each figure):
  | { readonly kind: 'ttft'; readonly percentile: number; readonly endpoint?: string } // time to first token, ms
  | { readonly kind: 'itl'; readonly percentile: number; readonly endpoint?: string } // inter-token latency (each gap), ms
  | { readonly kind: 'tpot'; readonly percentile: number; readonly endpoint?: string } // time per output token (per request), ms
  | { readonly kind: 'output-tokens-per-second'; readonly endpoint?: string }
  /** Complete streams per second with TTFT ≤ ttftMs and a mean inter-token gap (TPOT) ≤ itlMs, as AIPerf's goodput. */
  | { readonly kind: 'goodput'; readonly ttftMs: number; readonly itlMs: number; readonly endpoint?: string }
  | { readonly kind: 'breaker-state'; readonly upstream: string } // 0 closed, 1 half-open, 2 open (gateway metric)
  | { readonly kind: 'replicas'; readonly service: string }
  | { readonly kind: 'rollout-phase'; readonly service: string } // compared with == / != against a phase name
  | { readonly kind: 'model-accuracy'; readonly version?: string }
  | { readonly kind: 'drift'; readonly feature?: string }
  | { readonly kind: 'restarts'; readonly service: string }
  | { readonly kind: 'promql'; readonly query: string };

/** Which part of the run the SLO looks at. */
export type SloWindow =
  | { readonly kind: 'run' }
  | { readonly kind: 'phase'; readonly phase: string }
  | { readonly kind: 'during-fault'; readonly fault: string }
  | { readonly kind: 'after-event'; readonly event: string; readonly for: DurationString }
  | { readonly kind: 'after-fault'; readonly fault: string; readonly for: DurationString };

/**
 * A timing assertion: the condition must first hold within `within` after an anchor
 * (a fault's start or end, an event, a phase's start). Example: fallback-share > 0.5
 * within 30s after fault "kill-tabular" starts.
 */
export interface SloTiming {
  readonly within: DurationString;
  /**
   * How long the condition must hold once it first does (default 1s, with at least 5
   * requests in every second of it for client metrics). "for 3s" in the string form.
   */
  readonly for?: DurationString;
  readonly anchor:
    | { readonly fault: string; readonly edge: 'start' | 'end' }
    | { readonly event: string }
    | { readonly phase: string; readonly edge: 'start' | 'end' };
}

export interface SloSpec {
  /** Shown in reports and JUnit; default derived from the expression. */
  readonly name?: string;
  readonly metric: SloMetric;
  readonly op: Comparator;
  /** A number in the metric's unit (ms for latency, 0..1 for ratios) or a phase name for rollout-phase. */
  readonly threshold: number | string;
  readonly window?: SloWindow;
  readonly timing?: SloTiming;
  /** Advisory SLOs count in the resilience score but not in the verdict. */
  readonly advisory?: boolean;
  /** Weight in the resilience score (default 1). */
  readonly weight?: number;
}
