/** Shared parameter checks for the local fault back ends (errors name the fault and the field). */
import { invalidInput } from '../errors.js';
import { parseDuration } from '../scenario/duration.js';
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { LocalFaultTarget } from './fault.js';

export function requireService(target: LocalFaultTarget, fault: ResolvedFault, allowed?: readonly string[]): void {
  const ok = allowed ?? target.services;
  if (!ok.includes(fault.target)) {
    throw invalidInput(`faults.${fault.id}.target: expected one of ${ok.join(', ')}, got ${JSON.stringify(fault.target)}`);
  }
}

export function fraction(fault: ResolvedFault): number {
  const f = fault.params.fraction ?? 1;
  if (!(f >= 0 && f <= 1)) throw invalidInput(`faults.${fault.id}.params.fraction: expected 0..1, got ${String(f)}`);
  return f;
}

export function durationParam(fault: ResolvedFault, field: 'latency' | 'jitter', fallback: string): number {
  return parseDuration(fault.params[field] ?? fallback, `faults.${fault.id}.params.${field}`);
}

export function positive(fault: ResolvedFault, field: 'rate' | 'workers' | 'load' | 'count' | 'status', fallback: number, max = Infinity): number {
  const v = fault.params[field] ?? fallback;
  if (!(typeof v === 'number' && v > 0 && v <= max)) {
    throw invalidInput(`faults.${fault.id}.params.${field}: expected a number in (0, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A revert that runs at most once. */
export function once(fn: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= Promise.resolve().then(fn));
}
