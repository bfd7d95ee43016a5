/**
 * The SLOs a capacity step is held to. Written like `run --slo` strings, plus the short
 * forms the capacity command documents: `errors<1%` (= error_rate < 1%), `p99<250ms`.
 * Only client-side measurements of one step make sense here (a latency percentile, the
 * error rate, dropped arrivals), over the whole measured window: windows, timings and
 * server-side metrics are refused.
 */
import type { SloSpec } from '../scenario/slo-spec.js';
import { REFERENCE_ROLES } from '../scenario/reference-stack.js';
import { holds } from '../slo/compare.js';
import { formatSlo } from '../slo/format.js';
import { tryParseSlo } from '../slo/parse.js';
import type { WindowStats } from '../contract/load-windows.js';
import type { StepSloCheck } from './types.js';

/** Used when no --slo is given (the issue's example). */
export const DEFAULT_CAPACITY_SLOS: readonly string[] = ['p99<250ms', 'errors<1%'];

/**
 * For a generative service, the limits LLM serving teams size by (as GuideLLM's sweep and
 * AIPerf's goodput do): time to first token and inter-token latency of streamed answers,
 * not the completion time, which grows with the output length.
 */
export const DEFAULT_GENERATIVE_CAPACITY_SLOS: readonly string[] = ['ttft_p95<500ms', 'itl_p95<50ms', 'errors<1%'];

/** The SLOs a search holds each step to when none are given. */
export function defaultCapacitySlos(service: string | undefined): readonly string[] {
  return service !== undefined && REFERENCE_ROLES[service]?.generates ? DEFAULT_GENERATIVE_CAPACITY_SLOS : DEFAULT_CAPACITY_SLOS;
}

const CAPACITY_KINDS = ['latency', 'error-rate', 'dropped', 'ttft', 'itl', 'tpot'] as const;
export type CapacitySlo = SloSpec & { readonly metric: Extract<SloSpec['metric'], { kind: (typeof CAPACITY_KINDS)[number] }> };

const ALIASES: readonly [RegExp, string][] = [
  [/^\s*errors\b/i, 'error_rate'],
  [/^\s*error-rate\b/i, 'error_rate'],
];

/**
 * Parses capacity SLO strings; returns the specs and every problem (each naming the flag,
 * its index and what was expected). `endpoints` are the mix entries the traffic uses.
 */
export function parseCapacitySlos(texts: readonly string[], endpoints?: readonly string[]): { slos: CapacitySlo[]; problems: string[] } {
  const slos: CapacitySlo[] = [];
  const problems: string[] = [];
  texts.forEach((raw, i) => {
    const where = `--slo${texts.length > 1 ? `[${i}]` : ''} ${JSON.stringify(raw)}`;
    let text = raw;
    for (const [re, to] of ALIASES) text = text.replace(re, to);
    const r = tryParseSlo(text);
    if (!r.ok) {
      problems.push(`${where}: ${r.problem.replace(/^SLO "[^"]*": /, '')}`);
      return;
    }
    const spec = r.spec;
    const kind = spec.metric.kind;
    if (!(CAPACITY_KINDS as readonly string[]).includes(kind)) {
      problems.push(`${where}: expected a latency percentile (p99<250ms), an error rate (errors<1%), dropped, or a streamed-generation percentile (ttft_p95<500ms, itl_p95<50ms, tpot_p50<30ms), got metric ${kind}`);
      return;
    }
    if (spec.window || spec.timing) {
      problems.push(`${where}: expected no window or timing (each capacity step is judged over its whole measured window)`);
      return;
    }
    if (spec.op !== '<' && spec.op !== '<=') {
      problems.push(`${where}: expected an upper bound (< or <=), got ${spec.op}`);
      return;
    }
    const ep = 'endpoint' in spec.metric ? spec.metric.endpoint : undefined;
    if (ep !== undefined && endpoints && !endpoints.includes(ep)) {
      problems.push(`${where}: unknown endpoint "${ep}", expected one of ${endpoints.join(', ')}`);
      return;
    }
    slos.push(spec as CapacitySlo);
  });
  return { slos, problems };
}

/** The normalised string form shown in reports. */
export function describeCapacitySlo(slo: CapacitySlo): string {
  return formatSlo(slo);
}

/** Value of a capacity SLO's metric over a step's window; dropped arrivals count as errors. */
export function capacityValue(slo: CapacitySlo, s: WindowStats): number | null {
  switch (slo.metric.kind) {
    case 'latency':
      return s.latency.count > 0 ? s.percentile(slo.metric.percentile) : null;
    case 'error-rate': {
      const total = s.requests + s.dropped;
      return total > 0 ? (s.errors + s.dropped) / total : null;
    }
    case 'dropped':
      return s.dropped;
    case 'ttft':
    case 'itl':
    case 'tpot': {
      // No stream, or no token in any: no data, and the step fails.
      return s.stream?.percentile(slo.metric.kind, slo.metric.percentile) ?? null;
    }
  }
}

/** Checks one SLO on a step's window stats (or on no data: a step with no answers fails). */
export function checkCapacitySlo(slo: CapacitySlo, stats: WindowStats | undefined): StepSloCheck {
  const observed = stats ? capacityValue(slo, stats) : null;
  return { slo: describeCapacitySlo(slo), observed, ok: observed !== null && holds(slo.op, observed, slo.threshold) };
}
