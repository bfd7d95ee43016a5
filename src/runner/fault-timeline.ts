/**
 * Puts the scenario's faults and events on the clock, relative to traffic start. It is the
 * only scheduler of faults and the only owner of each undo: platforms inject and return a
 * revert, and never set timers or teardown entries of their own.
 *
 * Each fault's revert is registered on the teardown stack before the fault acts, so an
 * abort, a crash of the run or a signal still reverts it. A fault starts when the platform
 * confirms it (its inject promise resolves), and its duration counts from then. A fault the
 * platform cannot inject stops the timeline: nothing else is injected, and `onNotInjected`
 * tells the runner, which aborts the run.
 */
import type { Platform, Revert } from '../platforms/platform.js';
import type { ResolvedEvent, ResolvedScenario } from '../scenario/types.js';
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { TeardownStack } from '../contract/teardown.js';

export interface TimelineRecord {
  readonly kind: 'fault' | 'event';
  readonly id: string;
  /** ms from traffic start at which the injection was asked for. */
  readonly requestedMs: number;
  /** ms from traffic start at which the platform confirmed it; -1 until then (and forever when it failed). */
  startMs: number;
  endMs: number;
  readonly detail: ResolvedFault | ResolvedEvent;
  error?: string;
}

export interface TimelineHooks {
  /** The platform confirmed the fault or event. */
  readonly onStart?: (rec: TimelineRecord) => void;
  readonly onEnd?: (rec: TimelineRecord) => void;
  readonly onError?: (rec: TimelineRecord, err: unknown) => void;
  /** A fault could not be injected; it is already reverted and nothing further will be injected. */
  readonly onNotInjected?: (rec: TimelineRecord, reason: string) => void;
}

export class FaultTimeline {
  private timers: NodeJS.Timeout[] = [];
  private readonly active = new Map<string, { rec: TimelineRecord; undo: () => Promise<void> }>();
  private readonly pending = new Set<Promise<void>>();
  readonly records: TimelineRecord[] = [];
  /** Faults the platform could not inject, in the order they failed. */
  readonly notInjected: { readonly id: string; readonly reason: string }[] = [];
  private t0 = 0;
  private stopped = false;

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
    if (this.stopped) return;
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
    let confirmed = false;
    // Registered before the action runs: whatever happens next, the undo is on the stack.
    const undo = this.teardown.push(label, async () => {
      const revert = await revertPromise;
      await revert?.();
      this.active.delete(rec.id);
      if (!confirmed) return;
      rec.endMs = this.now();
      this.hooks.onEnd?.(rec);
    });
    this.active.set(rec.id, { rec, undo });
    this.records.push(rec);
    revertPromise = action().then(
      (revert) => {
        // The journal's start is the platform's confirmation, not the request.
        rec.startMs = this.now();
        confirmed = true;
        return revert;
      },
      (err: unknown) => {
        rec.error = err instanceof Error ? err.message : String(err);
        this.hooks.onError?.(rec, err);
        return undefined;
      },
    );
    const revert = await revertPromise;
    if (!revert) {
      await undo();
      if (rec.kind === 'fault') this.failed(rec);
      return;
    }
    this.hooks.onStart?.(rec);
    if (this.stopped && rec.kind === 'fault') await undo(); // stop() came while the platform was still injecting
    else if (durationMs > 0) this.at(rec.startMs + durationMs, () => undo());
    else if (rec.kind === 'fault') {
      // Instantaneous faults (kill-replica) end when they have acted; recovery is the platform's job.
      await undo();
    }
  }

  /** A fault was not injected: nothing further starts, and the runner is told (it aborts the run). */
  private failed(rec: TimelineRecord): void {
    const reason = rec.error ?? 'the platform did not confirm it';
    this.notInjected.push({ id: rec.id, reason });
    this.cancelTimers();
    this.hooks.onNotInjected?.(rec, reason);
  }

  private cancelTimers(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private startFault(fault: ResolvedFault): Promise<void> {
    const rec: TimelineRecord = { kind: 'fault', id: fault.id, requestedMs: this.now(), startMs: -1, endMs: -1, detail: fault };
    return this.act(rec, `fault ${fault.id}`, () => this.platform.inject(fault), fault.durationMs);
  }

  private startEvent(event: ResolvedEvent): Promise<void> {
    const rec: TimelineRecord = { kind: 'event', id: event.id, requestedMs: this.now(), startMs: -1, endMs: -1, detail: event };
    // A deploy stays until the run ends (the rollout controller decides its fate); its undo restores the stable version.
    return this.act(rec, `deploy ${event.service}@${event.version}`, () => this.platform.deployVersion(event.service, event.version), 0);
  }

  /** Cancels what has not started and reverts every active fault now (events stay until teardown). */
  async stop(): Promise<void> {
    this.cancelTimers();
    await Promise.allSettled([...this.pending]);
    const faults = [...this.active.values()].filter((a) => a.rec.kind === 'fault');
    await Promise.allSettled(faults.map((a) => a.undo()));
  }

  activeIds(): string[] {
    return [...this.active.keys()];
  }
}
