/**
 * The Chaos Mesh back end of the fault vocabulary: one template per fault kind, rendered
 * with the run id label, selectors limited to the target namespace, and always a duration.
 */
import type { FaultKind, ResolvedFault } from '../../scenario/fault-spec.js';
import type { K8sObject } from '../../contract/k8s-objects.js';
import { invalidInput } from '../../contract/errors.js';
import { resolveFaultParams } from '../catalogue.js';
import { renderChaosTemplate, type TemplateValues } from './chaos-template.js';
import { REFERENCE_SERVICE_PORTS } from '../../scenario/reference-stack.js';

/** Which template under chaos/ carries each fault kind. */
export const TEMPLATE_FOR_KIND: Readonly<Record<FaultKind, string>> = {
  'kill-replica': 'pod-kill',
  unavailable: 'pod-failure',
  latency: 'network-delay',
  errors: 'http-abort',
  reset: 'network-loss',
  partition: 'network-partition',
  bandwidth: 'network-bandwidth',
  'cpu-stress': 'stress-cpu',
  'redis-outage': 'pod-failure',
};

/** The container port HTTPChaos intercepts, per stack service. */

/** Instantaneous faults (kill-replica) still get a duration: Chaos Mesh requires one to finish. */
const MIN_DURATION_MS = 1000;

/** Milliseconds as a Go duration Chaos Mesh parses ("90s", "1500ms"). */
export function goDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

/** A Kubernetes label value / name fragment: lower-case alphanumerics and dashes, at most `max`. */
export function dnsLabel(value: string, max = 63): string {
  const s = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '');
  return s.slice(0, max).replace(/-+$/, '') || 'x';
}

/** Where and as whom a fault is applied. */
export interface ChaosContext {
  readonly runId: string;
  readonly namespace: string;
}

/** The template values for a fault (exported so validation can render every template). */
export function templateValues(fault: ResolvedFault, ctx: ChaosContext): TemplateValues {
  // Typed values and defaults from the catalogue, the same the local back end uses.
  const p = resolveFaultParams(fault);
  const target = fault.kind === 'redis-outage' ? 'redis' : fault.target;
  return {
    NAME: dnsLabel(`pr-${fault.id}-${ctx.runId}`),
    NAMESPACE: ctx.namespace,
    RUN_ID: dnsLabel(ctx.runId),
    FAULT_ID: dnsLabel(fault.id),
    TARGET: target,
    DURATION: goDuration(Math.max(fault.durationMs, MIN_DURATION_MS)),
    COUNT: String(p.count),
    // Normalised: Chaos Mesh accepts one unit only ("90s", not "1m30s").
    LATENCY: goDuration(p.latencyMs),
    JITTER: p.jitterMs > 0 ? goDuration(p.jitterMs) : '0ms',
    LOSS_PERCENT: String(Math.round(p.fraction * 100)),
    // Chaos Mesh's "bps" is bytes per second (tc's unit), the vocabulary's unit.
    RATE: `${Math.max(1, Math.round(p.bytesPerSecond))}bps`,
    WORKERS: p.workers,
    LOAD: p.load,
    MEMORY_SIZE: '256MB',
    PORT: REFERENCE_SERVICE_PORTS[target] ?? 8080,
  };
}

/**
 * The pods of one target of a team's own stack (a stack file): the labels that select them,
 * the running pods of the rest of the stack (a partition's other side), and the port its
 * Service forwards to (HTTP faults).
 */
export interface StackPods {
  readonly selector: Readonly<Record<string, string>>;
  readonly peers: readonly string[];
  readonly port?: number;
}

/**
 * `object` (rendered for the reference stack, whose pods carry app=<service>) aimed at a
 * team's own pods instead: its selector becomes the target's labels, a partition's other
 * side the named running pods of the rest of the stack (Chaos Mesh's `pods` selector, in
 * the same namespace), an HTTP fault's port the target's.
 */
export function aimedAtStackPods(object: K8sObject, pods: StackPods): K8sObject {
  const ns = object.metadata.namespace!;
  const spec = { ...(object.spec as Record<string, unknown>) };
  spec.selector = { namespaces: [ns], labelSelectors: { ...pods.selector } };
  if (spec.target && typeof spec.target === 'object' && 'selector' in spec.target) {
    if (pods.peers.length === 0) throw invalidInput(`${object.kind} ${object.metadata.name}: no other running pod of the stack in ${ns} to cut the target off from`);
    spec.target = { ...(spec.target as Record<string, unknown>), selector: { namespaces: [ns], pods: { [ns]: [...pods.peers] } } };
  }
  if ('port' in spec && pods.port !== undefined) spec.port = pods.port;
  return { ...object, spec };
}

/** The Chaos Mesh resource that injects `fault` in `ctx.namespace`. */
export function chaosForFault(fault: ResolvedFault, ctx: ChaosContext): K8sObject {
  return renderChaosTemplate(TEMPLATE_FOR_KIND[fault.kind], templateValues(fault, ctx));
}
