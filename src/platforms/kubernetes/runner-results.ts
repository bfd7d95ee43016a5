/**
 * Reads and merges what load runners report. A runner's log ends with one line
 *   PEAKREADY_RUNNER_RESULT {"index":0,"endpoints":{"<name>":{"histogram":"<base64>","ok":n,"errors":n,"dropped":n}}}
 * where `histogram` is an HDR histogram (microseconds, the load engine's layout) encoded
 * with hdr-histogram-js' compressed base64. Merging adds histograms bucket by bucket, so
 * the merged percentiles are exactly those of one histogram of every runner's samples.
 * `data` (optional) carries the runner's per-100-ms data too, so the harness can rebuild
 * one LoadResult whose SLO windows and timeline cover every runner (mergeRunnerLoad).
 * `data.startEpochMs` is the runner's own traffic start (wall clock, taken by runLoad when
 * its schedule's clock starts); the merge aligns every runner on it (alignRunnerData).
 */
import { environmentError, invalidInput } from '../../contract/errors.js';
import { mergeEncoded, newHistogram, type Histogram } from '../../load/histogram.js';
import { LoadResult, storeOf, type LoadData } from '../../load/load-result.js';
import { mergeLoadData } from '../../load/merge.js';
import { ByteWriter, emptyCell, writeCell } from '../../load/slice-codec.js';
import { emptyStreamCell, writeStreamCell } from '../../load/stream-store.js';

export const RESULT_PREFIX = 'PEAKREADY_RUNNER_RESULT ';

export interface RunnerEndpointResult {
  readonly histogram: string;
  readonly ok: number;
  readonly errors: number;
  readonly dropped: number;
}

export interface RunnerResult {
  readonly index: number;
  readonly endpoints: Readonly<Record<string, RunnerEndpointResult>>;
  /** The runner's per-100-ms data (`peakready load --emit-histograms` always sends it). */
  readonly data?: LoadData;
}

/** What runner `index` reports for its load result (the JSON after RESULT_PREFIX). */
export function runnerResult(index: number, result: LoadResult): RunnerResult {
  const endpoints: Record<string, RunnerEndpointResult> = {};
  for (const e of result.endpointResults()) {
    endpoints[e.endpoint] = { histogram: e.histogram, ok: e.requests - e.errors, errors: e.errors, dropped: e.dropped };
  }
  return { index, endpoints, data: result.data };
}

/** The runner's last log line: RESULT_PREFIX and the result as one line of JSON. */
export function formatRunnerResult(r: RunnerResult): string {
  return `${RESULT_PREFIX}${JSON.stringify(r)}`;
}

/** How far past the common start (`--start-at`) a runner may start its schedule and still be merged. */
export const RUNNER_START_TOLERANCE_MS = 1000;

export interface RunnerStartCheck {
  /** The common start every runner was given (`--start-at`, epoch ms): the harness's traffic start. */
  readonly startAtEpochMs: number;
  /** The lead the harness gave the Job to start its pods (ms), for the hint. */
  readonly leadMs?: number;
  /** Default RUNNER_START_TOLERANCE_MS. */
  readonly toleranceMs?: number;
}

/**
 * Refuses a merge that would misplace a runner's traffic: every runner must have started
 * its schedule (its recorded `data.startEpochMs`) within `toleranceMs` after the common
 * start. A later runner (a pod scheduled or pulled too slowly) sent its share late, so every
 * fault and phase window would read too little of its traffic early on and too much after:
 * an environment error naming the runners and how late they were, never a silent merge.
 * A runner never starts before the common start (it waits for it), so one that reports an
 * earlier start did not honour `--start-at` (an older image), and is refused too. The runners
 * compare the start with their nodes' clocks: a node clock off from the harness's is not seen.
 */
