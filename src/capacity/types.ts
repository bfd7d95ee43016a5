/**
 * The capacity search's vocabulary: what one step measured, what the search concluded,
 * and the whole result (`capacity.json`, also what the Markdown and HTML reports render).
 */
import type { BoundarySpread } from './search.js';

/** One SLO checked on one step's measured window. */
export interface StepSloCheck {
  /** The SLO as written on the command line, normalised ("p99 < 250ms", "error_rate < 1%"). */
  readonly slo: string;
  /** Observed value in the metric's unit (ms for latency, 0..1 for error rate); null without data. */
  readonly observed: number | null;
  readonly ok: boolean;
}

/** What one constant-arrival-rate step measured over its measured window (after warm-up). */
export interface StepResult {
  /** Offered arrival rate, requests/s, for the whole service (all replicas). */
  readonly rate: number;
  /** How the search came to try this rate. */
  readonly phase: 'step' | 'bisect' | 'confirm';
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  /** (errors + dropped) / (requests + dropped): a request the client could not even send counts as failed. */
  readonly errorRate: number;
  /** Completed requests/s over the measured window (by intended send time). */
  readonly achievedRps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Mean requests in flight over the measured window (Little's law: achieved rate × mean latency). */
  readonly concurrency: number;
  /** Streamed generations of the step (absent when no answer was a stream). */
  readonly tokens?: {
    readonly ttftP50: number;
    readonly ttftP95: number;
    readonly itlP50: number;
    readonly itlP95: number;
    readonly outputTokensPerSecond: number;
  };
  /**
   * Requests in flight at the end of the measured window minus at its start: a service that
   * cannot keep up accumulates a backlog even while a short step's latency still fits the SLO.
   */
  readonly backlogGrowth: number;
  /** The growth above which the step counts as not keeping up. */
  readonly backlogLimit: number;
  readonly keptUp: boolean;
  readonly slos: readonly StepSloCheck[];
  /** Every SLO held and the service kept up. */
  readonly ok: boolean;
}

/** The knee of the p99-vs-rate curve (Kneedle: max distance below the normalised chord). */
export interface Knee {
  readonly rate: number;
  readonly p99: number;
  readonly perReplica: number;
}

/** Replica and HPA advice for a forecast peak. */
export interface Recommendation {
  readonly peakRps: number;
  /** 0..1: spare capacity kept above the peak. */
  readonly headroom: number;
  /** ceil(peak × (1 + headroom) / sustainable-per-replica). */
  readonly replicas: number;
  readonly hpa: HpaSuggestion;
}

export interface HpaSuggestion {
  /** The seed's HPA pods metric. */
  readonly metric: 'inference_requests_per_second';
  /** Per-pod target: sustainable-per-replica × (1 − headroom), never above the knee. */
  readonly averageValue: number;
  /** Why that value: "headroom" or "knee". */
  readonly basis: 'headroom' | 'knee';
  /** Replicas the HPA reaches at the peak with that target: ceil(peak / averageValue); absent without --peak. */
  readonly maxReplicas?: number;
}

export interface CapacitySettings {
  readonly replicas: number;
  readonly startRate: number;
  readonly maxRate: number;
  readonly minRate: number;
  /** Bisection stops when (firstBad − lastGood) / lastGood ≤ precision. */
  readonly precision: number;
  /** Runs the last good and the first bad rate must each agree on (1: no confirmation). */
  readonly repeats: number;
  /** The breaking rate must be known to ± this share of it, else the result says the machine is too noisy. */
  readonly tolerance: number;
  readonly warmupMs: number;
  readonly stepMs: number;
  readonly seed: number;
}

/** The stack definition a capacity search ran. */
export interface CapacityStack {
  readonly name: string;
  /** Its stack file as shown in messages (relative to the working directory), or "<scenario> stack.definition" when written inline. */
  readonly file: string;
  /** Its entry service, which received the traffic. */
  readonly entry: string;
}

/** capacity.json. */
export interface CapacityResult {
  readonly schema: 'peakready.capacity/v1';
  readonly scenario: { readonly name: string; readonly file: string | undefined };
  readonly service: string;
  readonly platform: 'local' | 'kubernetes';
  /** A team's own stack (a stack definition) the service belongs to; absent for the reference stack. */
  readonly stack?: CapacityStack;
  /** How the traffic reached the service: straight, through the reference gateway, or to a stack definition's entry service. */
  readonly route: { readonly mode: 'direct' | 'gateway' | 'entry'; readonly target: string; readonly endpoints: readonly string[]; readonly note: string };
  readonly profile?: string;
  /** Mechanisms switched off during the search (on a stack definition, or asked for with --disable). */
  readonly disabled?: readonly string[];
  readonly slos: readonly string[];
  readonly settings: CapacitySettings;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Every step in the order it ran. */
  readonly steps: readonly StepResult[];
  /** Highest rate that met every SLO (whole service); null when even the lowest rate failed. */
  readonly sustainableRps: number | null;
  readonly sustainablePerReplica: number | null;
  /** Mean requests in flight at the sustainable rate (what a closed-model client or a concurrency limit would need); null without one. */
  readonly sustainableConcurrency: number | null;
  /** Lowest rate that broke an SLO; null when none broke up to maxRate. */
  readonly breakingRps: number | null;
  /** What broke at the breaking rate. */
  readonly breakingReason: string | null;
  /**
   * How well the breaking rate is known after the repeats: the zone from the last rate that held
   * every run to the first that broke every run, as ± of its midpoint; "noisy" when the repeats
   * disagreed beyond the tolerance within the step budget. Absent when nothing broke or repeats = 1.
   */
  readonly spread?: BoundarySpread;
  readonly knee: Knee | null;
  /** Absent without --peak; HPA advice is then in `hpa`. */
  readonly recommendation?: Recommendation;
  readonly hpa: HpaSuggestion | null;
  /** "found", "no-break" (never broke up to maxRate) or "none-sustainable" (broke at the lowest rate). */
  readonly outcome: 'found' | 'no-break' | 'none-sustainable' | 'interrupted';
}
