/**
 * Open-model executor (k6's constant- and ramping-arrival-rate): requests are sent on the
 * schedule whatever the server does. An arrival that finds every in-flight slot busy is
 * counted as dropped, never delayed. Latency counts from the intended send time, so a
 * stalled server shows up in the numbers (no coordinated omission).
 */
import { ArrivalSchedule } from './arrival-schedule.js';
import { newHistogram, type Histogram } from './histogram.js';
import type { RequestSource } from './request-source.js';
import { RequestSlot, type CompiledClassifier, type SlotOwner } from './request-slot.js';
import type { StatsRecorder } from './stats-recorder.js';
import type { Connection } from './vus.js';

export interface ExecutorEnv {
  /** Where requests go: an undici Pool or a RawHttpPool. */
  readonly dispatcher: Connection;
  readonly source: RequestSource;
  readonly recorder: StatsRecorder;
  /** ms since traffic start. */
  readonly clock: () => number;
  readonly signal: AbortSignal | undefined;
  /** A stack's own answer classifier (undefined: the reference stack's headers). */
  readonly classifier?: CompiledClassifier | undefined;
}

export interface ArrivalRateOptions {
  readonly schedule: ArrivalSchedule;
  readonly preAllocated: number;
  readonly maxInFlight: number;
}

// Below one millisecond to the next arrival (high rates) the loop polls with setImmediate;
// above it a timer waits, so low rates cost no CPU spinning (a timer may fire ~1 ms late,
// which the scheduling-lag histogram shows; latency still counts from the intended time).
const TIMER_MIN_MS = 1;
// When the loop fell behind, at most this many overdue arrivals go out per turn before
// responses get a chance to be read (they keep their intended times either way).
const MAX_BATCH = 256;

export class ArrivalRateExecutor implements SlotOwner {
  inFlight = 0;
  /** Actual dispatch − intended time, µs. */
  readonly lag: Histogram = newHistogram();
  private readonly free: RequestSlot[] = [];
  private created = 0;
  private nextMs: number;
  private stopped = false;
  private finish: (() => void) | undefined;
  // Removed when the run ends: a signal shared by many runs (a capacity search's steps) must
  // not collect one dead listener per run.
  private readonly onAbort = (): void => this.stop();

  constructor(private readonly env: ExecutorEnv, private readonly opts: ArrivalRateOptions) {
    for (let i = 0; i < opts.preAllocated; i++) this.free.push(new RequestSlot(this, env.classifier));
    this.created = opts.preAllocated;
    this.nextMs = opts.schedule.next();
  }

  /** Runs the whole profile; resolves when every sent request has finished. */
  run(): Promise<void> {
    return new Promise((resolve) => {
      this.finish = resolve;
      this.env.signal?.addEventListener('abort', this.onAbort, { once: true });
      if (this.env.signal?.aborted) this.stop();
      else this.tick();
    });
  }

  private stop(): void {
    this.stopped = true;
    this.nextMs = Infinity;
    this.maybeDone();
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    const { clock, source, recorder, dispatcher } = this.env;
    let now = clock();
    let batch = 0;
    while (this.nextMs <= now && batch++ < MAX_BATCH) {
      const intended = this.nextMs;
      const ep = source.pick();
      const slot = this.take();
      if (slot === undefined) recorder.drop(ep, intended);
      else {
        const opts = source.build(ep, intended);
        recorder.begin(intended);
        this.inFlight++;
        this.lag.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
        dispatcher.dispatch(opts, slot.arm(ep, intended));
      }
      this.nextMs = this.opts.schedule.next();
      now = clock();
    }
    if (this.nextMs === Infinity) {
      this.stopped = true;
      this.maybeDone();
      return;
    }
    const wait = this.nextMs - now;
    if (wait >= TIMER_MIN_MS) setTimeout(this.tick, Math.round(wait));
    else setImmediate(this.tick);
  };

  private take(): RequestSlot | undefined {
    const s = this.free.pop();
    if (s !== undefined) return s;
    if (this.created >= this.opts.maxInFlight) return undefined;
    this.created++;
    return new RequestSlot(this, this.env.classifier);
  }

  clock(): number {
    return this.env.clock();
  }

  complete(slot: RequestSlot): void {
    const latencyUs = Math.round((this.env.clock() - slot.intendedMs) * 1000);
    this.env.recorder.record(slot.ep, slot.intendedMs, latencyUs, slot);
    this.inFlight--;
    this.free.push(slot);
    if (this.stopped) this.maybeDone();
  }

  private maybeDone(): void {
    if (this.stopped && this.inFlight === 0 && this.finish) {
      const f = this.finish;
      this.finish = undefined;
      this.env.signal?.removeEventListener('abort', this.onAbort);
      f();
    }
  }
}
