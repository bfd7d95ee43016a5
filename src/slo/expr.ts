/**
 * The typed SLO API for scenario files. Every chain ends in an `SloBuilder`, which *is* a
 * plain `SloSpec` (its data are own fields, its methods live on the prototype), so it goes
 * straight into `scenario.slos` and serializes to JSON as data:
 *
 *   slo.latency('predict').p(99).below('250ms')
 *   slo.errorRate().below('1%')
 *   slo.fallbackShare('predict').above(0.5).within('30s').after.fault('kill-tabular')
 *   slo.fallbackShare('predict').above('50%').within('5s').after.fault('kill-tabular').for('3s')
 *   slo.replicas('tabular').atLeast(3).within('3m').after.phase('flash-sale')
 *   slo.rollout('tabular').rolledBack().within('2m').after.event('deploy-tabular-v2-bad')
 *   slo.latency().p(95).below('300ms').during.fault('latency-triton').asAdvisory()
 *   slo.cacheHitRatio().above('20%').inPhase('peak').weighted(2).named('cache carries the peak')
 *   slo.ttft('generate').p(95).below('500ms').inPhase('flash-sale')
 *   slo.itl('generate').p(99).below('50ms')
 *   slo.goodput('generate', { ttft: '500ms', itl: '50ms' }).above(10)
 *   slo.outputTokensPerSecond('generate').atLeast(500)
 *
 * "Rolled back" (`rolledBack()`, phase `RolledBack`) means the rollout is Degraded or Aborted
 * with canary weight 0: no traffic reaches the new version any more.
 */
import { invalidInput } from '../contract/errors.js';
import type { Comparator, SloMetric, SloSpec, SloTiming, SloWindow } from '../scenario/slo-spec.js';
import type { DurationString } from '../scenario/types.js';
import type { RolloutPhase } from '../contract/platform-events.js';
import { tryParseDuration } from './duration.js';
import { BREAKER_STATES, ROLLED_BACK, formatSlo, isDurationMetric, isRatioMetric } from './format.js';
import { parseSlo } from './parse.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A finished SLO: plain SloSpec data plus chainable modifiers that return a new builder. */
export class SloBuilder implements SloSpec {
  declare readonly name?: string;
  readonly metric!: SloMetric;
  readonly op!: Comparator;
  readonly threshold!: number | string;
  declare readonly window?: SloWindow;
  declare readonly timing?: SloTiming;
  declare readonly advisory?: boolean;
  declare readonly weight?: number;

  constructor(spec: SloSpec) {
    const self = this as Mutable<SloBuilder>;
    if (spec.name !== undefined) self.name = spec.name;
    self.metric = spec.metric;
    self.op = spec.op;
    self.threshold = spec.threshold;
    if (spec.window !== undefined) self.window = spec.window;
    if (spec.timing !== undefined) self.timing = spec.timing;
    if (spec.advisory !== undefined) self.advisory = spec.advisory;
    if (spec.weight !== undefined) self.weight = spec.weight;
  }

  private with(patch: Partial<SloSpec>): SloBuilder {
    return new SloBuilder({ ...this.toSpec(), ...patch });
  }

  /** Looks only at the named phase (a named traffic stage). */
  inPhase(phase: string): SloBuilder {
    return this.with({ window: { kind: 'phase', phase }, timing: undefined });
  }

  /** `.during.fault(id)`: looks only at the time the fault is active. */
  get during(): { fault(id: string): SloBuilder } {
    return { fault: (fault) => this.with({ window: { kind: 'during-fault', fault }, timing: undefined }) };
  }

  /** `.forAfter.event(id, '2m')`: looks at the given duration after an event (or after a fault ends). */
  get forAfter(): { event(id: string, duration: DurationString): SloBuilder; fault(id: string, duration: DurationString): SloBuilder } {
    return {
      event: (event, d) => this.with({ window: { kind: 'after-event', event, for: checkDuration(d) }, timing: undefined }),
      fault: (fault, d) => this.with({ window: { kind: 'after-fault', fault, for: checkDuration(d) }, timing: undefined }),
    };
  }

  /** Whole run (the default). */
  overRun(): SloBuilder {
    return this.with({ window: { kind: 'run' }, timing: undefined });
  }

  /** A timing assertion: the condition must first hold within `duration` after an anchor. */
  within(duration: DurationString): TimingAnchor {
    const within = checkDuration(duration);
    const done = (anchor: SloTiming['anchor']): SloBuilder => this.with({ timing: { within, anchor }, window: undefined });
    return {
      after: {
        fault: (fault, edge = 'start') => done({ fault, edge }),
        event: (event) => done({ event }),
        phase: (phase, edge = 'start') => done({ phase, edge }),
      },
    };
  }

