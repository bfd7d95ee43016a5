/**
 * The Kubernetes HorizontalPodAutoscaler v2 algorithm as pure functions
 * (pkg/controller/podautoscaler/horizontal.go):
 * - per metric: desired = ceil(current × value / target), unchanged within the tolerance (10%);
 * - over metrics: the largest proposal wins;
 * - stabilization: scale-up uses the lowest, scale-down the highest recommendation of its window;
 * - behavior policies (Pods / Percent per period, selectPolicy Max / Min / Disabled) cap the change
 *   relative to the replica count at the start of each period;
 * - min/max replicas bound the result.
 */

export interface MetricObservation {
  readonly name: string;
  /** Current per-replica average (AverageValue) or utilization percent (Utilization). */
  readonly value: number;
  readonly target: number;
}

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodMs: number;
}

export interface ScalingRules {
  readonly stabilizationWindowMs: number;
  readonly policies: readonly ScalingPolicy[];
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
}

export interface HpaBehavior {
  readonly scaleUp: ScalingRules;
  readonly scaleDown: ScalingRules;
}

export interface HpaSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly tolerance?: number;
  readonly behavior?: HpaBehavior;
}

/** A past recommendation (for stabilization) or a past scale event (for policies). */
export interface Timestamped {
  readonly t: number;
  readonly replicas: number;
}

/** Replicas changed by one scale event: `replicas` is the signed change. */
export type ScaleEvent = Timestamped;

export const DEFAULT_TOLERANCE = 0.1;

/** Kubernetes' default behavior (autoscaling/v2 defaults). */
export function defaultBehavior(scale = 1): HpaBehavior {
  return {
    scaleUp: {
      stabilizationWindowMs: 0,
      policies: [
        { type: 'Percent', value: 100, periodMs: 15_000 * scale },
        { type: 'Pods', value: 4, periodMs: 15_000 * scale },
      ],
      selectPolicy: 'Max',
    },
    scaleDown: {
      stabilizationWindowMs: 300_000 * scale,
      policies: [{ type: 'Percent', value: 100, periodMs: 15_000 * scale }],
      selectPolicy: 'Max',
    },
  };
}

/** One metric's proposal: ceil(current × value / target), or `current` when within tolerance. */
export function replicasForMetric(current: number, m: MetricObservation, tolerance = DEFAULT_TOLERANCE): number {
  if (!(m.target > 0) || !Number.isFinite(m.value)) return current;
  const ratio = m.value / m.target;
  if (Math.abs(ratio - 1) <= tolerance) return current;
  // A stack scaled to zero still needs one replica to have a usage ratio at all.
  return Math.ceil(Math.max(current, 1) * ratio);
}

/** The largest proposal over all metrics (undefined without metrics: no decision). */
export function replicasForMetrics(current: number, metrics: readonly MetricObservation[], tolerance = DEFAULT_TOLERANCE): number | undefined {
  if (metrics.length === 0) return undefined;
  return Math.max(...metrics.map((m) => replicasForMetric(current, m, tolerance)));
}

/**
 * Stabilization (behavior form): up = min of the scale-up window's recommendations, down =
 * max of the scale-down window's; the result moves from `current` only past both.
 */
export function stabilize(current: number, recommendation: number, history: readonly Timestamped[], now: number, behavior: HpaBehavior): number {
  let up = recommendation;
  let down = recommendation;
  for (const h of history) {
    if (h.t > now - behavior.scaleUp.stabilizationWindowMs) up = Math.min(up, h.replicas);
    if (h.t > now - behavior.scaleDown.stabilizationWindowMs) down = Math.max(down, h.replicas);
  }
  let stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  return stabilized;
}

function changeInPeriod(events: readonly ScaleEvent[], now: number, periodMs: number, sign: 1 | -1): number {
  return events.filter((e) => e.t > now - periodMs && Math.sign(e.replicas) === sign).reduce((s, e) => s + Math.abs(e.replicas), 0);
}

/** The highest count scale-up policies allow now. */
export function scaleUpLimit(current: number, events: readonly ScaleEvent[], now: number, rules: ScalingRules): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let limit = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const periodStart = current - changeInPeriod(events, now, p.periodMs, 1);
    const proposed = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    limit = rules.selectPolicy === 'Min' ? Math.min(limit, proposed) : Math.max(limit, proposed);
  }
  return Number.isFinite(limit) ? limit : current;
}

/** The lowest count scale-down policies allow now. */
export function scaleDownLimit(current: number, events: readonly ScaleEvent[], now: number, rules: ScalingRules): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let limit = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const periodStart = current + changeInPeriod(events, now, p.periodMs, -1);
    // Truncation, as Kubernetes does: the removal rounds up (72 at 10% → 64).
    const proposed = p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    // Max selects the policy allowing the biggest change, i.e. the lowest count.
    limit = rules.selectPolicy === 'Min' ? Math.max(limit, proposed) : Math.min(limit, proposed);
  }
  return Number.isFinite(limit) ? limit : current;
}

export interface HpaDecision {
  /** The replica count to set. */
  readonly desired: number;
  /** The raw recommendation (before stabilization and policies): push it on the history. */
  readonly recommendation: number;
  readonly reason: string;
}

/** One HPA sync: metrics → recommendation → stabilization → policies → min/max. */
export function computeDesiredReplicas(args: {
  readonly current: number;
  readonly metrics: readonly MetricObservation[];
  readonly spec: HpaSpec;
  readonly history: readonly Timestamped[];
  readonly events: readonly ScaleEvent[];
  readonly now: number;
}): HpaDecision {
  const { current, spec, now } = args;
  const behavior = spec.behavior ?? defaultBehavior();
  const raw = replicasForMetrics(current, args.metrics, spec.tolerance ?? DEFAULT_TOLERANCE);
  if (raw === undefined) return { desired: clamp(current, spec), recommendation: current, reason: 'no metrics' };
  const recommendation = clamp(raw, spec);
  const stabilized = stabilize(current, recommendation, args.history, now, behavior);
  let desired = stabilized;
  let reason = describe(args.metrics);
  if (stabilized > current) {
    const limit = scaleUpLimit(current, args.events, now, behavior.scaleUp);
    if (desired > limit) {
      desired = limit;
      reason += '; limited by scale-up policy';
    }
  } else if (stabilized < current) {
    const limit = scaleDownLimit(current, args.events, now, behavior.scaleDown);
    if (desired < limit) {
      desired = limit;
      reason += '; limited by scale-down policy';
    }
  }
  if (stabilized !== recommendation) reason += '; stabilized';
  return { desired: clamp(desired, spec), recommendation, reason };
}

function clamp(n: number, spec: HpaSpec): number {
  return Math.min(spec.maxReplicas, Math.max(spec.minReplicas, n));
}

function describe(metrics: readonly MetricObservation[]): string {
  return metrics.map((m) => `${m.name} ${round(m.value)}/${round(m.target)}`).join(', ');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
