/**
 * NVIDIA AIPerf as a reference for peakready's LLM streaming figures (TTFT, ITL, output
 * tokens/s): runs the AIPerf that scripts/aiperf/install.sh installed against an
 * OpenAI-compatible server and reads its JSON summary.
 *
 * `runAiperf({ url, model, endpointType, concurrency, requestCount, ... })`, called by
 * bench/llm/crosscheck.ts (make bench-llm); for ad-hoc runs use `aiperf profile` itself.
 *
 * Pinned to aiperf 0.13.0 (the flags below are that version's `aiperf profile --help`):
 * - `--streaming`: TTFT and ITL exist only for streamed responses.
 * - `--tokenizer <local dir>`: no model hub is reachable; install.sh trains a byte-level BPE.
 *   HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are removed from AIPerf's environment: with them set,
 *   0.13 takes the path for a hub model name and fails. (`--tokenizer builtin` would download.)
 * - `--use-server-token-count`: output tokens are the server's `usage` counts (AIPerf then asks
 *   for stream_options.include_usage itself); counted with the client tokenizer, ITL is wrong.
 * - fixed output length: `--osl N --osl-stddev 0` sets max_tokens; `--extra-inputs
 *   {"ignore_eos":true,"min_tokens":N}` makes vLLM-style servers produce exactly N tokens
 *   (min_tokens only when the stddev is 0: it would exceed a smaller drawn max_tokens).
 * - `--use-legacy-max-tokens`: chat requests carry `max_tokens` (as completions always do, and
 *   as peakready sends) instead of `max_completion_tokens`.
 * - `--no-server-metrics --no-gpu-telemetry`: no scraping of the server's /metrics nor of DCGM
 *   ports on localhost during the measurement; `--ui none`: plain output for a log file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const AIPERF_VERSION = '0.13.0';
/** The summary AIPerf 0.13 writes into --artifact-dir (without --profile-export-prefix). */
export const AIPERF_EXPORT_FILE = 'profile_export_aiperf.json';

export interface AiperfOptions {
  /** Base URL of the server (AIPerf appends /v1/chat/completions or /v1/completions). */
  url: string;
  model: string;
  endpointType: 'chat' | 'completions';
  concurrency: number;
  requestCount: number;
  inputTokensMean: number;
  inputTokensStddev?: number;
  outputTokensMean: number;
  outputTokensStddev?: number;
  /** Where AIPerf writes its artifacts (created; a previous summary in it is removed first). */
  artifactDir: string;
  /** --random-seed (default 1): the same prompts on every run. */
  randomSeed?: number;
  /** --warmup-request-count (default none). */
  warmupRequests?: number;
  /** Kill AIPerf after this long (default 20 minutes). */
  timeoutMs?: number;
  /** Appended to the command line as is. */
  extraArgs?: string[];
  /** Default: the install of scripts/aiperf/install.sh (see aiperfInstall()). */
  aiperfBin?: string;
  tokenizerDir?: string;
}

export interface Stats {
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface AiperfFigures {
  ttftMs: Stats;
  itlMs: Stats;
  outputTokensPerSec: number;
  requestsPerSec: number;
  /** Successful requests. */
  requests: number;
  errors: number;
  /** Mean prompt and output tokens per request as the server reported them (usage). */
  inputTokensAvg: number;
  outputTokensAvg: number;
  /** Length of the profiling phase. */
  durationSec: number;
  aiperfVersion: string;
  /** The summary file the figures come from. */
  exportFile: string;
}

/** Where scripts/aiperf/install.sh puts AIPerf and the tokenizer. */
export function aiperfInstall(env: NodeJS.ProcessEnv = process.env): { dir: string; bin: string; tokenizerDir: string; stamp: string } {
  const dir = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'peakready', 'aiperf');
  return { dir, bin: join(dir, 'venv', 'bin', 'aiperf'), tokenizerDir: join(dir, 'tokenizer'), stamp: join(dir, 'installed') };
}

/** The `aiperf profile` command line for `opts` (without the binary). */
export function aiperfArgs(opts: AiperfOptions, tokenizerDir: string): string[] {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`runAiperf: ${name} must be an integer >= ${min}, got ${v}`);
    return String(v);
  };
  const num = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0) throw new Error(`runAiperf: ${name} must be a number >= 0, got ${v}`);
    return String(v);
  };
  if (opts.endpointType !== 'chat' && opts.endpointType !== 'completions') throw new Error(`runAiperf: endpointType must be chat or completions, got ${String(opts.endpointType)}`);
  const oslStddev = opts.outputTokensStddev ?? 0;
  const extra: Record<string, unknown> = { ignore_eos: true };
  if (oslStddev === 0) extra.min_tokens = opts.outputTokensMean;
  const args = [
    'profile',
    '--url', opts.url,
    '--model', opts.model,
    '--endpoint-type', opts.endpointType,
    '--streaming',
    '--tokenizer', tokenizerDir,
    '--use-server-token-count',
    '--use-legacy-max-tokens',
    '--isl', int('inputTokensMean', opts.inputTokensMean, 1),
    '--isl-stddev', num('inputTokensStddev', opts.inputTokensStddev ?? 0),
    '--osl', int('outputTokensMean', opts.outputTokensMean, 1),
    '--osl-stddev', num('outputTokensStddev', oslStddev),
    '--extra-inputs', JSON.stringify(extra),
    '--concurrency', int('concurrency', opts.concurrency, 1),
    '--request-count', int('requestCount', opts.requestCount, 1),
    '--random-seed', int('randomSeed', opts.randomSeed ?? 1, 0),
    '--artifact-dir', opts.artifactDir,
    '--ui', 'none',
    '--no-server-metrics',
    '--no-gpu-telemetry',
  ];
  if (opts.warmupRequests) args.push('--warmup-request-count', int('warmupRequests', opts.warmupRequests, 1));
  return [...args, ...(opts.extraArgs ?? [])];
}

