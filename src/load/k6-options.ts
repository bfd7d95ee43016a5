/**
 * k6 options from a resolved scenario: `options.scenarios` from the traffic profile and
 * `thresholds` from the SLOs k6 can express (whole-run latency percentiles, error rate,
 * throughput, dropped iterations). The rest are listed as skipped, with the reason.
 */
import type { ResolvedScenario } from '../scenario/types.js';
import type { SloSpec } from '../scenario/slo-spec.js';
import { formatDuration } from '../scenario/duration.js';

export interface K6Options {
  readonly scenarios: Record<string, Record<string, unknown>>;
  readonly thresholds: Record<string, string[]>;
  readonly discardResponseBodies: boolean;
  readonly tags: Record<string, string>;
}

export interface SkippedSlo {
  readonly slo: string;
  readonly reason: string;
}

const K6_OPS = new Set(['<', '<=', '>', '>=', '==', '!=']);

function scenarioOf(s: ResolvedScenario): Record<string, unknown> {
  const t = s.traffic;
  if (t.executor === 'vus') {
    return { executor: 'constant-vus', vus: t.vus, duration: formatDuration(t.durationMs), gracefulStop: formatDuration(t.timeoutMs) };
  }
  const rates = t.stages.flatMap((st) => [st.fromRate, st.toRate]);
  // k6 targets are integers: count per minute when a per-second rate has a fraction.
  const perMinute = rates.some((r) => !Number.isInteger(r));
  const unit = perMinute ? 60 : 1;
  const target = (r: number): number => Math.round(r * unit);
  const stages: { target: number; duration: string }[] = [];
  let current = t.stages[0]?.fromRate ?? 0;
  for (const st of t.stages) {
    if (st.fromRate !== current) stages.push({ target: target(st.fromRate), duration: '0s' }); // a step
    stages.push({ target: target(st.toRate), duration: formatDuration(st.durationMs) });
    current = st.toRate;
  }
  return {
    executor: 'ramping-arrival-rate',
    startRate: target(t.stages[0]?.fromRate ?? 0),
    timeUnit: perMinute ? '1m' : '1s',
    preAllocatedVUs: t.preAllocated,
    maxVUs: t.maxInFlight,
    stages,
    gracefulStop: formatDuration(t.timeoutMs),
  };
}

function metricName(slo: SloSpec): { metric: string; stat: string } | string {
  const m = slo.metric;
  const tag = 'endpoint' in m && m.endpoint !== undefined ? `{endpoint:${m.endpoint}}` : '';
  switch (m.kind) {
    case 'latency':
      return { metric: `http_req_duration${tag}`, stat: `p(${m.percentile})` };
    case 'error-rate':
      return { metric: `http_req_failed${tag}`, stat: 'rate' };
    case 'throughput':
      return { metric: `http_reqs${tag}`, stat: 'rate' };
    case 'dropped':
      return tag ? 'k6 counts dropped iterations per scenario, not per endpoint' : { metric: 'dropped_iterations', stat: 'count' };
    default:
      return `k6 has no client metric for ${m.kind}`;
  }
}

function sloLabel(slo: SloSpec, i: number): string {
  return slo.name ?? `slos[${i}] (${slo.metric.kind} ${slo.op} ${String(slo.threshold)})`;
}

/** Thresholds k6 can evaluate, and the SLOs left to peakready. */
export function k6Thresholds(slos: readonly SloSpec[]): { thresholds: Record<string, string[]>; skipped: SkippedSlo[] } {
  const thresholds: Record<string, string[]> = {};
  const skipped: SkippedSlo[] = [];
  slos.forEach((slo, i) => {
    const skip = (reason: string): void => void skipped.push({ slo: sloLabel(slo, i), reason });
    if (slo.window !== undefined && slo.window.kind !== 'run') return skip(`k6 thresholds cover the whole run, not a ${slo.window.kind} window`);
    if (slo.timing !== undefined) return skip('k6 thresholds cannot express timing anchors');
    if (typeof slo.threshold !== 'number') return skip('the threshold is not a number');
    if (!K6_OPS.has(slo.op)) return skip(`k6 has no comparator ${slo.op}`);
    const name = metricName(slo);
    if (typeof name === 'string') return skip(name);
    (thresholds[name.metric] ??= []).push(`${name.stat}${slo.op}${slo.threshold}`);
  });
  return { thresholds, skipped };
}

/** The `options` object of the k6 script. */
export function k6Options(s: ResolvedScenario): { options: K6Options; skipped: SkippedSlo[] } {
  const { thresholds, skipped } = k6Thresholds(s.slos);
  return {
    options: { scenarios: { [s.name]: scenarioOf(s) }, thresholds, discardResponseBodies: true, tags: { peakready_scenario: s.name } },
    skipped,
  };
}
