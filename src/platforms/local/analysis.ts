/**
 * Canary analysis with Argo Rollouts' semantics: each metric is measured every `interval`
 * (first after `initialDelay`), each measurement is Successful / Failed / Inconclusive / Error
 * by its success and failure conditions, and the metric ends Failed when failures exceed
 * `failureLimit`, Inconclusive past `inconclusiveLimit`, Error past `consecutiveErrorLimit`
 * consecutive errors, or Successful after `count` measurements.
 */
import { promQuery } from './prometheus-client.js';

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
export type AnalysisPhase = 'Running' | MeasurementPhase;

export interface AnalysisMetric {
  readonly name: string;
  readonly query: string;
  /** e.g. "result == true", "result[0] < 100", "result >= 0.9 && result < 1" */
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly intervalMs: number;
  /** Measurements before the metric is Successful; 0 = until the analysis is stopped. */
  readonly count: number;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
  readonly consecutiveErrorLimit?: number;
  readonly initialDelayMs?: number;
}

/**
 * The seed's AnalysisTemplate settings every metric starts from: success when the query's
 * comparison holds, three failures fail it, ten measurements pass it, measured every
 * `intervalMs` (at least 250 ms) after a 2.5 s delay that lets Prometheus scrape the canary.
 */
export function seedMetricSettings(intervalMs: number): Required<Pick<AnalysisMetric, 'successCondition' | 'failureLimit' | 'intervalMs' | 'count' | 'initialDelayMs'>> {
  return { successCondition: 'result == true', failureLimit: 3, intervalMs: Math.max(250, intervalMs), count: 10, initialDelayMs: 2500 };
}

/**
 * The seed's AnalysisTemplate "model-accuracy-check" for a version (interval 5 m there; pass
 * it already scaled). initialDelay lets Prometheus scrape the new canary first (service
 * discovery and a 1 s scrape).
 */
export function modelAccuracyCheck(version: string, intervalMs: number, service?: string): AnalysisMetric[] {
  const common = seedMetricSettings(intervalMs);
  // The seed selects by version only; locally the fallback model also reports version="v1",
  // so the service label (from service discovery) keeps its accuracy out of the average.
  const sel = `${service ? `service="${service}",` : ''}version="${version}"`;
  return [
    { name: 'model-accuracy', query: `avg(model_accuracy{${sel}}) > 0.9`, ...common },
    { name: 'model-latency', query: `avg(model_latency_ms{${sel}}) < 100`, ...common },
  ];
}

/**
 * A trailing comparison with a number ("... > 0.9") filters in PromQL: a false answer is an
 * empty vector, indistinguishable from "no data yet". With `bool` it is 0 or 1, which is what
 * the seed's `result == true` means.
 */
export function withBool(query: string): string {
  const m = /^([\s\S]*\S)\s*(>=|<=|==|!=|>|<)\s*(-?[\d.]+(?:e[-+]?\d+)?)\s*$/i.exec(query.trim());
  if (!m || /\bbool\s*$/.test(m[1]!)) return query;
  return `${m[1]} ${m[2]} bool ${m[3]}`;
}

/** Evaluates an Argo-style condition against the query result (a list of sample values). */
export function evaluateCondition(condition: string, result: readonly number[]): boolean {
  return condition.split('||').some((any) => any.split('&&').every((clause) => evaluateClause(clause.trim(), result)));
}

