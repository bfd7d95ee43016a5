/**
 * `peakready load` as one library call: traffic only, from a scenario file (its mix and
 * profile, optionally one runner's share of a distributed run, started at a common instant)
 * or, without one, the wrk-like form (one GET, closed model over `connections`, or open at
 * `rate`). Every option is checked here; the CLI only prints the result.
 */
import { accessSync, constants, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { tryParseDuration } from '../scenario/duration.js';
import { loadScenarioFile } from '../scenario/load-file.js';
import { parseAnswerFields, type AnswerFields } from '../scenario/stack-definition.js';
import { bareScenario, fixedTraffic, trafficShare } from './fixed-scenario.js';
import type { LiveSecond } from './live.js';
import type { LoadResult } from './load-result.js';
import { FixedSource } from './request-source.js';
import { runLoad } from './run-load.js';
import { runLoadInWorkers } from './run-load-workers.js';
import { checkTarget } from './target-guard.js';

/** The options of `peakready load`, as given (numbers and durations unparsed). */
export interface LoadInput {
  /** Base URL to send traffic to (loopback only unless allowRemoteTarget). */
  readonly target?: string;
  readonly rateScale?: string;
  readonly timeScale?: string;
  readonly seed?: string;
  readonly connections?: string;
  readonly duration?: string;
  readonly rate?: string;
  readonly path?: string;
  readonly timeout?: string;
  readonly workers?: string;
  readonly allowRemoteTarget?: boolean;
  readonly client?: string;
  /** The scenario file (the same as the positional argument). */
  readonly scenario?: string;
  readonly runners?: string;
  readonly runnerIndex?: string;
  /** A runner's result line will be printed: the run is one runner's share (index 0 of 1 by default). */
  readonly emitHistograms?: boolean;
  readonly startAt?: string;
  /** How answers are classified when the scenario has no classifier: JSON of a stack file's fields, e.g. {"modelType":{"json":"model_type"}}. */
  readonly classify?: string;
}

/** This process's share of a distributed run (`--runners N --runner-index I`). */
export interface RunnerShare {
  readonly index: number;
  readonly count: number;
}

/** What `runLoadInput` drove. */
export interface LoadRun {
  readonly result: LoadResult;
  /** The scenario's name, or "load" for the wrk-like form. */
  readonly name: string;
  /** The seed this process used (a runner's is derived from the base seed and its index). */
  readonly seed: number;
  readonly share: RunnerShare | undefined;
  readonly scenarioPath: string | undefined;
}

export interface LoadHooks {
  readonly signal?: AbortSignal;
  readonly onSecond?: (s: LiveSecond) => void;
  /** A line for the user (a start instant that had already passed). */
  readonly log?: (line: string) => void;
}

/** Checks the options and drives the traffic. Throws INVALID_INPUT naming the option. */
export async function runLoadInput(positional: string | undefined, flags: LoadInput, hooks: LoadHooks = {}): Promise<LoadRun> {
  if (positional !== undefined && flags.scenario !== undefined && positional !== flags.scenario) {
    throw invalidInput(`--scenario: give the scenario once, got ${JSON.stringify(positional)} and --scenario ${JSON.stringify(flags.scenario)}`);
  }
  const scenarioPath = flags.scenario ?? positional;
  const classify = classifyFlag(flags.classify, scenarioPath);
  const share = runnerShare(flags, scenarioPath);
  const startAt = parseStartAt(flags.startAt);
  if (!flags.target) throw invalidInput('--target: expected a base URL like http://127.0.0.1:8080, got nothing');
  checkTarget(flags.target, flags.allowRemoteTarget === true);
  const baseSeed = num('seed', flags.seed, { int: true, min: 0, def: 1 });
  // Distinct, reproducible streams per runner (the same spread as worker threads).
  const seed = share && share.count > 1 ? (baseSeed + share.index * 0x9e3779b1) >>> 0 : baseSeed;
  const workers = num('workers', flags.workers, { int: true, min: 1, def: 1 });
  // --start-at: the engine sets up (connections), then starts its schedule's clock on the
  // common instant, never before it (RunLoadOptions.startAtEpochMs). Late (a slow pod), it
  // starts at once: its result line records its actual start, and the harness refuses a
  // runner that started too late.
  const common = {
    target: flags.target,
    seed,
    allowRemoteTarget: flags.allowRemoteTarget === true,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.onSecond ? { onSecond: hooks.onSecond } : {}),
    ...(startAt !== undefined ? { startAtEpochMs: startAt } : {}),
  };
  const tellIfLate = (): void => {
    const late = startAt === undefined ? 0 : Date.now() - startAt;
    if (late > 0) hooks.log?.(`--start-at ${startAt} passed ${late} ms ago; starting now`);
  };
  if (scenarioPath !== undefined) {
    const timeScale = num('time-scale', flags.timeScale, { def: 1, min: Number.MIN_VALUE });
    const rateScale = num('rate-scale', flags.rateScale, { def: 1, min: Number.MIN_VALUE });
    const file = share ? writableScenario(scenarioPath) : { path: scenarioPath, cleanup: () => undefined };
    let scenario;
    try {
      scenario = await loadScenarioFile(file.path, { timeScale, rateScale });
    } finally {
      file.cleanup();
    }
    const name = scenario.name;
    // The scenario's own classifier wins over a stack's (as in a run).
    if (classify && scenario.stack.classify === undefined) scenario = { ...scenario, stack: { ...scenario.stack, classify } };
    if (share) scenario = { ...scenario, traffic: trafficShare(scenario.traffic, share.index, share.count) };
    tellIfLate();
    const result =
      workers > 1 && !share
        ? await runLoadInWorkers({ ...common, workers, scenario: { kind: 'file', file: scenarioPath, timeScale, rateScale } })
        : await runLoad(scenario, common);
    return { result, name, seed, share, scenarioPath };
  }
  const rate = flags.rate === undefined ? undefined : num('rate', flags.rate, { min: Number.MIN_VALUE, def: 0 });
  const traffic = fixedTraffic({
    connections: num('connections', flags.connections, { int: true, min: 1, def: rate === undefined ? 64 : 1000 }),
    durationMs: dur('duration', flags.duration, '10s'),
    timeoutMs: dur('timeout', flags.timeout, '10s'),
    ...(rate !== undefined ? { rate } : {}),
  });
  const client = flags.client ?? 'raw';
  if (client !== 'raw' && client !== 'undici') throw invalidInput(`--client: expected raw or undici, got ${JSON.stringify(client)}`);
  const rawClient = client === 'raw';
  const u = new URL(flags.path ?? '/', flags.target);
  const path = u.pathname + u.search;
  const name = 'load';
  tellIfLate();
  const result =
    workers > 1
      ? await runLoadInWorkers({ ...common, workers, rawClient, scenario: { kind: 'fixed', traffic, path, method: 'GET' } })
      : await runLoad(bareScenario(name, traffic), { ...common, rawClient, source: new FixedSource(path) });
  return { result, name, seed, share, scenarioPath };
}

