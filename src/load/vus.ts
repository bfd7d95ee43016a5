/**
 * Closed-model executor: `vus` virtual users, each sending one request, waiting for the
 * answer, thinking, and sending the next, until the duration is over. Each user owns one
 * connection (its own undici Client), like wrk's and autocannon's connections.
 */
import { Client, type Dispatcher } from 'undici';
import type { Random } from '../scenario/types.js';
import type { RequestSource } from './request-source.js';
import { RequestSlot, type CompiledClassifier, type SlotOwner } from './request-slot.js';
import type { StatsRecorder } from './stats-recorder.js';

/** One connection: an undici Client or the lean RawHttpClient. */
export interface Connection {
  dispatch(opts: Dispatcher.DispatchOptions, handler: RequestSlot): boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

export interface VusOptions {
  readonly vus: number;
  readonly durationMs: number;
  readonly thinkTimeMs: { readonly min: number; readonly max: number };
  /** Opens one connection (called once per user). */
  readonly connect: () => Connection;
  readonly rng: Random;
}

export interface VusEnv {
  readonly source: RequestSource;
  readonly recorder: StatsRecorder;
  readonly clock: () => number;
  readonly signal: AbortSignal | undefined;
  /** A stack's own answer classifier (undefined: the reference stack's headers). */
  readonly classifier?: CompiledClassifier | undefined;
}

class VirtualUser extends RequestSlot {
  constructor(owner: SlotOwner, readonly client: Connection, classifier: CompiledClassifier | undefined) {
    super(owner, classifier);
  }
}

export class VusExecutor implements SlotOwner {
  inFlight = 0;
  private readonly users: VirtualUser[] = [];
  private stopped = false;
  private finish: (() => void) | undefined;
  // Removed when the run ends: a signal shared by many runs (a capacity search's steps) must
  // not collect one dead listener per run.
  private readonly onAbort = (): void => this.stop();
  private timer: NodeJS.Timeout | undefined;
  private readonly think: boolean;

  constructor(private readonly env: VusEnv, private readonly opts: VusOptions) {
    for (let i = 0; i < opts.vus; i++) this.users.push(new VirtualUser(this, opts.connect(), env.classifier));
    this.think = opts.thinkTimeMs.max > 0;
  }

  /** The connections, to close after the run. */
  clients(): Connection[] {
    return this.users.map((u) => u.client);
  }

  run(): Promise<void> {
    return new Promise((resolve) => {
      this.finish = resolve;
      this.timer = setTimeout(() => this.stop(), this.opts.durationMs);
      this.env.signal?.addEventListener('abort', this.onAbort, { once: true });
      if (this.env.signal?.aborted) return this.stop();
      for (const u of this.users) this.send(u);
    });
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.stopped = true;
    this.maybeDone();
  }

  private send(u: VirtualUser): void {
    if (this.stopped) return this.maybeDone();
    const { source, recorder, clock } = this.env;
    const now = clock();
    if (now >= this.opts.durationMs) return this.stop();
    const ep = source.pick();
    recorder.begin(now);
    this.inFlight++;
    u.client.dispatch(source.build(ep, now), u.arm(ep, now));
  }

  clock(): number {
    return this.env.clock();
  }

  complete(slot: RequestSlot): void {
    const u = slot as VirtualUser;
    const { recorder, clock } = this.env;
    const now = clock();
    recorder.record(u.ep, u.intendedMs, Math.round((now - u.intendedMs) * 1000), u);
    this.inFlight--;
    if (this.stopped) return this.maybeDone();
    if (this.think) {
      const { min, max } = this.opts.thinkTimeMs;
      setTimeout(() => this.send(u), min + this.opts.rng.next() * (max - min));
    } else this.send(u);
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

/** A one-connection client with the run's timeouts. */
export function connectOne(origin: string, timeoutMs: number): Dispatcher {
  return new Client(origin, { pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs, keepAliveTimeout: 30_000 });
}
