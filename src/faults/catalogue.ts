/**
 * The fault vocabulary in one place: for every kind, which targets it supports on each
 * platform, which parameters it reads, their defaults, and their resolution into typed
 * values (milliseconds, bytes per second, fractions). Validation (`peakready validate`,
 * `peakready run` before anything starts), the local back ends, the Chaos Mesh back end and
 * the console's inject form all read this table; adding a kind starts here.
 */
import { invalidInput } from '../contract/errors.js';
import { tryParseDuration } from '../scenario/duration.js';
import { REFERENCE_SERVICES } from '../scenario/reference-stack.js';
import { FAULT_KINDS, type FaultKind, type FaultParams, type ResolvedFault } from '../scenario/fault-spec.js';

export type FaultPlatform = 'local' | 'kubernetes';

/** The reference stack's model-serving services (each has its own proxy locally, pods on Kubernetes). */
export const APP_TARGETS: readonly string[] = REFERENCE_SERVICES;

/** A parameter as the scenario writes it, with its default in the scenario's own terms. */
export interface ParamSpec {
  readonly name: keyof FaultParams;
  /** "duration" takes text like "300ms"; "number" a number. */
  readonly type: 'duration' | 'number';
  readonly default: string | number;
  /** What a valid value is, for messages: "0..1", "an integer 100..599". */
  readonly expected: string;
  readonly valid: (v: unknown) => boolean;
  readonly help: string;
}

const isDuration = (v: unknown) => tryParseDuration(v) !== undefined;
const inRange = (min: number, max: number, int = false) => (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!int || Number.isInteger(v));

const P = {
  latency: { name: 'latency', type: 'duration', default: '300ms', expected: 'a duration like "300ms"', valid: isDuration, help: 'added delay' },
  jitter: { name: 'jitter', type: 'duration', default: '0ms', expected: 'a duration like "50ms"', valid: isDuration, help: '± uniform jitter' },
  fraction: { name: 'fraction', type: 'number', default: 1, expected: '0..1', valid: inRange(0, 1), help: 'share of requests affected' },
  status: { name: 'status', type: 'number', default: 503, expected: 'an integer 100..599', valid: inRange(100, 599, true), help: 'HTTP status answered' },
  rate: { name: 'rate', type: 'number', default: 10_240, expected: 'a number of bytes per second > 0', valid: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0, help: 'bytes per second, total' },
  workers: { name: 'workers', type: 'number', default: 1, expected: 'an integer >= 1', valid: inRange(1, 1024, true), help: 'busy workers' },
  load: { name: 'load', type: 'number', default: 80, expected: 'a number 1..100 (percent)', valid: inRange(1, 100), help: 'percent of each worker busy' },
  count: { name: 'count', type: 'number', default: 1, expected: 'an integer >= 1', valid: inRange(1, 1000, true), help: 'replicas to kill' },
} as const satisfies Record<string, ParamSpec>;

export interface KindSpec {
  readonly kind: FaultKind;
  /** Parameters the kind reads; any other is a mistake. */
  readonly params: readonly ParamSpec[];
  /** Valid targets per platform. */
  readonly targets: Readonly<Record<FaultPlatform, readonly string[]>>;
  /** Acts once (no duration needed). */
  readonly instantaneous: boolean;
}

const APP: readonly string[] = APP_TARGETS;
const APP_AND_REDIS: readonly string[] = [...APP_TARGETS, 'redis'];
const both = (t: readonly string[]) => ({ local: t, kubernetes: t });

/** Every kind: its parameters and the targets it supports on each platform. */
export const FAULT_CATALOGUE: Readonly<Record<FaultKind, KindSpec>> = {
  'kill-replica': { kind: 'kill-replica', params: [P.count], targets: { local: APP, kubernetes: APP_AND_REDIS }, instantaneous: true },
  unavailable: { kind: 'unavailable', params: [], targets: both(APP_AND_REDIS), instantaneous: false },
  // Network faults on redis act on the gateway→Redis TCP connection locally, on the Redis pod (NetworkChaos) on Kubernetes.
  latency: { kind: 'latency', params: [P.latency, P.jitter, P.fraction], targets: both(APP_AND_REDIS), instantaneous: false },
  // HTTP only: Redis speaks RESP.
  errors: { kind: 'errors', params: [P.status, P.fraction], targets: both(APP), instantaneous: false },
  reset: { kind: 'reset', params: [P.fraction], targets: both(APP_AND_REDIS), instantaneous: false },
  partition: { kind: 'partition', params: [], targets: both(APP_AND_REDIS), instantaneous: false },
  bandwidth: { kind: 'bandwidth', params: [P.rate], targets: both(APP_AND_REDIS), instantaneous: false },
  'cpu-stress': { kind: 'cpu-stress', params: [P.workers, P.load], targets: both(APP), instantaneous: false },
  'redis-outage': { kind: 'redis-outage', params: [], targets: both(['redis']), instantaneous: false },
};