/** --classify: a stack file's classifier as JSON fields, for a scenario's traffic. */
function classifyFlag(text: string | undefined, scenarioPath: string | undefined): AnswerFields | undefined {
  if (text === undefined) return undefined;
  if (scenarioPath === undefined) throw invalidInput(`--classify: only with a scenario (its answers are classified), got --classify ${JSON.stringify(text)}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidInput(`--classify: expected JSON like {"modelType":{"json":"model_type"}}, got ${JSON.stringify(text)}`);
  }
  const fields = parseAnswerFields(value, '--classify');
  if (Array.isArray(fields)) throw invalidInput('--classify: not a classifier', fields);
  return fields;
}

/** Reads --runners/--runner-index (index defaults to $JOB_COMPLETION_INDEX, as in an Indexed Job). */
function runnerShare(flags: LoadInput, scenarioPath: string | undefined): RunnerShare | undefined {
  if (flags.runners === undefined && flags.runnerIndex === undefined) {
    if (flags.emitHistograms) return { index: 0, count: 1 };
    return undefined;
  }
  const count = num('runners', flags.runners, { int: true, min: 1, def: 1 });
  const index = num('runner-index', flags.runnerIndex ?? process.env.JOB_COMPLETION_INDEX, { int: true, min: 0, def: 0 });
  if (index >= count) throw invalidInput(`--runner-index: expected an integer 0..${count - 1} (--runners ${count}), got ${index}`);
  if (scenarioPath === undefined) throw invalidInput('--runners: expected a scenario file (--scenario FILE) to split, got none');
  if (flags.workers !== undefined && flags.workers !== '1') throw invalidInput(`--workers: a load runner runs one worker (scale with --runners), got ${JSON.stringify(flags.workers)}`);
  return { index, count };
}

/**
 * The scenario loader bundles next to the file; a runner's scenario sits on a read-only
 * ConfigMap mount, so it is loaded from a private copy instead.
 */
function writableScenario(path: string): { path: string; cleanup: () => void } {
  try {
    accessSync(dirname(path), constants.W_OK);
    return { path, cleanup: () => undefined };
  } catch {
    const dir = mkdtempSync(join(tmpdir(), 'peakready-scenario-'));
    const copy = join(dir, basename(path));
    copyFileSync(path, copy);
    return { path: copy, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
}

function num(flag: string, v: string | undefined, opts: { int?: boolean; min?: number; def: number }): number {
  if (v === undefined) return opts.def;
  const n = Number(v);
  const ok = v.trim() !== '' && Number.isFinite(n) && (!opts.int || Number.isInteger(n)) && (opts.min === undefined || n >= opts.min);
  if (!ok) throw invalidInput(`--${flag}: expected ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}, got ${JSON.stringify(v)}`);
  return n;
}

/** Before this (epoch ms), a --start-at value is no wall-clock instant in ms (seconds, most likely). */
const EPOCH_MS_FLOOR = 1e12;
/** A start further ahead than this is a mistake, not a lead for pods to start. */
const START_AT_MAX_AHEAD_MS = 24 * 3600_000;

/**
 * --start-at: the epoch ms at which the traffic's schedule starts (the harness's common
 * start for every runner). Undefined without the flag.
 */
export function parseStartAt(v: string | undefined, now: number = Date.now()): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < EPOCH_MS_FLOOR) {
    throw invalidInput(`--start-at: expected a wall-clock instant in epoch milliseconds (an integer like ${Math.round(now)}), got ${JSON.stringify(v)}`);
  }
  if (n - now > START_AT_MAX_AHEAD_MS) throw invalidInput(`--start-at: expected an instant within 24 h from now, got ${JSON.stringify(v)} (${((n - now) / 3600_000).toFixed(1)} h ahead)`);
  return n;
}

function dur(flag: string, v: string | undefined, def: string): number {
  const ms = tryParseDuration(v ?? def);
  if (ms === undefined || ms <= 0) throw invalidInput(`--${flag}: expected a duration like "8s" or "1m", got ${JSON.stringify(v)}`);
  return ms;
}
