/**
 * Comparing observed values with thresholds, and picking the value that represents a window
 * (the worst one: an SLO over a window must hold at every sample of it).
 */
import type { Comparator } from '../scenario/slo-spec.js';
import { ROLLED_BACK } from './format.js';

/** A rollout's state at one moment; compared against phase names (and "RolledBack"). */
export interface RolloutValue {
  readonly phase: string;
  readonly weight: number;
}

export type Observed = number | RolloutValue;

/** Phases that count as "rolled back" when the canary weight is 0. */
const ROLLBACK_PHASES = new Set(['Degraded', 'Aborted']);

/** Whether `value op threshold` holds. Rollout values compare by phase name (== / != only). */
export function holds(op: Comparator, value: Observed, threshold: number | string): boolean {
  if (typeof value !== 'number' || typeof threshold === 'string') {
    if (typeof value === 'number' || typeof threshold !== 'string') return false;
    const match = threshold === ROLLED_BACK ? ROLLBACK_PHASES.has(value.phase) && value.weight === 0 : value.phase === threshold;
    return op === '==' ? match : op === '!=' ? !match : false;
  }
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/**
 * The value that represents several samples: the first one that breaks the condition, the
 * most extreme one for ordered comparators; when all hold, the one closest to breaking.
 */
export function worstOf(values: readonly Observed[], op: Comparator, threshold: number | string): Observed | undefined {
  if (values.length === 0) return undefined;
  const nums = values.filter((v): v is number => typeof v === 'number');
  if (nums.length === values.length && (op === '<' || op === '<=')) return Math.max(...nums);
  if (nums.length === values.length && (op === '>' || op === '>=')) return Math.min(...nums);
  return values.find((v) => !holds(op, v, threshold)) ?? values[values.length - 1];
}

/** Rollout values print as "Degraded (weight 0%)". */
export function describeObserved(v: Observed): string | undefined {
  return typeof v === 'number' ? undefined : `${v.phase} (canary weight ${v.weight}%)`;
}
