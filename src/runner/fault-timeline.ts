/**
 * Puts the scenario's faults and events on the clock, relative to traffic start.
 * Each fault's revert is registered on the teardown stack before the fault acts, so an
 * abort, a crash of the run or a signal still reverts it; a fault with a duration is
 * reverted on time and removed from the stack.
 */
import type { Platform, Revert } from '../platforms/platform.js';
import type { ResolvedEvent, ResolvedScenario } from '../scenario/types.js';
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { TeardownStack } from './teardown.js';

export interface TimelineRecord {
  readonly kind: 'fault' | 'event';
  readonly id: string;
  /** ms from traffic start, measured (not planned). */
  readonly startMs: number;
  endMs: number;
  readonly detail: ResolvedFault | ResolvedEvent;
  error?: string;
}

export interface TimelineHooks {
  readonly onStart?: (rec: TimelineRecord) => void;
  readonly onEnd?: (rec: TimelineRecord) => void;
  readonly onError?: (rec: TimelineRecord, err: unknown) => void;
}

export class FaultTimeline {
  private timers: NodeJS.Timeout[] = [];
  private readonly active = new Map<string, { rec: TimelineRecord; undo: () => Promise<void> }>();
  private readonly pending = new Set<Promise<void>>();
  readonly records: TimelineRecord[] = [];
  private t0 = 0;

  constructor(
    private readonly scenario: ResolvedScenario,
    private readonly platform: Platform,
    private readonly teardown: TeardownStack,
    private readonly hooks: TimelineHooks = {},
  ) {}

  /** Schedules everything relative to `trafficStart` (performance.now() ms). */
  start(trafficStart: number): void {
    this.t0 = trafficStart;
    for (const fault of this.scenario.faults) this.at(fault.atMs, () => this.startFault(fault));
    for (const event of this.scenario.events) this.at(event.atMs, () => this.startEvent(event));
  }

  private now(): number {
    return Math.round(performance.now() - this.t0);
  }

  private at(offsetMs: number, fn: () => Promise<void>): void {
    const delay = Math.max(0, this.t0 + offsetMs - performance.now());
    this.timers.push(
      setTimeout(() => {
        const p = fn().finally(() => this.pending.delete(p));
        this.pending.add(p);
      }, delay),
    );
  }

  private async act(rec: TimelineRecord, label: string, action: () => Promise<Revert>, durationMs: number): Promise<void> {
    let revertPromise: Promise<Revert | undefined> = Promise.resolve(undefined);
    // Registered before the action runs: whatever happens next, the undo is on the stack.
    const undo = this.teardown.push(label, async () => {
      const revert = await revertPromise;
      await revert?.();
      rec.endMs = this.now();
      this.active.delete(rec.id);
      this.hooks.onEnd?.(rec);
    });
    this.active.set(rec.id, { rec, undo });
    this.records.push(rec);
    revertPromise = action().catch((err: unknown) => {
      rec.error = err instanceof Error ? err.message : String(err);
      this.hooks.onError?.(rec, err);
      return undefined;
    });
    this.hooks.onStart?.(rec);
    await revertPromise;
    if (durationMs > 0) this.at(rec.startMs + durationMs, () => undo());
    else if (rec.kind === 'fault') {
      // Instantaneous faults (kill-replica) end when they have acted; recovery is the platform's job.
      await undo();
    }
  }

  private startFault(fault: ResolvedFault): Promise<void> {
    const rec: TimelineRecord = { kind: 'fault', id: fault.id, startMs: this.now(), endMs: -1, detail: fault };
    return this.act(rec, `fault ${fault.id}`, () => this.platform.inject(fault), fault.durationMs);
  }

  private startEvent(event: ResolvedEvent): Promise<void> {
    const rec: TimelineRecord = { kind: 'event', id: event.id, startMs: this.now(), endMs: -1, detail: event };
    // A deploy stays until the run ends (the rollout controller decides its fate); its undo restores the stable version.
    return this.act(rec, `deploy ${event.service}@${event.version}`, () => this.platform.deployVersion(event.service, event.version), 0);
  }

  /** Cancels what has not started and reverts every active fault now (events stay until teardown). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await Promise.allSettled([...this.pending]);
    const faults = [...this.active.values()].filter((a) => a.rec.kind === 'fault');
    await Promise.allSettled(faults.map((a) => a.undo()));
  }

  activeIds(): string[] {
    return [...this.active.keys()];
  }
}
