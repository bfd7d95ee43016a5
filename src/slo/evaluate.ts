/**
 * Evaluates SLOs after a run. Each SLO reads one source: client-side windows, platform
 * events (or the runner's series), or PromQL. An SLO without data fails with status
 * "no-data"; it never passes.
 */
import type { SloResult } from '../contract/journal.js';
import type { SloSpec } from '../scenario/slo-spec.js';
import { clientFirstHolding, clientOver, isClientMetric, MIN_REQUESTS_PER_WINDOW } from './client-source.js';
import { describeObserved, holds, type Observed } from './compare.js';
import type { EvaluationContext, PromMetric } from './context.js';
import { formatDuration, formatSeconds } from './duration.js';
import { formatObserved, formatSlo, formatThreshold, formatTiming, formatWindow, sloName } from './format.js';
import { promSignal, queryFor } from './prometheus-source.js';
import { restartTimes, restartsSince, rolloutSignal, seriesSignal } from './platform-source.js';
import type { StepSignal, TimingOutcome } from './step-signal.js';
import { resolveTiming, resolveWindow, runEndMs, windowLabel } from './windows.js';

type Source = SloResult['source'];

/** Where a non-client SLO's signal comes from, over a given range. */
type SignalFor = (fromMs: number, toMs: number) => Promise<{ signal: StepSignal; source: Source } | { problem: string; source: Source }>;

/** Evaluates every SLO (PromQL queries run concurrently). Results keep the order of `specs`. */
export async function evaluateSlos(specs: readonly SloSpec[], ctx: EvaluationContext): Promise<SloResult[]> {
  return Promise.all(specs.map((s) => evaluateSlo(s, ctx)));
}

function defaultSource(spec: SloSpec): Source {
  if (isClientMetric(spec.metric)) return 'client';
  return ['replicas', 'rollout-phase', 'restarts'].includes(spec.metric.kind) ? 'platform' : 'prometheus';
}

