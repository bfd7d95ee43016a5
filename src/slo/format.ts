/**
 * The string form of SLOs (the command-line form, also shown in every report) and the
 * value formats reports use. `parseSlo(formatSlo(spec))` gives back `spec`.
 *
 * Grammar (parse.ts implements it):
 *   slo     := metric op value [window | timing] ["advisory"] ["weight" number]
 *   metric  := pNN[(endpoint)] | error_rate[(ep)] | throughput[(ep)] | dropped[(ep)]
 *            | fallback_share[(ep)] | cache_hit_ratio[(ep)] | version_share(version[, ep])
 *            | ttft_pNN[(ep)] | itl_pNN[(ep)] | tpot_pNN[(ep)] | output_tokens_per_second[(ep)]
 *            | goodput([ep, ] ttft=DUR, itl=DUR)
 *            | breaker_state(upstream) | replicas(service) | rollout(service)
 *            | accuracy[(version)] | drift[(feature)] | restarts(service) | promql("query")
 *   op      := < | <= | > | >= | == | !=
 *   value   := 250ms | 1.5s | 1% | 0.9 | 100rps | 500tok/s | open | half-open | closed | Degraded | RolledBack
 *   window  := in phase:NAME | during fault:ID | for DUR after event:ID | for DUR after fault:ID
 *   timing  := within DUR after (fault:ID start|end | event:ID | phase:NAME start|end) [for DUR]
 *              ("for DUR": the condition must hold that long once it first does; default 1s)
 */
import type { Comparator, SloMetric, SloSpec, SloTiming, SloWindow } from '../scenario/slo-spec.js';

/** Breaker states as the gateway exports them (0 closed, 1 half-open, 2 open). */
export const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;

/**
 * The pseudo rollout phase "rolled back": the rollout is Degraded or Aborted and the canary
 * weight is 0, i.e. no traffic reaches the new version any more.
 */
export const ROLLED_BACK = 'RolledBack';

/** Metric kinds whose value is a duration in ms (written "250ms"). */
const DURATION_KINDS = new Set<SloMetric['kind']>(['latency', 'ttft', 'itl', 'tpot']);

export function isDurationMetric(metric: SloMetric): boolean {
  return DURATION_KINDS.has(metric.kind);
}

/** Metric kinds whose value is per second (written "100rps", "500tok/s"). */
export function isRateMetric(metric: SloMetric): boolean {
  return metric.kind === 'throughput' || metric.kind === 'goodput' || metric.kind === 'output-tokens-per-second';
}

/** Metric kinds whose value is a share 0..1, written as a percentage. */
const RATIO_KINDS = new Set<SloMetric['kind']>(['error-rate', 'fallback-share', 'cache-hit-ratio', 'version-share']);

export function isRatioMetric(metric: SloMetric): boolean {
  return RATIO_KINDS.has(metric.kind);
}

/** The metric part of the string form, e.g. "p99(predict)", "replicas(tabular)". */
export function formatMetric(metric: SloMetric): string {
  const ep = (name: string, endpoint?: string): string => (endpoint === undefined ? name : `${name}(${ident(endpoint)})`);
  switch (metric.kind) {
    case 'latency':
      return ep(`p${num(metric.percentile)}`, metric.endpoint);
    case 'error-rate':
      return ep('error_rate', metric.endpoint);
    case 'throughput':
      return ep('throughput', metric.endpoint);
    case 'dropped':
      return ep('dropped', metric.endpoint);
    case 'fallback-share':
      return ep('fallback_share', metric.endpoint);
    case 'cache-hit-ratio':
      return ep('cache_hit_ratio', metric.endpoint);
    case 'version-share':
      return `version_share(${ident(metric.version)}${metric.endpoint === undefined ? '' : `, ${ident(metric.endpoint)}`})`;
    case 'ttft':
    case 'itl':
    case 'tpot':
      return ep(`${metric.kind}_p${num(metric.percentile)}`, metric.endpoint);
    case 'output-tokens-per-second':
      return ep('output_tokens_per_second', metric.endpoint);
    case 'goodput':
      return `goodput(${metric.endpoint === undefined ? '' : `${ident(metric.endpoint)}, `}ttft=${ms(metric.ttftMs)}, itl=${ms(metric.itlMs)})`;
    case 'breaker-state':
      return `breaker_state(${ident(metric.upstream)})`;
    case 'replicas':
      return `replicas(${ident(metric.service)})`;
    case 'rollout-phase':
      return `rollout(${ident(metric.service)})`;
    case 'model-accuracy':
      return metric.version === undefined ? 'accuracy' : `accuracy(${ident(metric.version)})`;
    case 'drift':
      return metric.feature === undefined ? 'drift' : `drift(${ident(metric.feature)})`;
    case 'restarts':
      return `restarts(${ident(metric.service)})`;
    case 'promql':
      return `promql(${JSON.stringify(metric.query)})`;
  }
}

