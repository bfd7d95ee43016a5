/**
 * The Chaos Mesh back end of the fault vocabulary: one template per fault kind, rendered
 * with the run id label, selectors limited to the target namespace, and always a duration.
 */
import type { FaultKind, ResolvedFault } from '../../scenario/fault-spec.js';
import type { K8sObject } from '../../contract/k8s-objects.js';
import { resolveFaultParams } from '../catalogue.js';
import { renderChaosTemplate, type TemplateValues } from './chaos-template.js';
import { SERVICE_PORTS } from '../../contract/stack-services.js';

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
    PORT: SERVICE_PORTS[target] ?? 8080,
  };
}

/** The Chaos Mesh resource that injects `fault` in `ctx.namespace`. */
export function chaosForFault(fault: ResolvedFault, ctx: ChaosContext): K8sObject {
  return renderChaosTemplate(TEMPLATE_FOR_KIND[fault.kind], templateValues(fault, ctx));
}
