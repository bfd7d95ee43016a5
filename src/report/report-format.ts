/** Small formatting helpers the reporters share (numbers, durations, verdict labels). */
import type { Journal, SecondSample, StreamSummary } from '../contract/journal.js';

/** "1m30s", "45s", "250ms". */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number(s.toFixed(s < 10 ? 1 : 0))}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest === 0 ? `${m}m` : `${m}m${rest}s`;
}

/** Offset from traffic start in seconds with one decimal: "12.0s". */
export function fmtOffset(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function fmtPercent(share: number, digits = 2): string {
  return Number.isFinite(share) ? `${Number((share * 100).toFixed(digits))}%` : '–';
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)}ms` : '–';
}

export function fmtRps(rps: number): string {
  return `${rps.toFixed(1)} rps`;
}

/** Wall-clock length of the run from its timestamps, when both are known. */
export function runDurationMs(j: Journal): number | undefined {
  if (!j.endedAt) return undefined;
  const d = Date.parse(j.endedAt) - Date.parse(j.startedAt);
  return Number.isFinite(d) ? d : undefined;
}

/** Headline: the verdict, and the status when the run did not complete normally. */
export function headline(j: Journal): { verdict: 'PASS' | 'FAIL' | 'ERROR'; status: string | undefined; tone: 'pass' | 'fail' | 'warn' } {
  const verdict = j.verdict === 'pass' ? 'PASS' : j.verdict === 'error' ? 'ERROR' : 'FAIL';
  const status = j.status === 'completed' ? undefined : j.status.toUpperCase();
  return { verdict, status, tone: j.verdict === 'pass' ? 'pass' : j.status === 'completed' ? 'fail' : 'warn' };
}

/** Per-second samples for all endpoints: the "*" series, or the sum over endpoints when absent. */
export function allEndpointSeconds(j: Journal): SecondSample[] {
  const star = j.timeline.filter((s) => s.endpoint === '*');
  if (star.length > 0 || j.timeline.length === 0) return [...star].sort((a, b) => a.t - b.t);
  const byT = new Map<number, SecondSample[]>();
  for (const s of j.timeline) byT.set(s.t, [...(byT.get(s.t) ?? []), s]);
  return [...byT.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, list]) => {
      const add = (k: 'status' | 'errorKinds' | 'modelType' | 'modelVersion' | 'cache'): Record<string, number> => {
        const out: Record<string, number> = {};
        for (const s of list) for (const [key, n] of Object.entries(s[k])) out[key] = (out[key] ?? 0) + n;
        return out;
      };
      const count = list.reduce((a, s) => a + s.latency.count, 0);
      // Percentiles cannot be merged from summaries; the slowest endpoint's value is an upper bound.
      const maxOf = (k: 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max'): number => Math.max(...list.map((s) => s.latency[k]));
      return {
        t,
        endpoint: '*',
        requests: list.reduce((a, s) => a + s.requests, 0),
        errors: list.reduce((a, s) => a + s.errors, 0),
        dropped: list.reduce((a, s) => a + s.dropped, 0),
        status: add('status'),
        errorKinds: add('errorKinds'),
        modelType: add('modelType'),
        modelVersion: add('modelVersion'),
        cache: add('cache'),
        latency: {
          count,
          min: Math.min(...list.map((s) => s.latency.min)),
          mean: count === 0 ? 0 : list.reduce((a, s) => a + s.latency.mean * s.latency.count, 0) / count,
          p50: maxOf('p50'),
          p90: maxOf('p90'),
          p95: maxOf('p95'),
          p99: maxOf('p99'),
          p999: maxOf('p999'),
          max: maxOf('max'),
        },
      };
    });
}

/** Share of a header value among answers carrying the header, or null when none did. */
export function headerShare(counts: Readonly<Record<string, number>>, key: string, among?: readonly string[]): number | null {
  const keys = among ?? Object.keys(counts);
  const total = keys.reduce((a, k) => a + (counts[k] ?? 0), 0);
  return total > 0 ? (counts[key] ?? 0) / total : null;
}

/** Share of an endpoint's answers that came from the fallback (x-model-type), '–' when none carried the header. */
export function fallbackPercent(e: { readonly modelType: Readonly<Record<string, number>> }): string {
  let typed = 0;
  for (const v of Object.values(e.modelType)) typed += v;
  return typed > 0 ? fmtPercent((e.modelType['fallback'] ?? 0) / typed) : '–';
}

/** The streamed-generation columns the reports show per endpoint (TTFT from the intended send time, ITL every token gap, TPOT per request). */
export const STREAM_COLUMNS = ['Streams', 'Cut off', 'No token', 'Output tokens', 'Tokens/s', 'TTFT p50', 'TTFT p95', 'ITL p50', 'ITL p99', 'TPOT p50'] as const;

/** An endpoint's streams in the order of STREAM_COLUMNS. */
export function streamCells(s: StreamSummary): string[] {
  return [
    fmtInt(s.streams),
    fmtInt(s.cutOff),
    fmtInt(s.noToken),
    fmtInt(s.outputTokens),
    s.outputTokensPerSecond.toFixed(1),
    fmtMs(s.ttft.p50),
    fmtMs(s.ttft.p95),
    fmtMs(s.itl.p50),
    fmtMs(s.itl.p99),
    fmtMs(s.tpot.p50),
  ];
}
