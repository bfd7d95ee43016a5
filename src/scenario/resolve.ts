/**
 * Resolution: a validated `Scenario` becomes the `ResolvedScenario` a run uses — defaults
 * filled, durations in milliseconds, the time scale applied to the timeline and the rate
 * scale to arrival rates.
 */
import type { ResolvedFault } from './fault-spec.js';
import type { ResolvedPhase, ResolvedScenario, ResolvedStage, ResolvedTraffic, Scenario } from './types.js';
import { parseDuration } from './duration.js';
import { validateScenario } from './validate.js';

export interface ResolveOptions {
  /** Multiplies every timeline duration (stages, fault at/for, event at, drift, halt `for`). Default 1. */
  readonly timeScale?: number;
  /** Multiplies every arrival rate. Default 1. */
  readonly rateScale?: number;
  /** Path shown in messages and kept in the result. */
  readonly file?: string;
}

const DEFAULTS = { preAllocated: 50, maxInFlight: 1000, timeout: '10s', timeUnit: '1s', target: 'gateway' } as const;

function resolveTraffic(s: Scenario, ts: number, rs: number): { traffic: ResolvedTraffic; phases: ResolvedPhase[] } {
  const t = s.traffic;
  // Request timeouts and think time are per-request behaviour, not timeline: not scaled.
  const timeoutMs = parseDuration(t.timeout ?? DEFAULTS.timeout, 'traffic.timeout');
  if (t.executor === 'vus') {
    const durationMs = parseDuration(t.duration, 'traffic.duration') * ts;
    const thinkTimeMs = t.thinkTime
      ? { min: parseDuration(t.thinkTime.min), max: parseDuration(t.thinkTime.max) }
      : { min: 0, max: 0 };
    return { traffic: { executor: 'vus', vus: t.vus, durationMs, thinkTimeMs, timeoutMs }, phases: [] };
  }
  const perSecond = (1000 / parseDuration(t.timeUnit ?? DEFAULTS.timeUnit, 'traffic.timeUnit')) * rs;
  const stages: ResolvedStage[] = [];
  const phases: ResolvedPhase[] = [];
  let startMs = 0;
  let previous = (t.startRate ?? 0) * perSecond;
  t.stages.forEach((st, i) => {
    const durationMs = parseDuration(st.duration, `traffic.stages[${i}].duration`) * ts;
    const toRate = st.rate * perSecond;
    const fromRate = (st.shape ?? 'constant') === 'ramp' ? previous : toRate;
    const name = st.name ?? `stage-${i + 1}`;
    stages.push({ name, startMs, durationMs, fromRate, toRate });
    if (st.name !== undefined) {
      const last = phases[phases.length - 1];
      // Consecutive stages with one name (a ramp then a hold) form one phase.
      if (last && last.name === st.name && last.endMs === startMs) phases[phases.length - 1] = { ...last, endMs: startMs + durationMs };
      else phases.push({ name: st.name, startMs, endMs: startMs + durationMs });
    }
    startMs += durationMs;
    previous = toRate;
  });
  const maxInFlight = t.maxInFlight ?? Math.max(DEFAULTS.maxInFlight, t.preAllocated ?? 0);
  return {
    traffic: { executor: 'arrival-rate', stages, preAllocated: Math.min(t.preAllocated ?? DEFAULTS.preAllocated, maxInFlight), maxInFlight, timeoutMs, durationMs: startMs },
    phases,
  };
}

/**
 * Validates (every problem at once, INVALID_INPUT) and resolves a scenario.
 * SLO window durations stay strings; the SLO evaluator scales them by `timeScale`.
 */
export function resolveScenario(s: Scenario, opts: ResolveOptions = {}): ResolvedScenario {
  const file = opts.file;
  validateScenario(s, file ?? `scenario '${String((s as { name?: unknown })?.name ?? '?')}'`);
  const ts = opts.timeScale ?? 1;
  const rs = opts.rateScale ?? 1;
  const { traffic, phases } = resolveTraffic(s, ts, rs);
  const faults: ResolvedFault[] = (s.faults ?? []).map((f) => ({
    id: f.id ?? `${f.kind}-${f.target}`,
    kind: f.kind,
    target: f.target,
    atMs: parseDuration(f.at) * ts,
    durationMs: f.for === undefined ? 0 : parseDuration(f.for) * ts,
    params: f.params ?? {},
  }));
  const events = (s.events ?? []).map((e) => ({
    id: e.id ?? `deploy-${e.service}-${e.version}`,
    kind: e.kind,
    atMs: parseDuration(e.at) * ts,
    service: e.service,
    version: e.version,
  }));
  const drift = s.drift
    ? { startAtMs: parseDuration(s.drift.startAt) * ts, rampForMs: parseDuration(s.drift.rampFor ?? '0s') * ts, shift: s.drift.shift }
    : undefined;
  return {
    name: s.name,
    description: s.description ?? '',
    file,
    target: s.target ?? DEFAULTS.target,
    traffic,
    mix: s.mix,
    drift,
    phases,
    faults,
    events,
    slos: s.slos ?? [],
    steadyState: s.steadyState ?? [],
    safety: {
      halt: (s.safety?.halt ?? []).map((h) => ({ ...h, forMs: parseDuration(h.for) * ts })),
      allowRemoteTarget: s.safety?.allowRemoteTarget ?? false,
    },
    stack: s.stack ?? {},
    timeScale: ts,
  };
}
