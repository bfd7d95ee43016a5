/**
 * Faults injected by hand (`peakready chaos inject --for 2m`, the game-day console), outside
 * a run: these callers own their revert and schedule it here. A run never uses this; its
 * FaultTimeline is the only scheduler there.
 */
import type { ResolvedFault } from '../../scenario/fault-spec.js';
import type { Platform, Revert } from '../platform.js';

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
