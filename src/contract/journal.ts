/**
 * The journal: the single result of a run. The runner writes it (and `events.ndjson`
 * while running); reporters read only this type.
 */

import type { ErrorCode } from './errors.js';

export const JOURNAL_SCHEMA = 'peakready.journal/v1';

export type RunStatus = 'completed' | 'aborted' | 'interrupted' | 'steady-state-failed' | 'fault-not-injected' | 'error';
export type Verdict = 'pass' | 'fail' | 'error';

/** Latency summary in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Counters kept per endpoint, per second and for the whole run. */
export interface Counters {
  /** Requests that got an answer or failed (not dropped). */
  readonly requests: number;
  /** Requests with a transport error or a 4xx/5xx status. */
  readonly errors: number;
  readonly dropped: number;
  readonly status: Readonly<Record<string, number>>;
  /** timeout, reset, refused, http_429 (overloaded), http_4xx, http_5xx, stream_cut_off, stream_no_token, other. */
  readonly errorKinds: Readonly<Record<string, number>>;
  /** Answers counted by which model answered, its version and cache hit or miss, as the stack's classifier reads them (the reference stack: the headers x-model-type, x-model-version, x-cache). */
  readonly modelType: Readonly<Record<string, number>>;
  readonly modelVersion: Readonly<Record<string, number>>;
  readonly cache: Readonly<Record<string, number>>;
}

/** One second of one endpoint (or of all, endpoint "*"). `t` is seconds from traffic start. */
export interface SecondSample extends Counters {
  readonly t: number;
  readonly endpoint: string;
  readonly latency: LatencySummary;
  /** Streamed generations sent in this second (only when there were any). */
  readonly tokens?: { readonly output: number; readonly ttftP50: number; readonly ttftP95: number; readonly itlP50: number; readonly itlP99: number };
}

/** Streamed generations of an endpoint (src/load/sse-tokens.ts defines each figure). */
export interface StreamSummary {
  readonly streams: number;
  /** Ended with [DONE] or a finish reason. */
  readonly complete: number;
  /** Tokens, then the stream stopped early (also counted as errors, kind stream_cut_off). */
  readonly cutOff: number;
  /** No token at all (also counted as errors, kind stream_no_token). */
  readonly noToken: number;
  /** From the server's usage; 0 when it reports none. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly outputTokensPerSecond: number;
  readonly ttft: LatencySummary;
  readonly itl: LatencySummary;
  readonly tpot: LatencySummary;
}

export interface EndpointResult extends Counters {
  readonly endpoint: string;
  readonly latency: LatencySummary;
  /** The whole-run HDR histogram, base64 (hdr-histogram-js encodeIntoCompressedBase64), microseconds. */
  readonly histogram: string;
  /** Present when the endpoint's answers were streamed (Server-Sent Events). */
  readonly stream?: StreamSummary;
}

export interface ProbeResult {
  readonly name: string;
  readonly ok: boolean;
  readonly observed: string;
  readonly expected: string;
  readonly durationMs: number;
}

export interface SloResult {
  readonly name: string;
  /** The expression in its string form, e.g. "p99(predict) < 250ms during fault kill-tabular". */
  readonly expression: string;
  readonly status: 'pass' | 'fail' | 'no-data';
  readonly observed: string;
  readonly threshold: string;
  readonly window: string;
  readonly advisory: boolean;
  readonly weight: number;
  readonly source: 'client' | 'prometheus' | 'platform';
  readonly detail?: string;
}

export interface TimelineFault {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  /** ms from traffic start. */
  readonly startMs: number;
  readonly endMs: number;
  readonly params: Readonly<Record<string, unknown>>;
  /** ms from traffic start at which the injection was asked for; `startMs` is when the platform confirmed it. */
  readonly requestedMs?: number;
  /** Why the platform could not inject it (the run was aborted); absent for an injected fault. */
  readonly notInjected?: string;
  /** What the fault did on this platform when that is not obvious (cpu-stress: confined to the target's cgroup or not). */
  readonly note?: string;
}

