/**
 * The SLOs a capacity step is held to. Written like `run --slo` strings, plus the short
 * forms the capacity command documents: `errors<1%` (= error_rate < 1%), `p99<250ms`.
 * Only client-side measurements of one step make sense here (a latency percentile, the
 * error rate, dropped arrivals), over the whole measured window: windows, timings and
 * server-side metrics are refused.
 */
import type { SloSpec } from '../scenario/slo-spec.js';
import { holds } from '../slo/compare.js';
import { formatSlo } from '../slo/format.js';
import { tryParseSlo } from '../slo/parse.js';
import type { WindowStats } from '../load/window.js';
import type { StepSloCheck } from './types.js';

/** Used when no --slo is given (the issue's example). */
export const DEFAULT_CAPACITY_SLOS: readonly string[] = ['p99<250ms', 'errors<1%'];

export type CapacitySlo = SloSpec & { readonly metric: Extract<SloSpec['metric'], { kind: 'latency' | 'error-rate' | 'dropped' }> };

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
    if (kind !== 'latency' && kind !== 'error-rate' && kind !== 'dropped') {
      problems.push(`${where}: expected a latency percentile (p99<250ms), an error rate (errors<1%) or dropped, got metric ${kind}`);
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
    const ep = spec.metric.endpoint;
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
  }
}

/** Checks one SLO on a step's window stats (or on no data: a step with no answers fails). */
export function checkCapacitySlo(slo: CapacitySlo, stats: WindowStats | undefined): StepSloCheck {
  const observed = stats ? capacityValue(slo, stats) : null;
  return { slo: describeCapacitySlo(slo), observed, ok: observed !== null && holds(slo.op, observed, slo.threshold) };
}