export function checkRunnerStarts(results: readonly RunnerResult[], opts: RunnerStartCheck): void {
  const tolerance = opts.toleranceMs ?? RUNNER_START_TOLERANCE_MS;
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const problems: string[] = [];
  let late = false;
  for (const r of [...results].sort((a, b) => a.index - b.index)) {
    if (r.data === undefined) continue; // mergeRunnerLoad refuses these itself
    const offset = r.data.startEpochMs - opts.startAtEpochMs;
    if (offset > tolerance) {
      late = true;
      problems.push(`load runner ${r.index} started its traffic ${s(offset)} after the common start (at most ${s(tolerance)} allowed)`);
    } else if (offset < 0) {
      problems.push(`load runner ${r.index} started its traffic ${s(-offset)} before the common start: it did not wait for --start-at (an older peakready image?)`);
    }
  }
  if (problems.length === 0) return;
  const lead = opts.leadMs === undefined ? 'the lead' : `the ${s(opts.leadMs)} lead`;
  const hint = late
    ? `the runner pods took longer than ${lead} to start (scheduling, image pull): raise the lead (leadMs of loadRunner/jobLoadRunner), or pre-pull the image on the nodes`
    : 'run the load runners from an image of this peakready version';
  throw environmentError(problems.length === 1 ? problems[0]! : `${problems.length} load runners did not start on time: ${problems.join('; ')}`, hint);
}

export interface MergeRunnerLoadOptions {
  /**
   * The run's traffic start as the harness announced it (epoch ms: run-scenario's
   * `trafficStartEpochMs`, the 'traffic-start' event), the instant its fault timeline and
   * phase windows count from. Default: the earliest runner start.
   */
  readonly originEpochMs?: number;
}

/**
 * One LoadResult of every runner, for the SLO windows, timeline and totals the harness
 * computes as from a local run. Each runner counts its slices from its own traffic start,
 * and the runners of a Job start seconds apart (scheduling, image pulls), so each runner's
 * data is first shifted onto one clock (alignRunnerData): merged second k is the same
 * wall-clock second for every runner, k seconds after the origin.
 *
 * The origin is the harness's announced traffic start when the caller passes it: the fault
 * timeline is started on that instant (FaultTimeline.start(trafficT0)) and faults, phases
 * and events are recorded in ms from it, so only that origin makes a fault's window read the
 * seconds the fault was actually in place; the runners, which are created after it, then
 * show as starting a few seconds in. Without it the origin is the earliest runner start, the
 * best the runners' own records give: runners stay aligned with each other, and fault
 * windows are off by the first runner's start-up delay. The origin is never later than the
 * earliest runner start (a node clock a little behind the harness's would otherwise cut off
 * that runner's first slices): no data is dropped, whatever the clocks say.
 */
export function mergeRunnerLoad(results: readonly RunnerResult[], expectedRunners = results.length, opts: MergeRunnerLoadOptions = {}): LoadResult {
  mergeRunnerResults(results, expectedRunners); // the same completeness check
  const without = results.filter((r) => r.data === undefined).map((r) => r.index);
  if (without.length > 0) throw invalidInput(`load runners ${without.join(', ')} sent no per-second data (an older peakready image?); SLO windows need it`);
  const runs = [...results].sort((a, b) => a.index - b.index).map((r) => r.data!);
  const earliest = Math.min(...runs.map((d) => d.startEpochMs));
  const origin = opts.originEpochMs === undefined ? earliest : Math.min(opts.originEpochMs, earliest);
  return new LoadResult(mergeLoadData(runs.map((d) => alignRunnerData(d, origin))));
}