  /**
   * How long a timing assertion's condition must hold once it first does (default 1s):
   * `.within('5s').after.fault('kill-tabular').for('3s')`.
   */
  for(duration: DurationString): SloBuilder {
    if (!this.timing) throw invalidInput(`SLO ${formatSlo(this)}: for('${duration}'): only a timing assertion is held for a duration; write .within(D).after...(...).for('${duration}')`);
    return this.with({ timing: { ...this.timing, for: checkDuration(duration) } });
  }

  /** Counts in the resilience score but not in the verdict. (Not `advisory()`: that name is the data field.) */
  asAdvisory(): SloBuilder {
    return this.with({ advisory: true });
  }

  /** Weight in the resilience score (default 1). (Not `weight()`: that name is the data field.) */
  weighted(n: number): SloBuilder {
    if (!(Number.isFinite(n) && n >= 0)) throw invalidInput(`SLO ${formatSlo(this)}: weight: expected a number >= 0, got ${n}`);
    return this.with({ weight: n });
  }

  /** The name reports and JUnit show (default: the expression). */
  named(name: string): SloBuilder {
    return this.with({ name });
  }

  /** A plain data copy. */
  toSpec(): SloSpec {
    return { ...this };
  }

  /** The string form, e.g. "p99(predict) < 250ms". */
  toString(): string {
    return formatSlo(this);
  }
}

export interface TimingAnchor {
  readonly after: {
    fault(id: string, edge?: 'start' | 'end'): SloBuilder;
    event(id: string): SloBuilder;
    phase(name: string, edge?: 'start' | 'end'): SloBuilder;
  };
}

/** Comparisons on a numeric metric. Values: latency ms or "250ms"; shares 0..1 or "5%"; plain numbers. */
export class Comparison {
  constructor(private readonly metric: SloMetric) {}
  below(v: number | string): SloBuilder {
    return this.make('<', v);
  }
  atMost(v: number | string): SloBuilder {
    return this.make('<=', v);
  }
  above(v: number | string): SloBuilder {
    return this.make('>', v);
  }
  atLeast(v: number | string): SloBuilder {
    return this.make('>=', v);
  }
  equals(v: number | string): SloBuilder {
    return this.make('==', v);
  }
  notEquals(v: number | string): SloBuilder {
    return this.make('!=', v);
  }
  private make(op: Comparator, v: number | string): SloBuilder {
    return new SloBuilder({ metric: this.metric, op, threshold: toNumber(this.metric, v) });
  }
}

/** Latency: choose the percentile first. */
export class LatencyPick {
  constructor(private readonly endpoint: string | undefined) {}
  /** Percentile in 0..100, e.g. p(99), p(99.9). */
  p(percentile: number): Comparison {
    if (!(percentile > 0 && percentile <= 100)) throw invalidInput(`SLO latency: percentile: expected 0 < p <= 100, got ${percentile}`);
    return new Comparison({ kind: 'latency', percentile, ...(this.endpoint === undefined ? {} : { endpoint: this.endpoint }) });
  }
}

/** A streamed-generation latency (TTFT, ITL, TPOT): choose the percentile first. */
export class TokenLatencyPick {
  constructor(private readonly kind: 'ttft' | 'itl' | 'tpot', private readonly endpoint: string | undefined) {}
  /** Percentile in 0..100, e.g. p(95). */
  p(percentile: number): Comparison {
    if (!(percentile > 0 && percentile <= 100)) throw invalidInput(`SLO ${this.kind}: percentile: expected 0 < p <= 100, got ${percentile}`);
    return new Comparison({ kind: this.kind, percentile, ...(this.endpoint === undefined ? {} : { endpoint: this.endpoint }) });
  }
}

export class BreakerPick {
  constructor(private readonly upstream: string) {}
  is(state: (typeof BREAKER_STATES)[number]): SloBuilder {
    return new SloBuilder({ metric: { kind: 'breaker-state', upstream: this.upstream }, op: '==', threshold: breakerValue(state) });
  }
  isNot(state: (typeof BREAKER_STATES)[number]): SloBuilder {
    return new SloBuilder({ metric: { kind: 'breaker-state', upstream: this.upstream }, op: '!=', threshold: breakerValue(state) });
  }
}

export class RolloutPick {
  constructor(private readonly service: string) {}
  is(phase: RolloutPhase | typeof ROLLED_BACK): SloBuilder {
    return new SloBuilder({ metric: { kind: 'rollout-phase', service: this.service }, op: '==', threshold: phase });
  }
  isNot(phase: RolloutPhase | typeof ROLLED_BACK): SloBuilder {
    return new SloBuilder({ metric: { kind: 'rollout-phase', service: this.service }, op: '!=', threshold: phase });
  }
  /** Degraded or Aborted with canary weight 0. */
  rolledBack(): SloBuilder {
    return this.is(ROLLED_BACK);
  }
}

