/**
 * The scenario model: what a user writes (`Scenario`) and what a run uses
 * (`ResolvedScenario`: defaults filled in, durations in milliseconds).
 *
 * Slots filled by other parts keep their types in sibling files so each part owns its
 * own vocabulary: faults (fault-spec.ts), SLOs (slo-spec.ts).
 */
import type { FaultSpec, ResolvedFault } from './fault-spec.js';
import type { SloSpec } from './slo-spec.js';
import type { AnswerClassifier, LoadedStack, StackDefinition } from './stack-definition.js';

/** A duration as users write it: "250ms", "90s", "2m", "1h", "1m30s". */
export type DurationString = string;

/** Seeded random source handed to request factories; the same seed gives the same traffic. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Standard normal (mean 0, sd 1). */
  normal(): number;
  /** Picks one element uniformly. */
  pick<T>(items: readonly T[]): T;
}

/** What a request factory receives. */
export interface RequestContext {
  readonly rng: Random;
  /** 0-based index of this request within the run (across all endpoints). */
  readonly iteration: number;
  /** Milliseconds since the traffic started (scaled time). */
  readonly elapsedMs: number;
  /** Current feature shift from `drift` (0 when no drift is configured). */
  readonly drift: number;
  /** `n` features, uniform in [0,1) plus the current drift shift. */
  features(n: number): number[];
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';

/** A request as a factory returns it. `body` objects are sent as JSON. */
export interface RequestInit {
  readonly method?: HttpMethod;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One named entry of the weighted traffic mix; its name is the endpoint name in results and SLOs. */
export interface MixEntry {
  readonly weight: number;
  readonly request: (ctx: RequestContext) => RequestInit;
}

/** A stage of an open-model (arrival-rate) traffic profile. */
export interface Stage {
  /** Names a phase usable as an SLO window ("flash-sale"). */
  readonly name?: string;
  readonly duration: DurationString;
  /** Requests per `timeUnit` at the end of the stage. */
  readonly rate: number;
  /** 'constant' holds `rate`; 'ramp' moves linearly from the previous stage's rate (or `startRate`). Default 'constant'. */
  readonly shape?: 'constant' | 'ramp';
}

/** Open model, k6's constant- and ramping-arrival-rate semantics. */
export interface ArrivalRateTraffic {
  readonly executor: 'arrival-rate';
  /** Rate unit, default "1s". */
  readonly timeUnit?: DurationString;
  /** Rate at the start of the first stage when it ramps. Default 0. */
  readonly startRate?: number;
  readonly stages: readonly Stage[];
  /** In-flight request slots allocated up front. Default 50. */
  readonly preAllocated?: number;
  /** Hard cap on in-flight requests; an arrival finding none free is counted as dropped. Default 1000. */
  readonly maxInFlight?: number;
  /** Per-request timeout. Default "10s". */
  readonly timeout?: DurationString;
}

/** Closed model: a fixed number of virtual users, each waiting for its answer, then thinking. */
export interface VusTraffic {
  readonly executor: 'vus';
  readonly vus: number;
  readonly duration: DurationString;
  /** Think time between a user's requests, uniform in [min, max]. Default none. */
  readonly thinkTime?: { readonly min: DurationString; readonly max: DurationString };
  readonly timeout?: DurationString;
}

export type Traffic = ArrivalRateTraffic | VusTraffic;

/** Feature-distribution shift over time, to produce model drift. */
export interface DriftSpec {
  /** When the shift starts (offset from traffic start). */
  readonly startAt: DurationString;
  /** How long it takes to reach `shift`. Default "0s" (a step). */
  readonly rampFor?: DurationString;
  /** Added to every uniform feature at full drift. */
  readonly shift: number;
}

/** A platform event on the timeline (model version deploys). */
export interface EventSpec {
  readonly id?: string;
  readonly kind: 'deploy';
  readonly at: DurationString;
  /** Service whose model version is rolled out, e.g. "tabular". */
  readonly service: string;
  /** Version to roll out, e.g. "v2-bad". */
  readonly version: string;
}

/** A steady-state probe: checked before any fault (a gate) and after all are reverted. */
export interface ProbeSpec {
  readonly name: string;
  /** HTTP probe against the gateway or a named service. */
  readonly http?: {
    readonly service?: string;
    readonly method?: HttpMethod;
    readonly path: string;
    readonly body?: unknown;
    readonly expectStatus?: number;
    readonly maxLatency?: DurationString;
  };
  /** PromQL probe: the query's scalar must satisfy `op threshold`. */
  readonly promql?: { readonly query: string; readonly op: '<' | '<=' | '>' | '>=' | '=='; readonly threshold: number };
}

/** Halt conditions: when one holds for `for`, the run aborts and everything is reverted. */
export interface HaltCondition {
  readonly name?: string;
  readonly metric: 'error-rate' | 'dropped-rate' | 'p99-latency-ms';
  readonly above: number;
  readonly for: DurationString;
}

export interface SafetySpec {
  readonly halt?: readonly HaltCondition[];
  /** Local targets must be loopback unless this is true (or --allow-remote-target). */
  readonly allowRemoteTarget?: boolean;
}

/** Stack shape overrides for the run (replicas, autoscaling, rollout, gateway policy). */
export interface StackSpec {
  readonly replicas?: Readonly<Record<string, number>>;
  readonly autoscaling?: Readonly<
    Record<string, { readonly min: number; readonly max: number; readonly targetRps?: number; readonly targetCpu?: number }>
  >;
  /** Canary steps as weights in percent with a pause after each; default the seed's 20/40/60/80. */
  readonly rollout?: {
    readonly steps?: readonly number[];
    readonly pause?: DurationString;
    /** Interval between analysis measurements (the seed's AnalysisTemplate: 5m). */
    readonly analysisInterval?: DurationString;
  };
  /** Options passed to the gateway (fallback thresholds, breaker settings, cache). */
  readonly gateway?: Readonly<Record<string, unknown>>;
  /**
   * Resilience mechanisms switched off on purpose, to prove the SLOs catch their absence
   * (`peakready run --disable fallback`): the gateway's fallback, breaker or cache, the
   * autoscaler, or the rollout analysis.
   */
  readonly disable?: readonly string[];
  /**
   * The stack under test when it is not the reference stack: a stack file (relative to the
   * scenario file) or a `defineStack({...})` value. `run --stack` overrides it.
   */
  readonly definition?: string | StackDefinition;
  /** How answers are classified, overriding the stack's own classifier. */
  readonly classify?: AnswerClassifier;
}

export const STACK_MECHANISMS = ['fallback', 'breaker', 'cache', 'autoscaler', 'analysis'] as const;
/** The mechanisms that are the gateway's own: `stack.gateway.<name>: false` switches one off. */
export const GATEWAY_SWITCHES = ['fallback', 'breaker', 'cache'] as const satisfies readonly StackMechanism[];
export type StackMechanism = (typeof STACK_MECHANISMS)[number];

/** What a user writes in `scenarios/*.ts` and passes to `defineScenario()`. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** Service the traffic goes to (default "gateway"), or an absolute base URL. */
  readonly target?: string;
  readonly traffic: Traffic;
  readonly mix: Readonly<Record<string, MixEntry>>;
  readonly drift?: DriftSpec;
  readonly faults?: readonly FaultSpec[];
  readonly events?: readonly EventSpec[];
  readonly slos?: readonly SloSpec[];
  readonly steadyState?: readonly ProbeSpec[];
  readonly safety?: SafetySpec;
  readonly stack?: StackSpec;
}

/** A phase of the resolved timeline, in ms from traffic start. */
export interface ResolvedPhase {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface ResolvedStage {
  readonly name: string;
  readonly startMs: number;
  readonly durationMs: number;
  /** Rates in requests per second (timeUnit already applied). */
  readonly fromRate: number;
  readonly toRate: number;
}

export type ResolvedTraffic =
  | {
      readonly executor: 'arrival-rate';
      readonly stages: readonly ResolvedStage[];
      readonly preAllocated: number;
      readonly maxInFlight: number;
      readonly timeoutMs: number;
      readonly durationMs: number;
    }
  | {
      readonly executor: 'vus';
      readonly vus: number;
      readonly durationMs: number;
      readonly thinkTimeMs: { readonly min: number; readonly max: number };
      readonly timeoutMs: number;
    };

export interface ResolvedEvent {
  readonly id: string;
  readonly kind: 'deploy';
  readonly atMs: number;
  readonly service: string;
  readonly version: string;
}

/** What a run uses: defaults filled, durations in ms, time scale applied. */
export interface ResolvedScenario {
  readonly name: string;
  readonly description: string;
  /** Path of the scenario file, when loaded from one. */
  readonly file: string | undefined;
  readonly target: string;
  readonly traffic: ResolvedTraffic;
  readonly mix: Readonly<Record<string, MixEntry>>;
  readonly drift: { readonly startAtMs: number; readonly rampForMs: number; readonly shift: number } | undefined;
  readonly phases: readonly ResolvedPhase[];
  readonly faults: readonly ResolvedFault[];
  readonly events: readonly ResolvedEvent[];
  readonly slos: readonly SloSpec[];
  readonly steadyState: readonly ProbeSpec[];
  readonly safety: { readonly halt: readonly (HaltCondition & { readonly forMs: number })[]; readonly allowRemoteTarget: boolean };
  readonly stack: StackSpec;
  /** The stack definition the run uses, when not the reference stack (loaded and checked). */
  readonly stackDefinition?: LoadedStack;
  /** Factor every duration was multiplied by (--time-scale). */
  readonly timeScale: number;
}
