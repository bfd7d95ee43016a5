/**
 * What SLO evaluation reads: the client-side windows of the load run, the run's timeline
 * (phases, faults, events in ms from traffic start), platform events (epoch ms) and,
 * optionally, the platform's Prometheus. Nothing here runs load or touches the stack.
 */
import type { Series, TimelineEvent, TimelineFault } from '../contract/journal.js';
import type { LoadWindows } from '../contract/load-windows.js';
import type { PlatformEvent } from '../contract/platform-events.js';
import type { SloMetric } from '../scenario/slo-spec.js';

export interface TimelinePhase {
  readonly name: string;
  /** ms from traffic start. */
  readonly startMs: number;
  readonly endMs: number;
}

export interface EvaluationTimeline {
  readonly phases: readonly TimelinePhase[];
  readonly faults: readonly TimelineFault[];
  /**
   * Events an SLO can anchor on. An SLO's `event:ID` matches `data.id === ID`, else
   * `type === ID`; the first match counts. Deploy events should carry `data.id`
   * (e.g. "deploy-tabular-v2-bad").
   */
  readonly events: readonly TimelineEvent[];
}

/** Metric kinds read from Prometheus, and the query used for each (overridable). */
export type PromMetric = Extract<SloMetric, { kind: 'breaker-state' | 'replicas' | 'model-accuracy' | 'drift' | 'restarts' | 'promql' }>;

export interface EvaluationContext {
  readonly client: LoadWindows;
  readonly timeline: EvaluationTimeline;
  /** Platform events with epoch-ms timestamps. */
  readonly platformEvents: readonly PlatformEvent[];
  /** Epoch ms at which traffic started; timeline offsets are relative to it. */
  readonly trafficStartEpochMs: number;
  /** When present, breaker state, accuracy, drift (and replicas/restarts without platform events) come from here. */
  readonly prometheus?: { readonly url: string; readonly timeoutMs?: number };
  /** Server-side series sampled by the runner (journal.series); a source for replicas/breaker when named as in `seriesName`. */
  readonly series?: readonly Series[];
  /** SLO durations ("within 30s", "for 2m") are multiplied by this (--time-scale). Default 1. */
  readonly timeScale?: number;
  /** Overrides the PromQL used for a metric kind (see DEFAULT_QUERIES in prometheus-source.ts). */
  readonly queries?: Partial<{ readonly [K in PromMetric['kind']]: (metric: Extract<PromMetric, { kind: K }>) => string }>;
}
