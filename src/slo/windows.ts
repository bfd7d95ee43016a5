/**
 * Turns an SLO's window or timing anchor into milliseconds from traffic start, with the
 * words reports show ("phase flash-sale [60.0s, 90.0s)").
 */
import type { SloSpec, SloTiming, SloWindow } from '../scenario/slo-spec.js';
import type { TimelineEvent } from '../contract/journal.js';
import type { EvaluationContext } from './context.js';
import { durationMs, formatDuration, formatSeconds } from './duration.js';

/** A timing assertion's condition must hold this long by default (and, for client metrics, over at least 5 requests a second). */
export const DEFAULT_SUSTAIN_MS = 1000;

export type ResolvedRange =
  | { readonly ok: true; readonly fromMs: number; readonly toMs: number; readonly label: string }
  | { readonly ok: false; readonly label: string; readonly problem: string };

export type ResolvedTiming =
  | {
      readonly ok: true;
      readonly anchorMs: number;
      readonly deadlineMs: number;
      readonly withinMs: number;
      /** How long the condition must hold once it first does. */
      readonly sustainMs: number;
      readonly label: string;
    }
  | { readonly ok: false; readonly label: string; readonly problem: string };

/** End of the run as the timeline knows it: traffic duration, or the last phase's end. */
export function runEndMs(ctx: EvaluationContext): number {
  return Math.max(ctx.client.durationMs, ...ctx.timeline.phases.map((p) => p.endMs), 0);
}

/** Finds an event by id: `data.id` first, then `type`. */
export function findEvent(events: readonly TimelineEvent[], id: string): TimelineEvent | undefined {
  return events.find((e) => e.data?.['id'] === id) ?? events.find((e) => e.type === id);
}

function scaled(ctx: EvaluationContext, d: string): number {
  return durationMs(d) * (ctx.timeScale ?? 1);
}

/** A scaled duration as reports show it: "30s", or "30s (×0.1 = 3s)" under --time-scale. */
export function scaledLabel(ctx: EvaluationContext, d: string): string {
  const f = ctx.timeScale ?? 1;
  return f === 1 ? d : `${d} (×${f} = ${formatDuration(durationMs(d) * f)})`;
}

const range = (fromMs: number, toMs: number): string => `[${formatSeconds(fromMs)}, ${formatSeconds(toMs)})`;

export function resolveWindow(window: SloWindow | undefined, ctx: EvaluationContext): ResolvedRange {
  const w = window ?? { kind: 'run' };
  const { phases, faults, events } = ctx.timeline;
  switch (w.kind) {
    case 'run': {
      const end = runEndMs(ctx);
      return { ok: true, fromMs: 0, toMs: end, label: `whole run ${range(0, end)}` };
    }
    case 'phase': {
      const p = phases.find((x) => x.name === w.phase);
      if (!p) return { ok: false, label: `phase ${w.phase}`, problem: `phase "${w.phase}" is not on the run's timeline` };
      return { ok: true, fromMs: p.startMs, toMs: p.endMs, label: `phase ${w.phase} ${range(p.startMs, p.endMs)}` };
    }
    case 'during-fault': {
      const f = faults.find((x) => x.id === w.fault);
      const label = `during fault ${w.fault}`;
      if (!f) return { ok: false, label, problem: `fault "${w.fault}" did not happen in this run` };
      if (f.endMs <= f.startMs) return { ok: false, label, problem: `fault "${w.fault}" is instantaneous; use a timing or "for DUR after fault:${w.fault}"` };
      return { ok: true, fromMs: f.startMs, toMs: f.endMs, label: `${label} ${range(f.startMs, f.endMs)}` };
    }
    case 'after-event': {
      const e = findEvent(events, w.event);
      const label = `${scaledLabel(ctx, w.for)} after event ${w.event}`;
      if (!e) return { ok: false, label, problem: `event "${w.event}" did not happen in this run` };
      const to = e.atMs + scaled(ctx, w.for);
      return { ok: true, fromMs: e.atMs, toMs: to, label: `${label} ${range(e.atMs, to)}` };
    }
    case 'after-fault': {
      const f = faults.find((x) => x.id === w.fault);
      const label = `${scaledLabel(ctx, w.for)} after fault ${w.fault} ends`;
      if (!f) return { ok: false, label, problem: `fault "${w.fault}" did not happen in this run` };
      const to = f.endMs + scaled(ctx, w.for);
      return { ok: true, fromMs: f.endMs, toMs: to, label: `${label} ${range(f.endMs, to)}` };
    }
  }
}

export function resolveTiming(timing: SloTiming, ctx: EvaluationContext): ResolvedTiming {
  const a = timing.anchor;
  const withinMs = scaled(ctx, timing.within);
  const within = scaledLabel(ctx, timing.within);
  let anchorMs: number | undefined;
  let label: string;
  if ('fault' in a) {
    label = `within ${within} after fault ${a.fault} ${a.edge === 'start' ? 'starts' : 'ends'}`;
    const f = ctx.timeline.faults.find((x) => x.id === a.fault);
    anchorMs = f && (a.edge === 'start' ? f.startMs : f.endMs);
    if (anchorMs === undefined) return { ok: false, label, problem: `fault "${a.fault}" did not happen in this run` };
  } else if ('event' in a) {
    label = `within ${within} after event ${a.event}`;
    anchorMs = findEvent(ctx.timeline.events, a.event)?.atMs;
    if (anchorMs === undefined) return { ok: false, label, problem: `event "${a.event}" did not happen in this run` };
  } else {
    label = `within ${within} after phase ${a.phase} ${a.edge === 'start' ? 'starts' : 'ends'}`;
    const p = ctx.timeline.phases.find((x) => x.name === a.phase);
    anchorMs = p && (a.edge === 'start' ? p.startMs : p.endMs);
    if (anchorMs === undefined) return { ok: false, label, problem: `phase "${a.phase}" is not on the run's timeline` };
  }
  // The default guards against noise, not scenario time: it does not scale with --time-scale.
  const sustainMs = timing.for === undefined ? DEFAULT_SUSTAIN_MS : Math.max(scaled(ctx, timing.for), 1);
  const held = timing.for === undefined ? '' : `, held for ${scaledLabel(ctx, timing.for)}`;
  return { ok: true, anchorMs, deadlineMs: anchorMs + withinMs, withinMs, sustainMs, label: `${label}${held} (at ${formatSeconds(anchorMs)})` };
}

/** The label of an SLO's window or timing without resolving it (for SLOs that cannot be evaluated). */
export function windowLabel(spec: SloSpec, ctx: EvaluationContext): string {
  return spec.timing ? resolveTiming(spec.timing, ctx).label : resolveWindow(spec.window, ctx).label;
}
