/**
 * Tailors a rendered overlay to one run: target namespace, the scenario's stack overrides
 * (replicas, autoscaling, canary steps, switched-off mechanisms) and the time scale, which
 * shrinks canary pauses and analysis intervals the same way the local platform does.
 */
import { parseDuration } from '../../scenario/duration.js';
import type { StackSpec } from '../../scenario/types.js';
import { REFERENCE_STACK } from '../../scenario/reference-stack.js';
import { CLUSTER_SCOPED_KINDS, clone, type K8sObject } from '../../contract/k8s-objects.js';

export interface TailorOptions {
  readonly namespace: string;
  readonly stack?: StackSpec;
  readonly timeScale?: number;
}

/** Seconds as Argo writes durations; never below 1s (Argo rejects 0). */
function scaled(value: string | number | undefined, factor: number): string | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value * 1000 : parseDuration(value, 'duration');
  return `${Math.max(1, Math.round((ms * factor) / 1000))}s`;
}

const DEFAULT_PAUSE = '10m';

type AnyMap = Record<string, any>;

/** Returns tailored copies; the inputs are untouched. */
export function tailorStack(objects: readonly K8sObject[], opts: TailorOptions): K8sObject[] {
  const factor = opts.timeScale ?? 1;
  const stack = opts.stack ?? {};
  const disabled = new Set(stack.disable ?? []);
  const scaledByHpa = disabled.has('autoscaler') ? new Set<string>() : hpaTargets(objects);
  const out: K8sObject[] = [];
  for (const original of objects) {
    const o = clone(original);
    const spec = (o.spec ?? {}) as AnyMap;
    o.metadata.labels = { ...(o.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'peakready' };
    if (o.kind === 'Namespace') o.metadata.name = opts.namespace;
    else if (!CLUSTER_SCOPED_KINDS.has(o.kind)) o.metadata.namespace = opts.namespace;
    if (o.kind === 'RoleBinding') for (const s of (o.subjects as AnyMap[] | undefined) ?? []) if (s.kind === 'ServiceAccount') s.namespace = opts.namespace;

    const replicas = stack.replicas?.[o.metadata.name];
    if ((o.kind === 'Deployment' || o.kind === 'Rollout') && replicas !== undefined) spec.replicas = replicas;
    // An HPA owns the replica count of its target (kube-controller-manager writes it through
    // the scale subresource). Applying .spec.replicas too would make every re-apply after a
    // scale-out a 409 conflict, or with force undo the scale-out; so we never send it.
    if ((o.kind === 'Deployment' || o.kind === 'Rollout') && scaledByHpa.has(`${o.kind}/${o.metadata.name}`)) delete spec.replicas;

    if (o.kind === 'HorizontalPodAutoscaler') {
      if (disabled.has('autoscaler')) continue;
      const target = spec.scaleTargetRef?.name as string;
      const a = stack.autoscaling?.[target];
      // The target's replicas are the HPA's (see above): a scenario's replica count for it
      // becomes the floor the HPA scales to at once, unless the scenario sets a minimum itself.
      const start = stack.replicas?.[target];
      if (start !== undefined && a?.min === undefined) {
        spec.minReplicas = start;
        spec.maxReplicas = Math.max(Number(spec.maxReplicas ?? start), start);
      }
      if (a) {
        spec.minReplicas = a.min;
        spec.maxReplicas = a.max;
        for (const m of (spec.metrics as AnyMap[]) ?? []) {
          if (a.targetCpu !== undefined && m.type === 'Resource' && m.resource?.name === 'cpu') m.resource.target.averageUtilization = a.targetCpu;
          if (a.targetRps !== undefined && m.type === 'Pods') m.pods.target.averageValue = String(a.targetRps);
        }
      }
    }

    if (o.kind === 'Rollout' && spec.strategy?.canary) {
      const canary = spec.strategy.canary as AnyMap;
      if (stack.rollout?.steps) {
        const pause = stack.rollout.pause ?? DEFAULT_PAUSE;
        canary.steps = stack.rollout.steps.flatMap((w) => [{ setWeight: w }, { pause: { duration: pause } }]);
      }
      for (const step of (canary.steps as AnyMap[]) ?? []) if (step.pause?.duration !== undefined) step.pause.duration = scaled(step.pause.duration, factor);
      if (disabled.has('analysis')) delete canary.analysis;
    }

    if (o.kind === 'AnalysisTemplate') {
      // Argo's controller runs the analysis from its own namespace: a Service named without one
      // (the kind overlay's http://prometheus:9090) would resolve there, not in the stack's.
      for (const arg of (spec.args as AnyMap[]) ?? []) {
        if (typeof arg.value === 'string') arg.value = arg.value.replace(/^(https?:\/\/[a-z0-9-]+)(?=[:/]|$)/, `$1.${opts.namespace}.svc`);
      }
      // The scenario's analysis interval replaces the template's (the seed's 5m), then scales like the rest.
      const interval = stack.rollout?.analysisInterval;
      for (const m of (spec.metrics as AnyMap[]) ?? []) {
        if (interval !== undefined) m.interval = interval;
        if (m.interval) m.interval = scaled(m.interval, factor);
      }
    }

    if (o.kind === 'Deployment' && o.metadata.name === REFERENCE_STACK.entry) {
      // The gateway reads its policy overrides and switched-off mechanisms from env.
      const container = spec.template?.spec?.containers?.[0] as AnyMap | undefined;
      if (container) {
        const env = ((container.env as AnyMap[]) ?? []).filter((e) => e.name !== 'PEAKREADY_DISABLE' && e.name !== 'PEAKREADY_GATEWAY_OPTIONS');
        const gatewayDisabled = [...disabled].filter((m) => m in REFERENCE_STACK.switches);
        if (gatewayDisabled.length > 0) env.push({ name: 'PEAKREADY_DISABLE', value: gatewayDisabled.join(',') });
        if (stack.gateway) env.push({ name: 'PEAKREADY_GATEWAY_OPTIONS', value: JSON.stringify(stack.gateway) });
        container.env = env;
      }
    }
    out.push(o);
  }
  return out;
}

/** "Kind/name" of every workload an HPA scales. */
function hpaTargets(objects: readonly K8sObject[]): Set<string> {
  const targets = new Set<string>();
  for (const o of objects) {
    const ref = (o.spec as AnyMap | undefined)?.scaleTargetRef as AnyMap | undefined;
    if (o.kind === 'HorizontalPodAutoscaler' && ref?.kind && ref.name) targets.add(`${String(ref.kind)}/${String(ref.name)}`);
  }
  return targets;
}

/** Apply order: namespaces and RBAC first so the workloads that need them find them. */
export function applyOrder(objects: readonly K8sObject[]): K8sObject[] {
  const rank = (k: string): number => ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'PersistentVolumeClaim', 'AnalysisTemplate'].indexOf(k) >>> 0;
  return [...objects].sort((a, b) => Math.min(rank(a.kind), 99) - Math.min(rank(b.kind), 99));
}