function evaluateClause(clause: string, result: readonly number[]): boolean {
  const m = /^(!)?\s*result(?:\[(\d+)\])?\s*(?:(==|!=|>=|<=|>|<)\s*(true|false|-?[\d.]+(?:e[-+]?\d+)?))?$/i.exec(clause);
  if (!m) throw new Error(`unsupported condition "${clause}": use result[, result[i]] with ==, !=, <, <=, >, >= and a number or true/false`);
  const [, not, index, op, rhs] = m;
  const v = result[Number(index ?? 0)];
  if (v === undefined || Number.isNaN(v)) throw new Error('no data');
  let out: boolean;
  if (!op) out = v !== 0;
  else if (rhs === 'true' || rhs === 'false') {
    const b = v !== 0;
    out = op === '==' ? b === (rhs === 'true') : op === '!=' ? b !== (rhs === 'true') : false;
  } else {
    const n = Number(rhs);
    out = op === '==' ? v === n : op === '!=' ? v !== n : op === '>=' ? v >= n : op === '<=' ? v <= n : op === '>' ? v > n : v < n;
  }
  return not ? !out : out;
}

/** One measurement's phase from its result (Argo's evaluation order). */
export function measurementPhase(metric: AnalysisMetric, result: readonly number[]): MeasurementPhase {
  try {
    const failed = metric.failureCondition ? evaluateCondition(metric.failureCondition, result) : undefined;
    const succeeded = metric.successCondition ? evaluateCondition(metric.successCondition, result) : undefined;
    if (failed === true) return 'Failed';
    if (succeeded === true) return 'Successful';
    if (succeeded === false && failed === undefined) return 'Failed';
    if (failed === false && succeeded === undefined) return 'Successful';
    return 'Inconclusive';
  } catch {
    return 'Error';
  }
}

/** The metric's phase after its measurements so far. */
export function metricPhase(metric: AnalysisMetric, measurements: readonly MeasurementPhase[]): AnalysisPhase {
  const count = (p: MeasurementPhase) => measurements.filter((m) => m === p).length;
  if (count('Failed') > (metric.failureLimit ?? 0)) return 'Failed';
  if (count('Inconclusive') > (metric.inconclusiveLimit ?? 0)) return 'Inconclusive';
  let consecutiveErrors = 0;
  for (let i = measurements.length - 1; i >= 0 && measurements[i] === 'Error'; i--) consecutiveErrors++;
  if (consecutiveErrors > (metric.consecutiveErrorLimit ?? 4)) return 'Error';
  if (metric.count > 0 && measurements.length >= metric.count) return 'Successful';
  return 'Running';
}

export interface MeasurementEvent {
  readonly metric: string;
  readonly value: unknown;
  readonly phase: MeasurementPhase;
}

/** Runs every metric of an analysis against Prometheus until one ends it or `stop()`. */
export class AnalysisRun {
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private settle!: (phase: AnalysisPhase) => void;
  readonly result: Promise<AnalysisPhase>;

  constructor(
    private readonly prometheusUrl: string,
    private readonly metrics: readonly AnalysisMetric[],
    private readonly onMeasurement: (m: MeasurementEvent) => void = () => {},
  ) {
    this.result = new Promise((r) => (this.settle = r));
  }

  start(): void {
    let successful = 0;
    for (const metric of this.metrics) {
      const measurements: MeasurementPhase[] = [];
      const measure = async () => {
        if (this.stopped) return;
        let values: number[] = [];
        let phase: MeasurementPhase;
        try {
          values = (await promQuery(this.prometheusUrl, withBool(metric.query))).map((s) => s.value);
          phase = measurementPhase(metric, values);
        } catch {
          phase = 'Error';
        }
        if (this.stopped) return;
        measurements.push(phase);
        this.onMeasurement({ metric: metric.name, value: values.length === 1 ? values[0] : values, phase });
        const status = metricPhase(metric, measurements);
        if (status === 'Running') this.schedule(measure, metric.intervalMs);
        else if (status === 'Successful') {
          if (++successful === this.metrics.length) this.finish('Successful');
        } else this.finish(status);
      };
      this.schedule(measure, metric.initialDelayMs ?? 0);
    }
  }

  /** Ends the run (background analysis when the rollout completes); a pending result becomes Successful. */
  stop(): void {
    this.finish('Successful');
  }

  private finish(phase: AnalysisPhase): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.settle(phase);
  }

  private schedule(fn: () => Promise<void>, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    this.timers.add(t);
  }
}
