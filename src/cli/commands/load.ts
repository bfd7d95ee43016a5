/**
 * `peakready load`: traffic only. With a scenario file, its mix and profile; without one,
 * the wrk-like form (one GET, closed model over --connections, or open at --rate).
 */
import type { Command } from 'commander';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { invalidInput } from '../../errors.js';
import { bareScenario, fixedTraffic, trafficShare } from '../../load/fixed-scenario.js';
import { formatLiveLine, type LiveSecond } from '../../load/live.js';
import type { LoadResult } from '../../load/load-result.js';
import { FixedSource } from '../../load/request-source.js';
import { runLoad } from '../../load/run-load.js';
import { runLoadInWorkers } from '../../load/run-load-workers.js';
import { checkTarget } from '../../load/target-guard.js';
import { tryParseDuration } from '../../scenario/duration.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { formatRunnerResult, runnerResult } from '../../platforms/kubernetes/runner-results.js';
import type { RegisterCommand } from './types.js';

interface LoadFlags {
  target?: string;
  rateScale?: string;
  timeScale?: string;
  seed?: string;
  out?: string;
  connections?: string;
  duration?: string;
  rate?: string;
  path?: string;
  timeout?: string;
  workers?: string;
  json?: boolean;
  allowRemoteTarget?: boolean;
  client?: string;
  scenario?: string;
  runners?: string;
  runnerIndex?: string;
  emitHistograms?: boolean;
  startAt?: string;
}

/** This process's share of a distributed run (`--runners N --runner-index I`). */
interface RunnerShare {
  readonly index: number;
  readonly count: number;
}

/** Reads --runners/--runner-index (index defaults to $JOB_COMPLETION_INDEX, as in an Indexed Job). */
function runnerShare(flags: LoadFlags, scenarioPath: string | undefined): RunnerShare | undefined {
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

function utcStamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

const f1 = (v: number): string => v.toFixed(1);

/** The end-of-run table: one row per endpoint and a total. */
export function endpointTable(result: LoadResult): string {
  const head = ['endpoint', 'requests', 'rps', 'errors', 'dropped', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'cache hit'];
  const secs = result.durationMs / 1000;
  const rows = result.endpointResults().map((e) => {
    const hit = e.cache.hit ?? 0;
    const miss = e.cache.miss ?? 0;
    return [e.endpoint, String(e.requests), f1(e.requests / secs), String(e.errors), String(e.dropped), f1(e.latency.p50), f1(e.latency.p90), f1(e.latency.p99), f1(e.latency.max), hit + miss > 0 ? `${((hit / (hit + miss)) * 100).toFixed(0)}%` : '-'];
  });
  const all = result.window(0, result.durationMs);
  const tot = result.totals();
  rows.push(['total', String(tot.requests), f1(tot.achievedRps), String(tot.errors), String(tot.dropped), f1(all?.latency.p50 ?? 0), f1(all?.latency.p90 ?? 0), f1(all?.latency.p99 ?? 0), f1(all?.latency.max ?? 0), '']);
  const out = [aligned(head, rows)];
  // Streamed generations get their own table: the figures LLM serving is judged by.
  const streamed = result.endpointResults().filter((e) => e.stream !== undefined);
  if (streamed.length > 0) {
    const sh = ['streamed', 'streams', 'cut off', 'no token', 'out tokens', 'tok/s', 'TTFT p50', 'TTFT p95', 'ITL p50', 'ITL p99', 'TPOT p50'];
    const sr = streamed.map((e) => {
      const s = e.stream!;
      return [e.endpoint, String(s.streams), String(s.cutOff), String(s.noToken), String(s.outputTokens), f1(s.outputTokensPerSecond), f1(s.ttft.p50), f1(s.ttft.p95), f1(s.itl.p50), f1(s.itl.p99), f1(s.tpot.p50)];
    });
    out.push('', aligned(sh, sr));
  }
  return out.join('\n');
}

function aligned(head: readonly string[], rows: readonly string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** The one-object summary of the wrk-like form. */
export function jsonSummary(result: LoadResult): object {
  const tot = result.totals();
  const all = result.window(0, result.durationMs);
  const lag = result.schedulingLag();
  return {
    rps: Math.round(tot.achievedRps * 10) / 10,
    latency: { p50: all?.latency.p50 ?? 0, p90: all?.latency.p90 ?? 0, p99: all?.latency.p99 ?? 0, max: all?.latency.max ?? 0 },
    errors: tot.errors,
    dropped: tot.dropped,
    requests: tot.requests,
    errorKinds: all?.errorKinds ?? {},
    ...(lag ? { schedulingLag: { p50: lag.p50, p99: lag.p99, max: lag.max } } : {}),
  };
}

async function action(positional: string | undefined, flags: LoadFlags, exit: { code: number }): Promise<void> {
  if (positional !== undefined && flags.scenario !== undefined && positional !== flags.scenario) {
    throw invalidInput(`--scenario: give the scenario once, got ${JSON.stringify(positional)} and --scenario ${JSON.stringify(flags.scenario)}`);
  }
  const scenarioPath = flags.scenario ?? positional;
  const share = runnerShare(flags, scenarioPath);
  const startAt = parseStartAt(flags.startAt);
  if (!flags.target) throw invalidInput('--target: expected a base URL like http://127.0.0.1:8080, got nothing');
  checkTarget(flags.target, flags.allowRemoteTarget === true);
  const baseSeed = num('seed', flags.seed, { int: true, min: 0, def: 1 });
  // Distinct, reproducible streams per runner (the same spread as worker threads).
  const seed = share && share.count > 1 ? (baseSeed + share.index * 0x9e3779b1) >>> 0 : baseSeed;
  const workers = num('workers', flags.workers, { int: true, min: 1, def: 1 });
  const tty = process.stderr.isTTY === true && !flags.json;
  const onSecond = tty ? (s: LiveSecond): void => void process.stderr.write(`\r\x1b[2K${formatLiveLine(s)}`) : undefined;
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  // --start-at: the engine sets up (connections), then starts its schedule's clock on the
  // common instant, never before it (RunLoadOptions.startAtEpochMs). Late (a slow pod), it
  // starts at once: its result line records its actual start, and the harness refuses a
  // runner that started too late.
  const common = { target: flags.target, seed, signal: abort.signal, allowRemoteTarget: flags.allowRemoteTarget === true, ...(onSecond ? { onSecond } : {}), ...(startAt !== undefined ? { startAtEpochMs: startAt } : {}) };
  const tellIfLate = (): void => {
    const late = startAt === undefined ? 0 : Date.now() - startAt;
    if (late > 0) process.stderr.write(`peakready: --start-at ${startAt} passed ${late} ms ago; starting now\n`);
  };
  let result: LoadResult;
  let name: string;
  try {
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
      name = scenario.name;
      if (share) scenario = { ...scenario, traffic: trafficShare(scenario.traffic, share.index, share.count) };
      tellIfLate();
      result = workers > 1 && !share
        ? await runLoadInWorkers({ ...common, workers, scenario: { kind: 'file', file: scenarioPath, timeScale, rateScale } })
        : await runLoad(scenario, common);
    } else {
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
      name = 'load';
      tellIfLate();
      result = workers > 1
        ? await runLoadInWorkers({ ...common, workers, rawClient, scenario: { kind: 'fixed', traffic, path, method: 'GET' } })
        : await runLoad(bareScenario(name, traffic), { ...common, rawClient, source: new FixedSource(path) });
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (tty) process.stderr.write('\n');
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(jsonSummary(result))}\n`);
  else process.stdout.write(`${endpointTable(result)}\n`);
  // A runner in a pod has no report folder to keep: its result goes to the log (below).
  if ((scenarioPath !== undefined && !flags.emitHistograms) || flags.out !== undefined) {
    const dir = flags.out ?? join('reports', `${name}-load-${utcStamp()}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'load.json');
    writeFileSync(file, `${JSON.stringify({ scenario: name, target: flags.target, seed, ...result.toJSON() }, null, 2)}\n`);
    if (!flags.json) process.stdout.write(`results: ${file}\n`);
  }
  // The last line, which the harness reads from the pod's log and merges (runner-results.ts).
  if (flags.emitHistograms) process.stdout.write(`${formatRunnerResult(runnerResult(share?.index ?? 0, result))}\n`);
  exit.code = result.aborted ? 130 : 0;
}

