/**
 * `peakready load`: traffic only. With a scenario file, its mix and profile; without one,
 * the wrk-like form (one GET, closed model over --connections, or open at --rate). The
 * option table, one library call (`runLoadInput`: every option checked there) and the
 * printed result (a table or one JSON object, load.json, a runner's result line).
 */
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLiveLine, type LiveSecond } from '../../load/live.js';
import type { LoadResult } from '../../load/load-result.js';
import { runLoadInput, type LoadInput, type LoadRun } from '../../load/load-input.js';
import { formatRunnerResult, runnerResult } from '../../platforms/factory.js';
import type { ExitSlot, RegisterCommand } from './types.js';

interface LoadFlags extends LoadInput {
  out?: string;
  json?: boolean;
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

async function action(positional: string | undefined, flags: LoadFlags, exit: ExitSlot): Promise<void> {
  const tty = process.stderr.isTTY === true && !flags.json;
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let run: LoadRun;
  try {
    run = await runLoadInput(positional, flags, {
      signal: abort.signal,
      ...(tty ? { onSecond: (s: LiveSecond): void => void process.stderr.write(`\r\x1b[2K${formatLiveLine(s)}`) } : {}),
      log: (line) => process.stderr.write(`peakready: ${line}\n`),
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (tty) process.stderr.write('\n');
  }
  const { result, name, seed, share, scenarioPath } = run;
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
  exit.outcome = result.aborted ? { kind: 'interrupted' } : { kind: 'done' };
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
    .option('--classify <json>', 'scenario without a classifier of its own: how answers say which model answered, cache and version, as a stack file\'s fields, e.g. {"modelType":{"json":"model_type"}}')
    .option('--emit-histograms', 'end with one PEAKREADY_RUNNER_RESULT {json} line: HDR histograms and per-second data to merge')
    .action(async (scenario: string | undefined, flags: LoadFlags) => action(scenario, flags, exit));
};
