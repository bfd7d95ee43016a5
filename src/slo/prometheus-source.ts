/**
 * Server-side metrics from the platform's Prometheus (HTTP API `query_range`). Several
 * series at one timestamp combine into the worst value, so "breaker_state != open"
 * must hold for every matching series.
 */
import { fetch } from 'undici';
import type { Comparator } from '../scenario/slo-spec.js';
import type { EvaluationContext, PromMetric } from './context.js';
import { worstOf } from './compare.js';
import { StepSignal, type StepPoint } from './step-signal.js';

const label = (v: string): string => JSON.stringify(v); // PromQL string literals accept JSON escapes

/**
 * Default queries, matching the gateway's and model servers' metric names (issue 2: the seed's
 * `model_accuracy{model,version}`, `model_feature_drift{model,version,feature}`; breaker state
 * 0 closed, 1 half-open, 2 open). Replicas count the scrape targets that are up for a job.
 */
const PRIMARY = 'model!~".*fallback.*"';

export const DEFAULT_QUERIES: { readonly [K in PromMetric['kind']]: ((m: Extract<PromMetric, { kind: K }>) => string) | undefined } = {
  'breaker-state': (m) => `max(gateway_circuit_breaker_state{upstream=${label(m.upstream)}})`,
  replicas: (m) => `sum(up{job=${label(m.service)}})`,
  // Accuracy and drift are the primary models' (the fallback model exports the same metrics
  // with its own version labels; "accuracy of v1" means the primary's v1).
  'model-accuracy': (m) => `avg(model_accuracy{${PRIMARY}${m.version === undefined ? '' : `,version=${label(m.version)}`}})`,
  drift: (m) => `max(model_feature_drift{${PRIMARY}${m.feature === undefined ? '' : `,feature=${label(m.feature)}`}})`,
  restarts: undefined, // restarts come from platform events; set ctx.queries.restarts to use PromQL
  promql: (m) => m.query,
};

/** The PromQL for a metric, or undefined when there is none for its kind. */
export function queryFor(metric: PromMetric, ctx: EvaluationContext): string | undefined {
  const custom = ctx.queries?.[metric.kind] as ((m: PromMetric) => string) | undefined;
  const dflt = DEFAULT_QUERIES[metric.kind] as ((m: PromMetric) => string) | undefined;
  return (custom ?? dflt)?.(metric);
}

export class PrometheusQueryError extends Error {
  override readonly name = 'PrometheusQueryError';
}

interface RangeResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/**
 * Samples of `query` over [fromMs, toMs] (ms from traffic start), one point per step,
 * combining series by the worst value for `op`.
 */
export async function promSignal(
  ctx: EvaluationContext,
  query: string,
  fromMs: number,
  toMs: number,
  op: Comparator,
  threshold: number | string,
): Promise<StepSignal> {
  const prom = ctx.prometheus;
  if (!prom) throw new PrometheusQueryError('no Prometheus configured for this run');
  const spanS = Math.max(0, (toMs - fromMs) / 1000);
  const step = Math.max(1, Math.ceil(spanS / 500));
  const start = (ctx.trafficStartEpochMs + fromMs) / 1000;
  // Never ask about the future: Prometheus would repeat the last sample there, which was not measured then.
  const end = Math.min(ctx.trafficStartEpochMs + Math.max(toMs, fromMs), Date.now()) / 1000;
  if (end < start) return new StepSignal([]);
  const url = new URL('api/v1/query_range', prom.url.endsWith('/') ? prom.url : `${prom.url}/`);
  url.search = new URLSearchParams({ query, start: start.toFixed(3), end: end.toFixed(3), step: `${step}s` }).toString();
  let body: RangeResponse;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(prom.timeoutMs ?? 10_000) });
    body = (await res.json()) as RangeResponse;
    if (!res.ok || body.status !== 'success') throw new PrometheusQueryError(`HTTP ${res.status}: ${body.error ?? 'query failed'}`);
  } catch (err) {
    if (err instanceof PrometheusQueryError) throw err;
    throw new PrometheusQueryError(`Prometheus at ${prom.url} did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
  const byTime = new Map<number, number[]>();
  for (const series of body.data?.result ?? []) {
    for (const [ts, raw] of series.values) {
      const v = Number(raw);
      if (!Number.isFinite(v)) continue; // NaN from division by zero says nothing
      const list = byTime.get(ts) ?? [];
      list.push(v);
      byTime.set(ts, list);
    }
  }
  const points: StepPoint[] = [];
  for (const [ts, values] of byTime) {
    const w = worstOf(values, op, threshold);
    if (w !== undefined) points.push({ tMs: ts * 1000 - ctx.trafficStartEpochMs, value: w });
  }
  return new StepSignal(points, undefined, true);
}