export const register: RegisterCommand = (program: Command, exit) => {
  program
    .command('load [scenario]')
    .description('drive traffic only: a scenario file\'s mix and profile, or (no scenario) one GET like wrk')
    .requiredOption('--target <url>', 'base URL to send traffic to (loopback only unless --allow-remote-target)')
    .option('--rate-scale <f>', 'multiply every arrival rate (scenario)')
    .option('--time-scale <f>', 'multiply every duration of the profile (scenario)')
    .option('--seed <n>', 'random seed (same seed, same traffic)', '1')
    .option('--out <dir>', 'folder for load.json (default reports/<scenario>-load-<UTC time>)')
    .option('--connections <n>', 'no scenario: connections (closed model) or the in-flight cap (open model)')
    .option('--duration <d>', 'no scenario: how long, e.g. 8s', '10s')
    .option('--rate <n>', 'no scenario: open model at this many requests per second')
    .option('--path <path>', 'no scenario: path to GET', '/')
    .option('--timeout <d>', 'no scenario: per-request timeout', '10s')
    .option('--client <name>', 'no scenario: raw (lean built-in HTTP/1.1 client) or undici', 'raw')
    .option('--workers <n>', 'worker threads sharing the traffic (when one core is not enough; default 1)')
    .option('--json', 'print one JSON object {rps, latency, errors, dropped, requests}')
    .option('--allow-remote-target', 'allow a non-loopback target')
    .option('--scenario <file>', 'scenario file (the same as the positional argument)')
    .option('--runners <n>', 'distributed load: the number of runners sharing the scenario\'s rate')
    .option('--runner-index <i>', 'distributed load: this runner\'s share, 0..N-1 (default $JOB_COMPLETION_INDEX)')
    .option('--start-at <epoch-ms>', 'start the traffic at this wall-clock instant (epoch ms), never before: runners started in lockstep')
    .option('--emit-histograms', 'end with one PEAKREADY_RUNNER_RESULT {json} line: HDR histograms and per-second data to merge')
    .action(async (scenario: string | undefined, flags: LoadFlags) => action(scenario, flags, exit));
};
