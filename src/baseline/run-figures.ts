/**
 * The figures of one run that a baseline comparison looks at, read from its journal only
 * (so any journal on disk can serve as a baseline):
 *
 * - p99 overall: the endpoints' whole-run HDR histograms merged exactly (percentiles of
 *   summaries cannot be merged); p99 per endpoint from its whole-run summary.
 * - throughput: `totals.achievedRps`.
 * - error rate: `totals.errors / totals.requests`.
 * - fallback share: answers with `x-model-type: fallback` among answers carrying that header,
 *   the same definition the fallback-share SLOs use (transport errors carry no header and
 *   count neither way, so an outage does not hide a fallback increase).
 * - rollback time, per deploy event: from the deploy to the first rollout event of the same
 *   service that is Degraded or Aborted with canary weight 0 (the SLO engine's "RolledBack").
 *   A deploy that never rolled back has `null`. Rollback SLO results are not parsed: the
 *   events are exact and exist whether or not the scenario declared such an SLO.
 */
import type { Journal, TimelineEvent } from '../contract/journal.js';
import { mergeEncoded, percentileMs } from '../load/histogram.js';

export interface RunFigures {
  readonly p99: number | null;
  /** Endpoints that answered at least one request. */
  readonly endpointP99: ReadonlyMap<string, number>;
  readonly throughput: number | null;
  readonly errorRate: number | null;
  readonly fallbackShare: number | null;
  /** Deploy id → ms from the deploy to the rollback, or null when it did not roll back. */
  readonly rollbackMs: ReadonlyMap<string, number | null>;
}

const ROLLBACK_PHASES = new Set(['Degraded', 'Aborted']);

/**
 * Reads the compared figures from a journal; a figure the journal cannot give is null.
 * Journals come from disk (older versions, hand edits), so missing lists count as empty.
 */
export function runFigures(input: Journal): RunFigures {
  const j: Journal = { ...input, endpoints: input.endpoints ?? [], timeline: input.timeline ?? [], events: input.events ?? [] };
  const endpointP99 = new Map<string, number>();
  for (const e of j.endpoints) if ((e.latency?.count ?? 0) > 0) endpointP99.set(e.endpoint, e.latency.p99);
  const requests = j.totals?.requests ?? 0;
  return {
    p99: overallP99(j),
    endpointP99,
    throughput: requests > 0 ? j.totals.achievedRps : null,
    errorRate: requests > 0 ? j.totals.errors / requests : null,
    fallbackShare: fallbackShare(j),
    rollbackMs: rollbackTimes(j.events),
  };
}

function overallP99(j: Journal): number | null {
  const withData = j.endpoints.filter((e) => (e.latency?.count ?? 0) > 0);
  if (withData.length === 0) return null;
  if (withData.length === 1) return withData[0]!.latency.p99;
  try {
    const merged = mergeEncoded(withData.map((e) => e.histogram));
    return merged.totalCount > 0 ? percentileMs(merged, 99) : null;
  } catch {
    // A hand-edited or truncated histogram: the slowest endpoint's p99 is an upper bound, but
    // comparing an upper bound with an exact value would invent regressions, so say "unknown".
    return null;
  }
}

function fallbackShare(j: Journal): number | null {
  // Whole-run endpoint counters when the run finished; the per-second '*' samples otherwise.
  const rows = j.endpoints.length > 0 ? j.endpoints : j.timeline.some((s) => s.endpoint === '*') ? j.timeline.filter((s) => s.endpoint === '*') : j.timeline;
  let fallback = 0;
  let total = 0;
  for (const r of rows) {
    fallback += r.modelType?.['fallback'] ?? 0;
    for (const n of Object.values(r.modelType ?? {})) total += n;
  }
  return total > 0 ? fallback / total : null;
}

function str(data: TimelineEvent['data'], key: string): string | undefined {
  const v = data?.[key];
  return typeof v === 'string' ? v : undefined;
}

function rollbackTimes(events: readonly TimelineEvent[]): Map<string, number | null> {
  const sorted = [...events].sort((a, b) => a.atMs - b.atMs);
  const out = new Map<string, number | null>();
  for (const deploy of sorted) {
    if (deploy.type !== 'deploy') continue;
    const id = str(deploy.data, 'id') ?? deploy.message;
    const service = str(deploy.data, 'service');
    const rolledBack = sorted.find(
      (e) =>
        e.type === 'rollout' &&
        e.atMs >= deploy.atMs &&
        (service === undefined || str(e.data, 'service') === service) &&
        ROLLBACK_PHASES.has(str(e.data, 'phase') ?? '') &&
        e.data?.['weight'] === 0,
    );
    out.set(id, rolledBack ? rolledBack.atMs - deploy.atMs : null);
  }
  return out;
}