/** Evaluates one SLO; never throws (a failure to measure is "no-data"). */
export async function evaluateSlo(spec: SloSpec, ctx: EvaluationContext): Promise<SloResult> {
  const base = {
    name: sloName(spec),
    expression: formatSlo(spec, { flags: false }),
    threshold: `${spec.op} ${formatThreshold(spec.metric, spec.threshold)}`,
    advisory: spec.advisory === true,
    weight: spec.weight ?? 1,
  };
  const noData = (window: string, source: Source, detail: string): SloResult => ({
    ...base,
    status: 'no-data',
    observed: 'no data',
    window,
    source,
    detail,
  });
  const show = (v: Observed): string => describeObserved(v) ?? formatObserved(spec.metric, v as number);
  try {
    if (spec.timing) {
      const t = resolveTiming(spec.timing, ctx);
      if (!t.ok) return noData(t.label, defaultSource(spec), t.problem);
      const { outcome, source, problem } = await timingOutcome(spec, ctx, t.anchorMs, t.deadlineMs, t.sustainMs);
      if (outcome.kind === 'no-data') return noData(t.label, source, problem ?? 'no samples between the anchor and the deadline');
      if (outcome.kind === 'held') {
        const after = outcome.atMs - t.anchorMs;
        return {
          ...base,
          status: 'pass',
          observed: `after ${formatSeconds(after)}`,
          window: t.label,
          source,
          detail: `${show(outcome.value)} from ${formatSeconds(outcome.atMs)}, held for ${formatDuration(t.sustainMs)}`,
        };
      }
      return {
        ...base,
        status: 'fail',
        observed: `not within ${formatDuration(t.withinMs)}`,
        window: t.label,
        source,
        detail: `last value ${show(outcome.last)} at ${formatSeconds(outcome.lastMs)} (${formatSeconds(outcome.lastMs - t.anchorMs)} after the anchor); it must hold for ${formatDuration(t.sustainMs)}${isClientMetric(spec.metric) ? ` with at least ${MIN_REQUESTS_PER_WINDOW} requests a second` : ''}`,
      };
    }
    const w = resolveWindow(spec.window, ctx);
    if (!w.ok) return noData(w.label, defaultSource(spec), w.problem);
    const { value, source, problem } = await windowValue(spec, ctx, w.fromMs, w.toMs);
    if (value === undefined) return noData(w.label, source, problem ?? 'no samples in the window');
    const ok = holds(spec.op, value, spec.threshold);
    return { ...base, status: ok ? 'pass' : 'fail', observed: show(value), window: w.label, source };
  } catch (err) {
    let label: string;
    try {
      label = windowLabel(spec, ctx);
    } catch {
      label = spec.timing ? formatTiming(spec.timing) : formatWindow(spec.window) || 'whole run';
    }
    return noData(label, defaultSource(spec), `could not be measured: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function windowValue(
  spec: SloSpec,
  ctx: EvaluationContext,
  fromMs: number,
  toMs: number,
): Promise<{ value: Observed | undefined; source: Source; problem?: string }> {
  const m = spec.metric;
  if (isClientMetric(m)) {
    const v = clientOver(ctx.client, m, fromMs, toMs);
    return { value: v, source: 'client', ...(v === undefined ? { problem: 'no requests in the window carried what this metric needs' } : {}) };
  }
  if (m.kind === 'restarts') {
    const times = restartTimes(ctx, m.service);
    if (times !== undefined) return { value: times.filter((t) => t >= fromMs && t < toMs).length, source: 'platform' };
  }
  const s = await signalFor(spec, ctx)(fromMs, toMs);
  if ('problem' in s) return { value: undefined, source: s.source, problem: s.problem };
  return { value: s.signal.over(fromMs, toMs, spec.op, spec.threshold), source: s.source };
}

async function timingOutcome(
  spec: SloSpec,
  ctx: EvaluationContext,
  anchorMs: number,
  deadlineMs: number,
  sustainMs: number,
): Promise<{ outcome: TimingOutcome; source: Source; problem?: string }> {
  const m = spec.metric;
  if (isClientMetric(m)) {
    const outcome = clientFirstHolding(ctx.client, m, anchorMs, deadlineMs, spec.op, spec.threshold, sustainMs);
    return { outcome, source: 'client', ...(outcome.kind === 'no-data' ? { problem: 'no requests between the anchor and the deadline' } : {}) };
  }
  if (m.kind === 'restarts') {
    const times = restartTimes(ctx, m.service);
    if (times !== undefined) return { outcome: restartsSince(times, anchorMs).firstHolding(anchorMs, deadlineMs, spec.op, spec.threshold, sustainMs, runEndMs(ctx)), source: 'platform' };
  }
  // Prometheus is asked for the sustain period after the deadline too.
  const s = await signalFor(spec, ctx)(anchorMs, deadlineMs + sustainMs);
  if ('problem' in s) return { outcome: { kind: 'no-data' }, source: s.source, problem: s.problem };
  return { outcome: s.signal.firstHolding(anchorMs, deadlineMs, spec.op, spec.threshold, sustainMs, s.signal.knownUntil(runEndMs(ctx))), source: s.source };
}

/** Platform events first, then the runner's series, then PromQL. */
function signalFor(spec: SloSpec, ctx: EvaluationContext): SignalFor {
  const m = spec.metric;
  return async (fromMs, toMs) => {
    if (m.kind === 'rollout-phase') {
      const sig = rolloutSignal(ctx, m.service);
      return sig ? { signal: sig, source: 'platform' } : { problem: `no rollout events for "${m.service}"`, source: 'platform' };
    }
    // replicas(svc): ready replicas as the platform's status reports them (the runner's
    // sampled series), never the autoscaler's decision (`replicas` events).
    const series = seriesSignal(ctx, m);
    if (series) return { signal: series, source: 'platform' };
    const query = isClientMetric(m) ? undefined : queryFor(m as PromMetric, ctx);
    if (query === undefined) return { problem: `no platform data and no PromQL query for ${m.kind}`, source: defaultSource(spec) };
    if (!ctx.prometheus) return { problem: `needs Prometheus (query ${query}) and none was configured`, source: 'prometheus' };
    const signal = await promSignal(ctx, query, fromMs, toMs, spec.op, spec.threshold);
    return signal.empty ? { problem: `PromQL ${query} returned no samples`, source: 'prometheus' } : { signal, source: 'prometheus' };
  };
}
