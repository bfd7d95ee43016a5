/**
 * Optional capabilities of a Platform (in the style of k6's optional module interfaces):
 * what only some platforms offer, each as its own small interface with a type guard. A
 * feature that needs one checks the platform it was given with the guard and never names a
 * concrete implementation:
 *
 *   if (isScheduledLoadRunners(platform)) await platform.loadRunner(n, file);
 *
 * Which platform implements what today: local — ManualFaults, AdminControl, StackServices,
 * StartupTime, MetricsQuery; kubernetes — ScheduledLoadRunners, ServiceReach.
 *
 * This module names no implementation (only ./factory.ts imports platforms/local and
 * platforms/kubernetes).
 */
import type { ScheduledLoadRunner } from '../load/load-runner.js';
import type { FaultParams, ResolvedFault } from '../scenario/fault-spec.js';
import type { AnswerFields } from '../scenario/stack-definition.js';
import type { Platform, Revert, StackEndpoints } from './platform.js';

/** A fault as an operator asks for it by hand (`chaos inject`, the game-day console). */
export interface FaultRequest {
  readonly kind: string;
  readonly target: string;
  /** How long until it reverts itself, e.g. "2m" (none: until cleared). */
  readonly for?: string;
  readonly id?: string;
  readonly params?: FaultParams;
}

/**
 * Faults injected by hand outside a run (`chaos inject|clear`, the game-day console): the
 * caller owns the revert, and the platform schedules the timed ones. A run never uses this;
 * its FaultTimeline is the only scheduler there.
 */
export interface ManualFaults {
  /** The request resolved (INVALID_INPUT naming the field when it is wrong). */
  resolveFaultRequest(req: FaultRequest): ResolvedFault;
  /** Injects `fault` and reverts it after its duration (none: until reverted); the returned revert also cancels the timer. */
  injectTimed(fault: ResolvedFault): Promise<Revert>;
  /** Reverts every active fault. */
  clearFaults(): Promise<void>;
}

/** A running admin API (see AdminControl). */
export interface AdminServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A stack that stays up outside a run (`stack up`) and is reached by `stack status|down`
 * and `chaos inject|list|clear` through a loopback admin API.
 */
export interface AdminControl {
  /**
   * Serves the admin API for this platform, which is up, and records its URL where those
   * commands find it; `onDown` is called (once) when a `stack down` arrives.
   */
  serveAdmin(endpoints: StackEndpoints, onDown: () => void): Promise<AdminServer>;
}

/** The application services the platform runs (what faults can target, besides its datastores). */
export interface StackServices {
  readonly services: readonly string[];
}

/** How long the last `up` took until every service was ready. */
export interface StartupTime {
  /** Milliseconds from `up` to every service ready; undefined before the first `up` finished. */
  readonly upMs: number | undefined;
}

/** One sample of an instant PromQL query; a scalar comes back as one sample without labels. */
export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Instant PromQL queries against the stack's own Prometheus (after `up`). */
export interface MetricsQuery {
  /** Throws (rejects) on HTTP or PromQL errors. */
  queryMetrics(promql: string, timeoutMs?: number): Promise<readonly MetricSample[]>;
}

/** Scales of a scenario as `run --time-scale/--rate-scale` gave them, and the runners' lead. */
export interface LoadRunnerScales {
  readonly timeScale?: number;
  readonly rateScale?: number;
  /** How far ahead (ms) the runners' common start is set. */
  readonly leadMs?: number;
  /** The image the runner pods run (peakready's own, which holds the CLI); default the reference stack's. */
  readonly image?: string;
  /** How the runners classify answers when the scenario has no classifier of its own (a stack file's, as data). */
  readonly classify?: AnswerFields;
}

/** Drives a run's traffic from runners the platform schedules (`run --load-runners N`) instead of this process. */
export interface ScheduledLoadRunners {
  /**
   * A RunOptions.loadRunner for `runners` runners of `scenarioFile`. Prepares what can fail
   * early (e.g. bundling the scenario) now, before anything is deployed.
   */
  loadRunner(runners: number, scenarioFile: string, scales?: LoadRunnerScales): Promise<ScheduledLoadRunner>;
}

/** How the harness reached a Service of the stack. */
export type ReachKind = 'cluster-ip' | 'node-port' | 'port-forward';

/** How the harness reaches the stack's services (after `up`). */
export interface ServiceReach {
  /** Per service the harness talks to (gateway, prometheus): how it was reached. */
  reachedBy(): Readonly<Record<string, ReachKind>>;
}

/** True when every named member of `platform` is a function. */
function hasMethods(platform: Platform, ...names: readonly string[]): boolean {
  return names.every((n) => typeof (platform as unknown as Record<string, unknown>)[n] === 'function');
}

export function isManualFaults(platform: Platform): platform is Platform & ManualFaults {
  return hasMethods(platform, 'resolveFaultRequest', 'injectTimed', 'clearFaults');
}

export function isAdminControl(platform: Platform): platform is Platform & AdminControl {
  return hasMethods(platform, 'serveAdmin');
}

export function isStackServices(platform: Platform): platform is Platform & StackServices {
  return Array.isArray((platform as Partial<StackServices>).services);
}

export function isStartupTime(platform: Platform): platform is Platform & StartupTime {
  return 'upMs' in platform;
}

export function isMetricsQuery(platform: Platform): platform is Platform & MetricsQuery {
  return hasMethods(platform, 'queryMetrics');
}

export function isScheduledLoadRunners(platform: Platform): platform is Platform & ScheduledLoadRunners {
  return hasMethods(platform, 'loadRunner');
}

export function isServiceReach(platform: Platform): platform is Platform & ServiceReach {
  return hasMethods(platform, 'reachedBy');
}