/** Parameters resolved into the units the back ends use; defaults filled. */
export interface ResolvedFaultParams {
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** 0..1 */
  readonly fraction: number;
  readonly status: number;
  readonly bytesPerSecond: number;
  readonly workers: number;
  /** percent 1..100 */
  readonly load: number;
  readonly count: number;
}

function value(params: FaultParams, spec: ParamSpec): unknown {
  return params[spec.name] ?? spec.default;
}

/**
 * The kind's parameters in typed units, defaults filled. Throws INVALID_INPUT naming
 * `faults.<id>.params.<field>` for a value the kind cannot use (validation found it first
 * for a scenario; `chaos inject` and the console come here directly).
 */
export function resolveFaultParams(fault: Pick<ResolvedFault, 'id' | 'kind' | 'params'>): ResolvedFaultParams {
  const p = fault.params;
  // Values only: a parameter the kind does not read is the scenario check's to report.
  const problems = faultProblems({ kind: fault.kind, target: undefined, durationMs: 1, params: p }, `faults.${fault.id}`, 'local').filter((m) => !m.includes(' does not read '));
  if (problems.length > 0) throw invalidInput(problems.join('; '), problems);
  const ms = (spec: ParamSpec) => tryParseDuration(value(p, spec)) ?? (tryParseDuration(spec.default) as number);
  return {
    latencyMs: ms(P.latency),
    jitterMs: ms(P.jitter),
    fraction: value(p, P.fraction) as number,
    status: value(p, P.status) as number,
    bytesPerSecond: value(p, P.rate) as number,
    workers: value(p, P.workers) as number,
    load: value(p, P.load) as number,
    count: value(p, P.count) as number,
  };
}

/** A fault as the scenario wrote it (only the fields checked here). */
export interface FaultInput {
  readonly kind: unknown;
  readonly target: unknown;
  readonly for?: unknown;
  readonly durationMs?: number;
  readonly params?: unknown;
}

/** The services of a stack other than the reference one: its own services, and whether it has a Redis. */
export interface StackTargets {
  readonly services: readonly string[];
  readonly redis: boolean;
}

/**
 * The targets a kind supports on `platform`: the reference stack's from the catalogue, or,
 * for a stack definition, its services wherever the kind acts on model services and "redis"
 * where the kind acts on Redis and the stack has one.
 */
export function kindTargets(kind: FaultKind, platform: FaultPlatform, stack?: StackTargets): readonly string[] {
  const targets = FAULT_CATALOGUE[kind].targets[platform];
  if (!stack) return targets;
  return [...(targets.some((t) => t !== 'redis') ? stack.services : []), ...(stack.redis && targets.includes('redis') ? ['redis'] : [])];
}

/**
 * Every problem of one fault on `platform`, each as `<path>.<field>: …` (the caller prefixes
 * the file). Names the valid targets and the kind's parameters.
 */
export function faultProblems(f: FaultInput, path: string, platform: FaultPlatform, stack?: StackTargets): string[] {
  const out: string[] = [];
  if (typeof f.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(f.kind)) return out; // the scenario check names it
  const spec = FAULT_CATALOGUE[f.kind as FaultKind];
  const targets = kindTargets(f.kind as FaultKind, platform, stack);
  if (typeof f.target === 'string' && !targets.includes(f.target)) {
    out.push(`${path}.target: ${f.kind} on the ${platform} platform supports ${targets.length ? targets.join(', ') : 'no service of this stack'}; got ${JSON.stringify(f.target)}`);
  }
  if (!spec.instantaneous && f.for === undefined && !((f.durationMs ?? 0) > 0)) {
    out.push(`${path}.for: ${f.kind} needs a duration like "30s" (only kill-replica acts once)`);
  }
  const params = (typeof f.params === 'object' && f.params !== null ? f.params : {}) as Record<string, unknown>;
  const known = new Set(spec.params.map((s) => s.name as string));
  for (const [name, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (!known.has(name)) {
      out.push(`${path}.params.${name}: ${f.kind} does not read "${name}"; it reads ${spec.params.length ? spec.params.map((s) => s.name).join(', ') : 'no parameters'}`);
      continue;
    }
    const ps = spec.params.find((s) => s.name === name)!;
    if (!ps.valid(v)) out.push(`${path}.params.${name}: expected ${ps.expected}, got ${JSON.stringify(v)}`);
  }
  return out;
}

/** One line per kind for `chaos list` and the console: what it reads, with defaults. */
export function describeParams(kind: FaultKind): string {
  const ps = FAULT_CATALOGUE[kind].params;
  return ps.length === 0 ? 'no parameters' : ps.map((s) => `${s.name}=${String(s.default)} (${s.help})`).join(', ');
}
