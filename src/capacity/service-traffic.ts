/**
 * Which of the scenario's traffic reaches the service under test, and how it gets there.
 *
 * - `direct` (local platform, and any service other than the gateway): the mix entries whose
 *   gateway route uses the service are rewritten into the service's own protocol (what the
 *   gateway would send it) and sent to the service's proxy URL, which balances its replicas
 *   like a Kubernetes Service. The gateway's fallback, breaker, cache and bulkhead would
 *   otherwise hide the service's saturation behind 200s from the fallback model.
 * - `gateway` (the gateway itself, and every service on Kubernetes, whose Services are not
 *   reachable from the harness host): the same mix entries go to the gateway route unchanged;
 *   on Kubernetes the run switches off fallback, breaker, cache and the HPAs so saturation
 *   shows as errors and latency instead of being absorbed.
 * - `entry` (a team's own stack, described by a stack file): the whole mix, unchanged, to the
 *   stack's entry service (entryMix).
 */
import { REFERENCE_ROLES, REFERENCE_SERVICES, REFERENCE_STACK, type ReferenceRole } from '../scenario/reference-stack.js';
import type { MixEntry, RequestContext, RequestInit } from '../scenario/types.js';

/** Services of the reference stack a capacity search can measure (scenario/reference-stack.ts). */
export const CAPACITY_SERVICES: readonly string[] = REFERENCE_SERVICES;
/** One of CAPACITY_SERVICES. */
export type CapacityService = string;

const NO_ROLE: ReferenceRole = { routes: {}, native: [], simulator: false, generates: false, seedMetric: false };
const roleOf = (service: string): ReferenceRole => REFERENCE_ROLES[service] ?? NO_ROLE;

const stripQuery = (path: string): string => path.split('?')[0]!.replace(/\/+$/, '') || '/';

/** A deterministic context to learn an entry's path without touching the run's random stream. */
function probeContext(): RequestContext {
  let s = 12345;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return {
    rng: { next, int: (a, b) => a + Math.floor(next() * (b - a + 1)), normal: () => 0, pick: (items) => items[Math.floor(next() * items.length)]! },
    iteration: 0,
    elapsedMs: 0,
    drift: 0,
    features: (n) => Array.from({ length: n }, next),
  };
}

export type EntryKind = 'route' | 'native';

/** How an entry's requests relate to the service: through a gateway route, natively, or not at all. */
export function classifyEntry(service: CapacityService, entry: MixEntry): EntryKind | undefined {
  if (service === REFERENCE_STACK.entry) return 'route';
  let path: string;
  try {
    path = stripQuery(entry.request(probeContext()).path);
  } catch {
    return undefined;
  }
  const role = roleOf(service);
  if (Object.hasOwn(role.routes, path)) return 'route';
  if (role.native.some((p) => path.startsWith(p))) return 'native';
  return undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown): number[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined);

function infer(model: string, rows: readonly (readonly number[])[], width: number): RequestInit {
  const data = rows.flatMap((r) => r.slice(0, width));
  return { method: 'POST', path: `/v2/models/${model}/infer`, body: { inputs: [{ name: 'input-0', shape: [rows.length, width], datatype: 'FP32', data }] } };
}

/**
 * Rewrites a gateway request into what the gateway would send the service for that route
 * (its role's upstream call: KServe v2 infer for the models, /v1/completions for the
 * generative one). Bodies of an unexpected shape are sent unchanged: the service's 4xx then
 * shows up as errors in the step.
 */
export function toServiceRequest(service: CapacityService, req: RequestInit): RequestInit {
  const call = roleOf(service).routes[stripQuery(req.path)];
  const body = req.body;
  if (!call || !isObj(body)) return req;
  if ('completions' in call) {
    if (typeof body.prompt !== 'string') return req;
    return {
      method: 'POST',
      path: '/v1/completions',
      body: { prompt: body.prompt, ...(body.max_tokens === undefined ? {} : { max_tokens: body.max_tokens }), ...(body.stream === undefined ? {} : { stream: body.stream }) },
    };
  }
  if (call.rows === 'one') {
    const features = numbers(body.features);
    return features ? infer(call.infer, [features], call.width) : req;
  }
  const batchRows = Array.isArray(body.instances) ? body.instances.map((i) => (isObj(i) ? numbers(i.features) : undefined)) : undefined;
  return batchRows && batchRows.every((r): r is number[] => r !== undefined) ? infer(call.infer, batchRows, call.width) : req;
}

export interface ServiceMix {
  readonly mix: Readonly<Record<string, MixEntry>>;
  /** Entry names kept (the endpoints of the step results). */
  readonly endpoints: readonly string[];
  /** Entry names left out because their requests do not reach the service. */
  readonly skipped: readonly string[];
}

/**
 * The scenario's mix reduced to the entries that reach `service`, rewritten for `mode`.
 * `direct` needs gateway-route entries translated and keeps native ones; `gateway` keeps
 * route entries unchanged (native paths do not exist on the gateway).
 */
export function serviceMix(service: CapacityService, mix: Readonly<Record<string, MixEntry>>, mode: 'direct' | 'gateway'): ServiceMix {
  const out: Record<string, MixEntry> = {};
  const skipped: string[] = [];
  for (const [name, entry] of Object.entries(mix)) {
    const kind = classifyEntry(service, entry);
    if (kind === undefined || (mode === 'gateway' && kind === 'native')) {
      skipped.push(name);
      continue;
    }
    out[name] = mode === 'direct' && kind === 'route' ? { weight: entry.weight, request: (ctx) => toServiceRequest(service, entry.request(ctx)) } : entry;
  }
  return { mix: out, endpoints: Object.keys(out), skipped };
}

/**
 * The traffic of a search on a team's own stack (a stack definition): the scenario's whole
 * mix, unchanged, to the stack's entry service. peakready does not know the stack's routes,
 * so nothing is classified or rewritten; the service under test is measured behind its entry.
 */
export function entryMix(mix: Readonly<Record<string, MixEntry>>): ServiceMix {
  return { mix, endpoints: Object.keys(mix), skipped: [] };
}

/** What a user should add to the mix when nothing reaches the service. */
export function expectedPaths(service: CapacityService): string {
  const role = roleOf(service);
  const paths = [...Object.keys(role.routes), ...role.native.map((p) => `${p}…`)];
  return paths.length > 0 ? paths.join(', ') : 'any gateway route';
}
