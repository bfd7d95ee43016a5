/**
 * The wrk-like form (`peakready load --target URL --connections 64 --duration 8s`): one
 * fixed request, closed model over N connections, or open model at `--rate`.
 */
import type { ResolvedScenario, ResolvedTraffic } from '../scenario/types.js';

export interface FixedLoadOptions {
  readonly connections: number;
  readonly durationMs: number;
  /** Requests per second (open model); closed model when undefined. */
  readonly rate?: number;
  readonly timeoutMs: number;
}

/** The traffic of the wrk-like form. In the open model `connections` caps in-flight requests. */
export function fixedTraffic(o: FixedLoadOptions): ResolvedTraffic {
  if (o.rate === undefined) return { executor: 'vus', vus: o.connections, durationMs: o.durationMs, thinkTimeMs: { min: 0, max: 0 }, timeoutMs: o.timeoutMs };
  return {
    executor: 'arrival-rate',
    stages: [{ name: 'constant', startMs: 0, durationMs: o.durationMs, fromRate: o.rate, toRate: o.rate }],
    preAllocated: o.connections,
    maxInFlight: o.connections,
    timeoutMs: o.timeoutMs,
    durationMs: o.durationMs,
  };
}

/** A ResolvedScenario around a traffic profile, with an empty mix (the caller supplies a source). */
export function bareScenario(name: string, traffic: ResolvedTraffic): ResolvedScenario {
  return {
    name,
    description: '',
    file: undefined,
    target: '',
    traffic,
    mix: {},
    drift: undefined,
    phases: [],
    faults: [],
    events: [],
    slos: [],
    steadyState: [],
    safety: { halt: [], allowRemoteTarget: false },
    stack: {},
    timeScale: 1,
  };
}

/** Worker `index` of `count`'s share of a traffic profile: rates, users and slots divided. */
export function trafficShare(t: ResolvedTraffic, index: number, count: number): ResolvedTraffic {
  const split = (n: number): number => Math.floor(n / count) + (index < n % count ? 1 : 0);
  if (t.executor === 'vus') return { ...t, vus: split(t.vus) };
  return {
    ...t,
    stages: t.stages.map((s) => ({ ...s, fromRate: s.fromRate / count, toRate: s.toRate / count })),
    preAllocated: Math.max(1, split(t.preAllocated)),
    maxInFlight: Math.max(1, split(t.maxInFlight)),
  };
}
