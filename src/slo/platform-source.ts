/**
 * Platform-side signals: ready replicas and breaker states from the runner's sampled series
 * (Platform.status(), once a second), rollout phases from platform events, restarts counted
 * from the sampled restart counts or restart events.
 */
import type { PlatformEvent } from '../contract/platform-events.js';
import type { SloMetric } from '../scenario/slo-spec.js';
import type { EvaluationContext } from './context.js';
import { StepSignal, type StepPoint } from './step-signal.js';

/**
 * Name of a journal series the runner samples for a metric: "replicas:tabular" (replicas
 * ready and serving), "breaker:tabular".
 */
export function seriesName(metric: SloMetric): string | undefined {
  if (metric.kind === 'replicas') return `replicas:${metric.service}`;
  if (metric.kind === 'breaker-state') return `breaker:${metric.upstream}`;
  return undefined;
}

const rel = (ctx: EvaluationContext, t: number): number => t - ctx.trafficStartEpochMs;

/** Rollout phase and canary weight over time from `rollout` events. */
export function rolloutSignal(ctx: EvaluationContext, service: string): StepSignal | undefined {
  const points: StepPoint[] = ctx.platformEvents
    .filter((e): e is Extract<PlatformEvent, { type: 'rollout' }> => e.type === 'rollout' && e.service === service)
    .map((e) => ({ tMs: rel(ctx, e.t), value: { phase: e.phase, weight: e.weight } }));
  return points.length === 0 ? undefined : new StepSignal(points);
}

/**
 * Restart times of a service (ms from traffic start), from the runner's cumulative
 * `restarts:<service>` series (each increase is a restart), else from `restart` platform
 * events. Undefined when neither source reports restarts at all: "no restart events" from a
 * platform that never sends them means "not observed", not "zero restarts".
 */
export function restartTimes(ctx: EvaluationContext, service: string): number[] | undefined {
  const series = ctx.series?.find((x) => x.name === `restarts:${service}`);
  if (series && series.points.length > 0) {
    const times: number[] = [];
    const pts = [...series.points].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < pts.length; i++) {
      const delta = pts[i]![1] - pts[i - 1]![1];
      for (let k = 0; k < delta; k++) times.push(pts[i]![0] * 1000);
    }
    return times;
  }
  if (!ctx.platformEvents.some((e) => e.type === 'restart')) return undefined;
  return ctx.platformEvents.filter((e) => e.type === 'restart' && e.service === service).map((e) => rel(ctx, e.t));
}

/** Restarts as a cumulative count since `sinceMs`, as a step signal (for timing assertions). */
export function restartsSince(times: readonly number[], sinceMs: number): StepSignal {
  const after = times.filter((t) => t > sinceMs).sort((a, b) => a - b);
  return new StepSignal(
    after.map((t, i) => ({ tMs: t, value: i + 1 })),
    0,
  );
}

/** A runner-sampled series (journal.series, t in seconds) as a step signal. */
export function seriesSignal(ctx: EvaluationContext, metric: SloMetric): StepSignal | undefined {
  const name = seriesName(metric);
  const s = name === undefined ? undefined : ctx.series?.find((x) => x.name === name);
  if (!s || s.points.length === 0) return undefined;
  return new StepSignal(
    s.points.map(([t, v]) => ({ tMs: t * 1000, value: v })),
    undefined,
    true,
  );
}