const ep = (endpoint?: string): { endpoint?: string } => (endpoint === undefined ? {} : { endpoint });

/** Entry point of the typed SLO API (see the module comment for examples). */
export const slo = {
  latency: (endpoint?: string) => new LatencyPick(endpoint),
  errorRate: (endpoint?: string) => new Comparison({ kind: 'error-rate', ...ep(endpoint) }),
  throughput: (endpoint?: string) => new Comparison({ kind: 'throughput', ...ep(endpoint) }),
  dropped: (endpoint?: string) => new Comparison({ kind: 'dropped', ...ep(endpoint) }),
  fallbackShare: (endpoint?: string) => new Comparison({ kind: 'fallback-share', ...ep(endpoint) }),
  cacheHitRatio: (endpoint?: string) => new Comparison({ kind: 'cache-hit-ratio', ...ep(endpoint) }),
  versionShare: (version: string, endpoint?: string) => new Comparison({ kind: 'version-share', version, ...ep(endpoint) }),
  /** Time to first token of streamed generations. */
  ttft: (endpoint?: string) => new TokenLatencyPick('ttft', endpoint),
  /** Inter-token latency: every gap between two tokens. */
  itl: (endpoint?: string) => new TokenLatencyPick('itl', endpoint),
  /** Time per output token: each request's (last − first token) / (tokens − 1). */
  tpot: (endpoint?: string) => new TokenLatencyPick('tpot', endpoint),
  outputTokensPerSecond: (endpoint?: string) => new Comparison({ kind: 'output-tokens-per-second', ...ep(endpoint) }),
  /** Complete streams per second within both limits (TTFT, and the request's mean inter-token gap). */
  goodput: (endpoint: string | undefined, limits: { readonly ttft: DurationString; readonly itl: DurationString }) =>
    new Comparison({ kind: 'goodput', ttftMs: limitMs('ttft', limits.ttft), itlMs: limitMs('itl', limits.itl), ...ep(endpoint) }),
  breaker: (upstream: string) => new BreakerPick(upstream),
  replicas: (service: string) => new Comparison({ kind: 'replicas', service }),
  rollout: (service: string) => new RolloutPick(service),
  accuracy: (version?: string) => new Comparison({ kind: 'model-accuracy', ...(version === undefined ? {} : { version }) }),
  drift: (feature?: string) => new Comparison({ kind: 'drift', ...(feature === undefined ? {} : { feature }) }),
  restarts: (service: string) => new Comparison({ kind: 'restarts', service }),
  promql: (query: string) => new Comparison({ kind: 'promql', query }),
  /** The command-line string form, e.g. slo.parse('p99(predict) < 250ms'). */
  parse: (text: string) => new SloBuilder(parseSlo(text, 'slo.parse()')),
};

function checkDuration(d: DurationString): DurationString {
  if (tryParseDuration(d) === undefined) throw invalidInput(`SLO duration: expected a duration like "30s" or "2m", got ${JSON.stringify(d)}`);
  return d;
}

function limitMs(name: string, d: DurationString): number {
  const ms = tryParseDuration(d);
  if (ms === undefined || ms <= 0) throw invalidInput(`SLO goodput: ${name}: expected a duration like "500ms", got ${JSON.stringify(d)}`);
  return ms;
}

function breakerValue(state: string): number {
  const i = (BREAKER_STATES as readonly string[]).indexOf(state);
  if (i < 0) throw invalidInput(`SLO breaker state: expected one of ${BREAKER_STATES.join(', ')}, got ${JSON.stringify(state)}`);
  return i;
}

/** Converts user values to the metric's unit: "250ms" → 250, "5%" → 0.05. */
function toNumber(metric: SloMetric, v: number | string): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalidInput(`SLO ${metric.kind}: threshold: expected a finite number, got ${v}`);
    if (isRatioMetric(metric) && (v < 0 || v > 1)) throw invalidInput(`SLO ${metric.kind}: threshold: expected a share 0..1 or "5%", got ${v}`);
    return v;
  }
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(v.trim());
  if (pct && !isDurationMetric(metric)) return Number(pct[1]) / 100;
  if (isDurationMetric(metric)) {
    const ms = tryParseDuration(v);
    if (ms !== undefined) return ms;
  }
  if (metric.kind === 'breaker-state') return breakerValue(v);
  throw invalidInput(
    `SLO ${metric.kind}: threshold: expected ${isDurationMetric(metric) ? 'a latency like "250ms"' : isRatioMetric(metric) ? 'a share like "5%" or 0.05' : 'a number'}, got ${JSON.stringify(v)}`,
  );
}