const TIME_TO_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, sec: 1000 };
const PER_TO_PER_SEC: Record<string, number> = { ms: 1000, s: 1, sec: 1, second: 1, min: 1 / 60, minute: 1 / 60 };

/** Reads one metric of the summary: `{ unit, avg, p50, ... }` at the top level in 0.13. */
function metric(doc: Record<string, any>, tag: string): Record<string, any> | undefined {
  const m = doc[tag] ?? doc.records?.[tag] ?? doc.metrics?.[tag];
  return m && typeof m === 'object' && typeof m.unit === 'string' ? m : undefined;
}

function need(doc: Record<string, any>, tag: string, file: string): Record<string, any> {
  const m = metric(doc, tag);
  if (!m) {
    const errs = Array.isArray(doc.error_summary) && doc.error_summary.length ? `; AIPerf's error summary: ${JSON.stringify(doc.error_summary).slice(0, 1000)}` : '';
    throw new Error(`${file}: no ${tag} metric (no successful streamed request?)${errs}`);
  }
  return m;
}

function field(m: Record<string, any>, tag: string, stat: string, file: string): number {
  const v = m[stat];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: ${tag}.${stat} is ${JSON.stringify(v)}, expected a number`);
  return v;
}

/** A latency metric in milliseconds, converted from whatever unit AIPerf labels it with. */
function latencyMs(doc: Record<string, any>, tag: string, file: string): Stats {
  const m = need(doc, tag, file);
  const k = TIME_TO_MS[m.unit];
  if (k === undefined) throw new Error(`${file}: ${tag} has unit ${JSON.stringify(m.unit)}, not a time unit this parser knows (${Object.keys(TIME_TO_MS).join(', ')})`);
  return { avg: field(m, tag, 'avg', file) * k, p50: field(m, tag, 'p50', file) * k, p95: field(m, tag, 'p95', file) * k, p99: field(m, tag, 'p99', file) * k };
}

/** A rate in `<what>` per second, from a unit such as tokens/sec or requests/sec. */
function perSec(doc: Record<string, any>, tag: string, what: string, file: string): number {
  const m = need(doc, tag, file);
  const [num, per] = String(m.unit).split('/');
  const k = per === undefined ? undefined : PER_TO_PER_SEC[per];
  if (num !== what || k === undefined) throw new Error(`${file}: ${tag} has unit ${JSON.stringify(m.unit)}, expected ${what} per second`);
  return field(m, tag, 'avg', file) * k;
}

function count(doc: Record<string, any>, tag: string): number | undefined {
  const v = metric(doc, tag)?.avg;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Turns AIPerf's profile_export_aiperf.json (already parsed) into peakready's figures. */
export function parseAiperfExport(doc: unknown, file = AIPERF_EXPORT_FILE): AiperfFigures {
  if (!doc || typeof doc !== 'object') throw new Error(`${file}: not a JSON object`);
  const d = doc as Record<string, any>;
  if (d.was_cancelled === true) throw new Error(`${file}: the AIPerf run was cancelled`);
  const requests = count(d, 'request_count') ?? 0;
  // Error requests: their own counter when any failed, else completed (success + error) − success.
  let errors = count(d, 'error_request_count');
  const completed = count(d, 'completed_request_count');
  if (errors === undefined && completed !== undefined) errors = completed - requests;
  if (errors === undefined && Array.isArray(d.error_summary)) errors = d.error_summary.reduce((n: number, e: any) => n + (Number(e?.count) || 0), 0);
  if (requests === 0) throw new Error(`${file}: no successful request (${errors ?? '?'} errors): ${JSON.stringify(d.error_summary ?? []).slice(0, 1000)}`);
  const duration = metric(d, 'benchmark_duration');
  const durationK = duration ? TIME_TO_MS[duration.unit] : undefined;
  return {
    ttftMs: latencyMs(d, 'time_to_first_token', file),
    itlMs: latencyMs(d, 'inter_token_latency', file),
    outputTokensPerSec: perSec(d, 'output_token_throughput', 'tokens', file),
    requestsPerSec: perSec(d, 'request_throughput', 'requests', file),
    requests,
    errors: errors ?? 0,
    inputTokensAvg: count(d, 'input_sequence_length') ?? NaN,
    outputTokensAvg: count(d, 'output_sequence_length') ?? NaN,
    durationSec: duration && durationK !== undefined ? (duration.avg * durationK) / 1000 : NaN,
    aiperfVersion: typeof d.aiperf_version === 'string' ? d.aiperf_version : 'unknown',
    exportFile: file,
  };
}

/** Runs `aiperf profile` once (streaming, fixed output length) and returns its figures. */
export async function runAiperf(opts: AiperfOptions): Promise<AiperfFigures> {
  const install = aiperfInstall();
  const bin = opts.aiperfBin ?? install.bin;
  const tokenizerDir = opts.tokenizerDir ?? install.tokenizerDir;
  const hint = 'install it with: bash scripts/aiperf/install.sh';
  if (!existsSync(bin)) throw new Error(`AIPerf is not installed (no ${bin}); ${hint}`);
  if (!opts.aiperfBin) {
    // The flags above are aiperf 0.13's: refuse another version install.sh did not put there.
    const stamp = existsSync(install.stamp) ? readFileSync(install.stamp, 'utf8') : '';
    if (!stamp.includes(`aiperf==${AIPERF_VERSION} `)) throw new Error(`${install.dir} does not hold aiperf ${AIPERF_VERSION} (stamp ${install.stamp}: ${JSON.stringify(stamp.trim())}); ${hint}`);
  }
  if (!existsSync(join(tokenizerDir, 'tokenizer.json'))) throw new Error(`AIPerf's local tokenizer is missing (no ${join(tokenizerDir, 'tokenizer.json')}); ${hint}`);
  const artifactDir = resolve(opts.artifactDir);
  const args = aiperfArgs({ ...opts, artifactDir }, tokenizerDir);
  mkdirSync(artifactDir, { recursive: true });
  const exportFile = join(artifactDir, AIPERF_EXPORT_FILE);
  // A previous run's files must not pass for this one's.
  for (const f of [exportFile, join(artifactDir, 'profile_export.jsonl')]) rmSync(f, { force: true });

  const env: NodeJS.ProcessEnv = { ...process.env, TRANSFORMERS_VERBOSITY: 'error' };
  delete env.HF_HUB_OFFLINE;
  delete env.TRANSFORMERS_OFFLINE;
  const timeoutMs = opts.timeoutMs ?? 20 * 60_000;
  const logFile = join(artifactDir, 'aiperf-cli.log');
  const output: Buffer[] = [];
  // Own process group, so a timeout ends AIPerf's worker processes too.
  const child = spawn(bin, args, { cwd: artifactDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (b: Buffer) => output.push(b));
  child.stderr.on('data', (b: Buffer) => output.push(b));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  process.once('exit', killGroup);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', (c, s) => ok({ code: c, signal: s }));
  }).finally(() => {
    clearTimeout(timer);
    process.off('exit', killGroup);
  });
  // The last output may still be in the pipes; a leftover worker holding them must not hang us.
  await new Promise<void>((ok) => {
    if (child.stdout.closed && child.stderr.closed) return ok();
    const t = setTimeout(ok, 2000);
    child.once('close', () => (clearTimeout(t), ok()));
  });
  killGroup();
  const text = Buffer.concat(output).toString('utf8');
  writeFileSync(logFile, `${[bin, ...args].join(' ')}\n\n${text}`);
  const tail = text.trimEnd().split('\n').slice(-30).join('\n');
  if (timedOut) throw new Error(`aiperf did not finish within ${timeoutMs / 1000} s (killed); log: ${logFile}\n${tail}`);
  if (code !== 0) throw new Error(`aiperf exited with ${code ?? signal}; log: ${logFile}${firstRequestError(artifactDir)}\n${tail}`);
  if (!existsSync(exportFile)) throw new Error(`aiperf exited 0 but wrote no ${exportFile}; log: ${logFile}\n${tail}`);
  return parseAiperfExport(JSON.parse(readFileSync(exportFile, 'utf8')), exportFile);
}

/** The first failed request's error in AIPerf's per-request records, for a failure message. */
function firstRequestError(artifactDir: string): string {
  try {
    for (const line of readFileSync(join(artifactDir, 'profile_export.jsonl'), 'utf8').split('\n')) {
      if (!line.includes('"error"')) continue;
      const rec = JSON.parse(line) as { error?: { code?: unknown; message?: unknown } | null };
      if (rec.error) return `\nfirst request error: ${String(rec.error.code ?? '')} ${String(rec.error.message ?? '').slice(0, 500)}`;
    }
  } catch {
    // no records file: nothing to add
  }
  return '';
}

/** The first model a server lists at /v1/models. */
export async function firstModel(url: string): Promise<string> {
  const r = await fetch(new URL('/v1/models', url));
  if (r.status !== 200) throw new Error(`${url}/v1/models answered ${r.status}; pass --model`);
  const body = (await r.json()) as { data?: Array<{ id?: unknown }> };
  const id = body.data?.[0]?.id;
  if (typeof id !== 'string') throw new Error(`${url}/v1/models lists no model (is it an OpenAI-compatible server?)`);
  return id;
}
