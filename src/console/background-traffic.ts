/**
 * The console's "traffic" control: the seed's request mix (or a scenario's) at a constant
 * arrival rate, driven by the load engine until stopped, so a game day has load to watch
 * even when nobody else sends any. Its live seconds feed the charts and the journal; its
 * answers are classified by the stack's classifier, as in a run.
 */
import { bareScenario } from '../load/fixed-scenario.js';
import { runLoad } from '../load/run-load.js';
import type { EndpointResult } from '../contract/journal.js';
import type { LiveSecond } from '../load/live.js';
import { seedMix } from '../scenario/seed-mix.js';
import type { MixEntry, ResolvedScenario } from '../scenario/types.js';
import type { AnswerClassifier } from '../scenario/stack-definition.js';

/** Longest a background load runs unattended (it is normally stopped long before). */
const MAX_DURATION_MS = 12 * 3600_000;

export interface TrafficState {
  /** Requests per second asked for. */
  readonly rate: number;
  /** Epoch ms the load started. */
  readonly sinceEpochMs: number;
}

export interface BackgroundTrafficOptions {
  /** Base URL the mix's paths are appended to (the gateway, or a stack's entry service). */
  readonly target: string;
  readonly seed: number;
  /** Each live second, with the epoch ms the load started (its `t` is relative to that). */
  readonly onSecond: (s: LiveSecond, loadStartEpochMs: number) => void;
  /** The load ended by itself with an error. */
  readonly onError?: (err: unknown) => void;
  /** The request mix (default: the seed's 70/20/10 predict/detailed/batch). */
  readonly mix?: Readonly<Record<string, MixEntry>>;
  /** How answers are classified (default: the reference stack's headers). */
  readonly classify?: AnswerClassifier;
}

/** One background load at a time; `start` while running changes the rate (restart). */
export class BackgroundTraffic {
  private current: { state: TrafficState; abort: AbortController; done: Promise<void> } | undefined;
  /** Whole-run endpoint results of every load that has finished, in order. */
  readonly finished: EndpointResult[][] = [];

  constructor(private readonly opts: BackgroundTrafficOptions) {}

  get state(): TrafficState | undefined {
    return this.current?.state;
  }

  async start(rate: number): Promise<TrafficState> {
    await this.stop();
    const abort = new AbortController();
    const sinceEpochMs = Date.now();
    const state: TrafficState = { rate, sinceEpochMs };
    const done = runLoad(scenarioAt(rate, this.opts.mix ?? seedMix()), {
      target: this.opts.target,
      seed: this.opts.seed,
      signal: abort.signal,
      onSecond: (s) => this.opts.onSecond(s, sinceEpochMs),
      ...(this.opts.classify ? { classify: this.opts.classify } : {}),
    }).then(
      (result) => void this.finished.push(result.endpointResults()),
      (err: unknown) => {
        if (!abort.signal.aborted) this.opts.onError?.(err);
      },
    );
    const entry = { state, abort, done };
    this.current = entry;
    void done.then(() => {
      if (this.current === entry) this.current = undefined;
    });
    return state;
  }

  /** Stops the load and waits until its in-flight requests have finished (bounded by the engine's grace). */
  async stop(): Promise<TrafficState | undefined> {
    const cur = this.current;
    if (!cur) return undefined;
    this.current = undefined;
    cur.abort.abort(new Error('traffic stopped from the console'));
    await cur.done;
    return cur.state;
  }
}

/** A scenario whose only content is the mix at a constant rate. */
function scenarioAt(rate: number, mix: Readonly<Record<string, MixEntry>>): ResolvedScenario {
  const traffic = {
    executor: 'arrival-rate' as const,
    stages: [{ name: 'game-day', startMs: 0, durationMs: MAX_DURATION_MS, fromRate: rate, toRate: rate }],
    preAllocated: Math.max(10, Math.ceil(rate / 2)),
    maxInFlight: Math.max(100, rate * 4),
    timeoutMs: 10_000,
    durationMs: MAX_DURATION_MS,
  };
  return { ...bareScenario('game-day-traffic', traffic), target: 'gateway', mix };
}