/**
 * A runner's data moved onto the clock of `originEpochMs`: its slices (and stream cells)
 * start `startEpochMs − originEpochMs` later, so slice k of the result covers intended send
 * times [origin + k·ms, origin + (k+1)·ms) of the wall clock, as for every other runner.
 *
 * Sub-slice offsets: the data holds no finer time than its slices (100 ms; 1 s for the
 * per-second data of older engines), so the offset is rounded to the nearest whole slice.
 * Each runner slice then lands in the merged slice it overlaps most (its span is displaced
 * by at most half a slice, 50 ms, so a request is never more than one slice off), and
 * counters and histograms move as whole cells, so nothing is split or double-counted.
 * The offset is counted in the data's widest cells (slices and streams), so a runner's
 * requests and streams move together. `durationMs` grows by the shift: the merged run spans
 * from the origin to the last runner's end. An origin after the runner's start counts as
 * no shift (mergeRunnerLoad never passes one).
 */
export function alignRunnerData(data: LoadData, originEpochMs: number): LoadData {
  const slices = data.slices ?? storeOf(data).toData();
  const width = Math.max(slices.ms, data.streams?.ms ?? 0);
  const shiftMs = Math.max(0, Math.round((data.startEpochMs - originEpochMs) / width)) * width;
  const { seconds: _legacy, ...rest } = data;
  const n = data.endpoints.length;
  return {
    ...rest,
    startEpochMs: originEpochMs,
    durationMs: data.durationMs + shiftMs,
    slices: prependEmpty(slices, Math.round(shiftMs / slices.ms), n, (w) => writeCell(w, emptyCell())),
    ...(data.streams ? { streams: prependEmpty(data.streams, Math.round(shiftMs / data.streams.ms), n, (w) => writeStreamCell(w, emptyStreamCell())) } : {}),
  };
}

/** `count` time cells of empty cells (one per endpoint, written by `writeEmpty`) before the data's own. */
function prependEmpty<T extends { count: number; data: string }>(d: T, count: number, endpoints: number, writeEmpty: (w: ByteWriter) => void): T {
  if (count === 0) return d;
  const w = new ByteWriter();
  for (let i = 0; i < count * endpoints; i++) writeEmpty(w);
  w.append(Buffer.from(d.data, 'base64'));
  return { ...d, count: d.count + count, data: Buffer.from(w.done()).toString('base64') };
}

export interface MergedEndpoint {
  readonly histogram: Histogram;
  readonly ok: number;
  readonly errors: number;
  readonly dropped: number;
}

/** The result line of one runner's log; `source` names the pod in errors. */
export function parseRunnerLog(log: string, source: string): RunnerResult {
  const line = log.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw invalidInput(`${source}: no ${RESULT_PREFIX.trim()} line in the runner's log (did it finish?)`);
  try {
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as RunnerResult;
  } catch (err) {
    throw invalidInput(`${source}: unreadable ${RESULT_PREFIX.trim()} line: ${(err as Error).message}`);
  }
}

/** Merges every runner's endpoints; `all` holds every endpoint together. Every index 0..n-1 must be present. */
export function mergeRunnerResults(results: readonly RunnerResult[], expectedRunners = results.length): Map<string, MergedEndpoint> {
  const seen = new Set(results.map((r) => r.index));
  const missing = Array.from({ length: expectedRunners }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw invalidInput(`load runners ${missing.join(', ')} reported nothing; the merged result would under-count`);
  const acc = new Map<string, { encoded: string[]; ok: number; errors: number; dropped: number }>();
  const add = (name: string, e: RunnerEndpointResult): void => {
    const a = acc.get(name) ?? { encoded: [], ok: 0, errors: 0, dropped: 0 };
    a.encoded.push(e.histogram);
    a.ok += e.ok;
    a.errors += e.errors;
    a.dropped += e.dropped;
    acc.set(name, a);
  };
  for (const r of results) {
    for (const [name, e] of Object.entries(r.endpoints)) {
      add(name, e);
      add('all', e);
    }
  }
  const out = new Map<string, MergedEndpoint>();
  for (const [name, a] of acc) out.set(name, { histogram: mergeEncoded(a.encoded, newHistogram()), ok: a.ok, errors: a.errors, dropped: a.dropped });
  return out;
}
