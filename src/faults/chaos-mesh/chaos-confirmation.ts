/**
 * When a Chaos Mesh object counts as injected: the API server accepting it means nothing
 * yet. Chaos Mesh's controller reports on the object's status, `conditions` of type
 * Selected / AllInjected / AllRecovered / Paused (status "True"/"False") and
 * `experiment.containerRecords[]` (one per selected target, with `phase` and
 * `injectedCount`). A fault is confirmed when AllInjected is True, or when every selected
 * target has been injected at least once (an instantaneous pod-kill may already have
 * recovered when we look).
 */

/** The part of a Chaos Mesh object's status this reads. */
export interface ChaosStatus {
  readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly reason?: string }[];
  readonly experiment?: {
    readonly desiredPhase?: string;
    readonly containerRecords?: readonly {
      readonly id?: string;
      readonly phase?: string;
      readonly injectedCount?: number;
      /** What the controller did to this target: operation Apply / Recover, type Succeeded / Failed, and the daemon's error. */
      readonly events?: readonly { readonly operation?: string; readonly type?: string; readonly message?: string }[];
    }[];
  };
}

/** True when every selected target is injected; otherwise why not, in words. */
export function injectionState(status: ChaosStatus | undefined): { readonly injected: true } | { readonly injected: false; readonly why: string } {
  if (!status) return { injected: false, why: 'Chaos Mesh has not reported any status (is its controller running?)' };
  const cond = (type: string) => status.conditions?.find((c) => c.type === type);
  const records = status.experiment?.containerRecords ?? [];
  if (cond('AllInjected')?.status === 'True' && records.length > 0) return { injected: true };
  if (records.length > 0 && records.every((r) => (r.injectedCount ?? 0) > 0)) return { injected: true };
  const selected = cond('Selected');
  if (selected?.status === 'False') return { injected: false, why: `no target selected${selected.reason ? ` (${selected.reason})` : ''}` };
  if (records.length === 0) return { injected: false, why: 'no target selected yet' };
  const pending = records.filter((r) => r.phase !== 'Injected' && !((r.injectedCount ?? 0) > 0));
  // A target whose last attempt failed says why (the daemon's error, e.g. "unable to set tcs").
  const failed = pending.flatMap((r) => {
    const last = r.events?.findLast((e) => e.operation === 'Apply');
    return last?.type === 'Failed' && last.message ? [`${r.id ?? '?'}: ${last.message}`] : [];
  });
  const waiting = `${records.length - pending.length} of ${records.length} targets injected (waiting for ${pending.map((r) => r.id ?? '?').join(', ')})`;
  return { injected: false, why: failed.length > 0 ? `${waiting}; failed: ${failed.join('; ')}` : waiting };
}

export interface ConfirmOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Polls `readStatus` until the object reports every target injected; rejects with the last
 * reason after `timeoutMs`. Read errors count as "not yet" until the deadline.
 */
export async function waitForInjected(readStatus: () => Promise<ChaosStatus | undefined>, opts: ConfirmOptions): Promise<void> {
  const deadline = performance.now() + opts.timeoutMs;
  const pollMs = opts.pollMs ?? 500;
  let why = 'Chaos Mesh has not reported any status (is its controller running?)';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const state = injectionState(await readStatus());
      if (state.injected) return;
      why = state.why;
    } catch (err) {
      why = `reading its status failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`Chaos Mesh did not confirm it within ${Math.round(opts.timeoutMs / 100) / 10} s: ${why}`);
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

/** How long to wait: 30 s, but at most half the fault's duration (a 10 s fault confirmed after 20 s would test nothing), and at least 5 s. */
export function confirmTimeoutMs(faultDurationMs: number, override?: number): number {
  if (override !== undefined) return override;
  return faultDurationMs > 0 ? Math.max(5000, Math.min(30_000, faultDurationMs / 2)) : 30_000;
}
