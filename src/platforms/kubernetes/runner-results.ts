/**
 * Reads and merges what load runners report. A runner's log ends with one line
 *   PEAKREADY_RUNNER_RESULT {"index":0,"endpoints":{"<name>":{"histogram":"<base64>","ok":n,"errors":n,"dropped":n}}}
 * where `histogram` is an HDR histogram (microseconds, the load engine's layout) encoded
 * with hdr-histogram-js' compressed base64. Merging adds histograms bucket by bucket, so
 * the merged percentiles are exactly those of one histogram of every runner's samples.
 * `data` (optional) carries the runner's per-100-ms data too, so the harness can rebuild
 * one LoadResult whose SLO windows and timeline cover every runner (mergeRunnerLoad).
 */
import { invalidInput } from '../../errors.js';
import { mergeEncoded, newHistogram, type Histogram } from '../../load/histogram.js';
import { LoadResult, type LoadData } from '../../load/load-result.js';
import { mergeLoadData } from '../../load/merge.js';

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

/**
 * One LoadResult of every runner (slices aligned on each runner's own traffic start), for
 * the SLO windows, timeline and totals the runner computes from a local run.
 */
export function mergeRunnerLoad(results: readonly RunnerResult[], expectedRunners = results.length): LoadResult {
  mergeRunnerResults(results, expectedRunners); // the same completeness check
  const without = results.filter((r) => r.data === undefined).map((r) => r.index);
  if (without.length > 0) throw invalidInput(`load runners ${without.join(', ')} sent no per-second data (an older peakready image?); SLO windows need it`);
  return new LoadResult(mergeLoadData([...results].sort((a, b) => a.index - b.index).map((r) => r.data!)));
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
