/**
 * Faults injected by hand (`peakready chaos inject --for 2m`, the game-day console), outside
 * a run: these callers own their revert and schedule it here. A run never uses this; its
 * FaultTimeline is the only scheduler there. The local platform offers both functions as
 * its ManualFaults capability.
 */
import { PeakreadyError } from '../../contract/errors.js';
import { parseDuration } from '../../scenario/duration.js';
import { FAULT_KINDS, type FaultKind, type ResolvedFault } from '../../scenario/fault-spec.js';
import type { FaultRequest } from '../capabilities.js';
import type { Platform, Revert } from '../platform.js';

/** A fault as `chaos inject` asks for it, resolved (INVALID_INPUT naming the flag when wrong). */
export function resolveFaultRequest(req: FaultRequest): ResolvedFault {
  if (!(FAULT_KINDS as readonly string[]).includes(req.kind)) {
    throw new PeakreadyError('INVALID_INPUT', `kind: expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(req.kind)}`);
  }
  return {
    id: req.id ?? `${req.kind}-${req.target}`,
    kind: req.kind as FaultKind,
    target: req.target,
    atMs: 0,
    durationMs: req.for ? parseDuration(req.for, '--for') : 0,
    params: req.params ?? {},
  };
}

/** Injects `fault` and reverts it after its duration (none: until reverted by hand); the returned revert also cancels the timer. */
export async function injectTimed(platform: Pick<Platform, 'inject'>, fault: ResolvedFault): Promise<Revert> {
  const revert = await platform.inject(fault);
  let timer: NodeJS.Timeout | undefined;
  const revertNow: Revert = async () => {
    clearTimeout(timer);
    await revert();
  };
  if (fault.durationMs > 0) timer = setTimeout(() => void revertNow().catch(() => undefined), fault.durationMs);
  return revertNow;
}
