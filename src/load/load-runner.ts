/** What drives a run's traffic: the local engine, or runners that start it at an announced instant. */
import type { LoadResult } from './load-result.js';
import type { RunLoadOptions } from './run-load.js';
import type { ResolvedScenario } from '../scenario/types.js';

/**
 * What drives a run's traffic. A function (runLoad's shape) starts its clock when called:
 * the harness starts its own clocks just before calling it. A ScheduledLoadRunner starts
 * its traffic at an instant it announces, after a lead it needs (runner pods to create and
 * start): the harness starts its clocks at that instant instead.
 */
export type LoadRunner = ((scenario: ResolvedScenario, opts: RunLoadOptions) => Promise<LoadResult>) | ScheduledLoadRunner;

export interface ScheduledLoadRunner {
  /**
   * Sets the traffic going (e.g. creates the runners' Job) and announces when its schedule
   * starts. The harness's traffic start (trafficStartEpochMs, the fault timeline, the series
   * sampler) is that instant, so the traffic must start on it and never before; what it
   * returns counts from it (LoadResult.startEpochMs = startsAtEpochMs). `opts.signal` must
   * end it, also while it waits for the start.
   */
  start(scenario: ResolvedScenario, opts: RunLoadOptions): Promise<ScheduledLoad>;
}

export interface ScheduledLoad {
  /** Wall-clock instant (epoch ms) the traffic's schedule starts. */
  readonly startsAtEpochMs: number;
  /** The traffic's result, once it is over. */
  readonly done: Promise<LoadResult>;
}
