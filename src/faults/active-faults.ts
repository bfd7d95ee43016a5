/**
 * The faults a platform has in effect, kept the same way on every platform: the revert is
 * known before the fault acts (so `down` reverts a half-done injection too), the start
 * edge is reported only once the back end confirmed it, and an instantaneous fault
 * (kill-replica) is over once it acted. Scheduling is not done here: the caller
 * (the run's FaultTimeline, `chaos inject`, the console) owns when the revert runs.
 */
import { invalidInput } from '../contract/errors.js';
import type { ResolvedFault } from '../scenario/fault-spec.js';
import { FAULT_CATALOGUE } from './catalogue.js';
import type { PreparedFault } from './fault.js';

/** A fault edge as the platform reports it to its listeners; `note` says what the fault really did when that depends on the machine. */
export type FaultEdge = (edge: 'start' | 'end', fault: ResolvedFault, at: number, note?: string) => void;

export interface ActiveFault {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  /** When it was confirmed (epoch ms); when it was asked for, until then. */
  since: number;
  readonly revert: () => Promise<void>;
}

export class ActiveFaults {
  private readonly active = new Map<string, ActiveFault>();

  constructor(private readonly onEdge: FaultEdge) {}

  /**
   * Prepares (checks, changes nothing), registers the revert, acts and waits for the
   * confirmation. A fault that cannot be confirmed is reverted before this rejects.
   * Returns the idempotent revert.
   */
  async inject(fault: ResolvedFault, prepare: () => PreparedFault): Promise<() => Promise<void>> {
    if (this.active.has(fault.id)) throw invalidInput(`faults.${fault.id}: a fault with this id is already active`);
    const prepared = prepare();
    let started = false;
    let ended = false;
    const revert = async (): Promise<void> => {
      await prepared.revert();
      if (ended) return;
      ended = true;
      this.active.delete(fault.id);
      if (started) this.onEdge('end', fault, Date.now());
    };
    this.active.set(fault.id, { id: fault.id, kind: fault.kind, target: fault.target, since: Date.now(), revert });
    try {
      await prepared.act();
    } catch (err) {
      await revert().catch(() => undefined);
      throw err;
    }
    started = true;
    const at = Date.now();
    this.active.get(fault.id)!.since = at;
    this.onEdge('start', fault, at, prepared.note);
    if (FAULT_CATALOGUE[fault.kind].instantaneous) await revert();
    return revert;
  }

  /** What is in effect now, for `status`. */
  list(now = Date.now()): { id: string; kind: string; target: string; sinceMs: number }[] {
    return [...this.active.values()].map((f) => ({ id: f.id, kind: f.kind, target: f.target, sinceMs: now - f.since }));
  }

  /** Reverts everything still active, newest first. `strict` rethrows the first failure after trying all. */
  async revertAll(strict = false): Promise<void> {
    let first: unknown;
    for (const f of [...this.active.values()].reverse()) {
      await f.revert().catch((err: unknown) => {
        first ??= err;
      });
    }
    if (strict && first !== undefined) throw first;
  }
}
