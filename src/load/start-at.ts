/**
 * A common start instant for traffic driven from several places at once (load runner pods
 * and the harness, started in lockstep as k6-operator starts its runners): each waits
 * until the agreed wall-clock instant, then starts its clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves once `now()` reads `epochMs` or later, never before: a timer may fire a little
 * early on the wall clock (timers run on the monotonic clock), so it waits again for the
 * rest. At once when the instant has passed. An abort of `signal` ends the wait early
 * (it resolves; the caller checks the signal).
 */
export async function waitUntilEpoch(epochMs: number, signal?: AbortSignal, now: () => number = Date.now): Promise<void> {
  while (signal?.aborted !== true) {
    const left = epochMs - now();
    if (left <= 0) return;
    // An abort rejects the sleep: the loop's condition then ends the wait.
    await sleep(Math.ceil(left), undefined, signal ? { signal } : {}).catch(() => undefined);
  }
}
