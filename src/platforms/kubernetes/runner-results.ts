/**
 * Reads and merges what load runners report. A runner's log ends with one line
 *   PEAKREADY_RUNNER_RESULT {"index":0,"endpoints":{"<name>":{"histogram":"<base64>","ok":n,"errors":n,"dropped":n}}}
 * where `histogram` is an HDR histogram (microseconds, the load engine's layout) encoded
 * with hdr-histogram-js' compressed base64. Merging adds histograms bucket by bucket, so
 * the merged percentiles are exactly those of one histogram of every runner's samples.
 */
import { invalidInput } from '../../errors.js';
import { mergeEncoded, newHistogram, type Histogram } from '../../load/histogram.js';

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