export interface TimelineEvent {
  /** ms from traffic start (negative before traffic started). */
  readonly atMs: number;
  readonly type: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** A server-side series sampled during the run (replicas, breaker state, accuracy). */
export interface Series {
  readonly name: string;
  readonly unit: string;
  readonly points: readonly (readonly [tSeconds: number, value: number])[];
}

export interface Journal {
  readonly schema: typeof JOURNAL_SCHEMA;
  readonly runId: string;
  readonly tool: { readonly name: 'peakready'; readonly version: string };
  readonly scenario: { readonly name: string; readonly description: string; readonly file: string | undefined };
  readonly platform: string;
  readonly seed: number;
  readonly timeScale: number;
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  /** Epoch ms at which traffic started; every `t`/`atMs` is relative to it. */
  readonly trafficStartEpochMs: number | undefined;
  readonly status: RunStatus;
  readonly verdict: Verdict;
  /** Why the run aborted or errored, when it did. */
  readonly reason?: string;
  /** The kind of error that ended a run with status "error" (its exit code: 2 invalid input, 3 environment). */
  readonly errorCode?: ErrorCode;
  readonly phases: readonly { readonly name: string; readonly startMs: number; readonly endMs: number }[];
  readonly faults: readonly TimelineFault[];
  readonly events: readonly TimelineEvent[];
  readonly steadyState: { readonly before: readonly ProbeResult[]; readonly after: readonly ProbeResult[] };
  readonly endpoints: readonly EndpointResult[];
  readonly timeline: readonly SecondSample[];
  readonly series: readonly Series[];
  readonly slos: readonly SloResult[];
  /** Weighted share of SLOs met, 0..100. */
  readonly resilienceScore: number;
  readonly totals: { readonly requests: number; readonly errors: number; readonly dropped: number; readonly achievedRps: number; readonly targetRps: number };
  /** This run compared with an earlier one (`--baseline`); absent when no baseline was given. */
  readonly baseline?: BaselineComparison;
  /** Each injected fault's measured effect on the endpoints against the window before it (runner/findings.ts). */
  readonly faultEffects?: readonly FaultEffect[];
  /** What the run showed beyond the SLOs (a fault that did not bite, fallback serving outside faults); never changes the verdict. */
  readonly findings?: readonly Finding[];
}

/** Client-side figures of one endpoint over one window. `undefined` figures had no data. */
export interface EffectFigures {
  readonly requests: number;
  readonly errorRate: number | undefined;
  readonly p99Ms: number | undefined;
  readonly fallbackShare: number | undefined;
}

/** One endpoint during a fault next to the window of equal length before it. */
export interface EndpointEffect {
  readonly endpoint: string;
  readonly before: EffectFigures;
  readonly during: EffectFigures;
  /** Which figures moved measurably (e.g. ["error rate", "p99"]); empty = none. */
  readonly changed: readonly string[];
}

/** A fault's measured effect. `bit` is undefined when there was too little traffic to tell. */
export interface FaultEffect {
  readonly fault: string;
  readonly kind: string;
  readonly target: string;
  /** [from, to) ms from traffic start: the window judged, and the baseline before it. */
  readonly window: readonly [number, number];
  readonly baseline: readonly [number, number];
  readonly endpoints: readonly EndpointEffect[];
  readonly bit: boolean | undefined;
}

/** Something the user should know that no SLO said. */
export interface Finding {
  readonly kind: 'fault-did-not-bite' | 'fault-effect-unmeasured' | 'fallback-outside-faults';
  /** The fault id or the endpoint. */
  readonly subject: string;
  readonly message: string;
}

/** The figures a baseline comparison looks at; each has a direction that counts as worse. */
export type BaselineFigureKind = 'p99' | 'throughput' | 'error-rate' | 'fallback-share' | 'rollback-time';

/** One figure of this run next to the same figure of the baseline run. */
export interface BaselineFigure {
  readonly kind: BaselineFigureKind;
  /** What it is about: an endpoint for p99, a deploy id for rollback-time; absent for whole-run figures. */
  readonly scope?: string;
  /** Display name, e.g. "p99 (predict)", "rollback time (deploy-tabular-v2-bad)". */
  readonly name: string;
  /** ms for latency and rollback time, rps for throughput, a share 0..1 for rates. null: not measured in that run. */
  readonly baseline: number | null;
  readonly current: number | null;
  readonly unit: 'ms' | 'rps' | 'share';
  /** The change as text, e.g. "+12.4% (+3.1ms)", "+1.8pp". */
  readonly change: string;
  /** The allowed worsening as text, e.g. "+10%", "-5%", "+2pp", "+10s". */
  readonly tolerance: string;
  readonly regressed: boolean;
  /** Why a figure could not be compared, or what was odd about it. */
  readonly note?: string;
}

export interface BaselineComparison {
  readonly baseline: { readonly runId: string; readonly startedAt: string; readonly file: string; readonly scenario: string };
  /** Whether a regression fails the run (--fail-on-regression): JUnit shows failures, not skips. */
  readonly failOnRegression: boolean;
  readonly figures: readonly BaselineFigure[];
  /** How many figures regressed beyond their tolerance. */
  readonly regressions: number;
  /** Differences that make the comparison less meaningful (other scenario, time scale, seed, platform, unfinished run). */
  readonly notes: readonly string[];
}