/** A threshold in the unit users write for this metric: "250ms", "1%", "100rps", "open". */
export function formatThreshold(metric: SloMetric, value: number | string): string {
  if (typeof value === 'string') return ident(value);
  switch (metric.kind) {
    case 'latency':
    case 'ttft':
    case 'itl':
    case 'tpot':
      return ms(value);
    case 'throughput':
    case 'goodput':
      return `${num(value)}rps`;
    case 'output-tokens-per-second':
      return `${num(value)}tok/s`;
    case 'breaker-state':
      return BREAKER_STATES[value] ?? num(value);
    default:
      return isRatioMetric(metric) ? `${num(value * 100)}%` : num(value);
  }
}

/** An observed value for reports: "212.4ms", "12.35%", "95.2 rps", "open", "3". */
export function formatObserved(metric: SloMetric, value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  switch (metric.kind) {
    case 'latency':
    case 'ttft':
    case 'itl':
    case 'tpot':
      return `${value.toFixed(1)}ms`;
    case 'throughput':
    case 'goodput':
      return `${value.toFixed(1)} rps`;
    case 'output-tokens-per-second':
      return `${value.toFixed(1)} tok/s`;
    case 'breaker-state':
      return BREAKER_STATES[value] ?? value.toFixed(0);
    case 'dropped':
    case 'replicas':
    case 'restarts':
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
    default:
      return isRatioMetric(metric) ? `${Number((value * 100).toFixed(2))}%` : String(Number(value.toPrecision(4)));
  }
}

export function formatWindow(window: SloWindow | undefined): string {
  if (window === undefined) return '';
  switch (window.kind) {
    case 'run':
      return '';
    case 'phase':
      return `in phase:${ident(window.phase)}`;
    case 'during-fault':
      return `during fault:${ident(window.fault)}`;
    case 'after-event':
      return `for ${window.for} after event:${ident(window.event)}`;
    case 'after-fault':
      return `for ${window.for} after fault:${ident(window.fault)}`;
  }
}

export function formatTiming(timing: SloTiming): string {
  const a = timing.anchor;
  const anchor =
    'fault' in a ? `fault:${ident(a.fault)} ${a.edge}` : 'event' in a ? `event:${ident(a.event)}` : `phase:${ident(a.phase)} ${a.edge}`;
  return `within ${timing.within} after ${anchor}${timing.for === undefined ? '' : ` for ${timing.for}`}`;
}

/**
 * The string form of an SLO, e.g. "fallback_share(predict) > 50% within 30s after fault:kill-tabular start".
 * `flags` adds "advisory" and "weight N" (default true) so the string round-trips.
 */
export function formatSlo(spec: SloSpec, opts: { flags?: boolean } = {}): string {
  const parts = [formatMetric(spec.metric), spec.op, formatThreshold(spec.metric, spec.threshold)];
  if (spec.timing) parts.push(formatTiming(spec.timing));
  else {
    const w = formatWindow(spec.window);
    if (w) parts.push(w);
  }
  if (opts.flags !== false) {
    if (spec.advisory) parts.push('advisory');
    if (spec.weight !== undefined && spec.weight !== 1) parts.push(`weight ${num(spec.weight)}`);
  }
  return parts.join(' ');
}

/** The name shown in reports: the given name, else the expression without flags. */
export function sloName(spec: SloSpec): string {
  return spec.name ?? formatSlo(spec, { flags: false });
}

/** How people read a comparator in a sentence ("at most", "at least"). */
export const COMPARATORS: readonly Comparator[] = ['<=', '>=', '==', '!=', '<', '>'];

/** Identifiers print bare when they are simple, quoted (JSON) otherwise. */
function ident(s: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : JSON.stringify(s);
}

/** A duration threshold as users write it: "2s", "250ms". */
function ms(value: number): string {
  return value >= 1000 && value % 1000 === 0 ? `${value / 1000}s` : `${num(value)}ms`;
}

function num(n: number): string {
  return String(Number(n.toPrecision(12)));
}
