/** Shared parameter checks for the local fault back ends (errors name the fault and the field). */
import { invalidInput } from '../contract/errors.js';
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { LocalFaultTarget } from './fault.js';

export function requireService(target: LocalFaultTarget, fault: ResolvedFault, allowed?: readonly string[]): void {
  const ok = allowed ?? target.services;
  if (!ok.includes(fault.target)) {
    throw invalidInput(`faults.${fault.id}.target: expected one of ${ok.join(', ')}, got ${JSON.stringify(fault.target)}`);
  }
}

/** A revert that runs at most once. */
export function once(fn: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= Promise.resolve().then(fn));
}
