/**
 * The seed's model-serving metrics (names, labels and buckets from its prometheus_client
 * code) for one served model, plus the two gauges its Kubernetes objects read:
 * `model_latency_ms` (the canary AnalysisTemplate) and `inference_requests_per_second` (the
 * HPA). Both are computed at scrape time over the last 10 s.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FeatureDrift } from './feature-drift.js';
import { SlidingWindow } from './sliding-window.js';

export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const DISTRIBUTION_BUCKETS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export interface ModelMetricsOptions {
  readonly model: string;
  readonly version: string;
  readonly featureCount: number;
  /** Training rows: the reference distribution of the drift score. */
  readonly reference: readonly (readonly number[])[];
  readonly registry?: Registry;
}

/** Metrics of one model served by one process. */
export class ModelMetrics {
  readonly registry: Registry;
  private readonly labels: { model: string; version: string };
  private readonly requests: Counter<'model' | 'version'>;
  private readonly latency: Histogram<'model' | 'version'>;
  private readonly errors: Counter<'model' | 'version' | 'error_type'>;
  private readonly accuracy: Gauge<'model' | 'version'>;
  private readonly distribution: Histogram<'model' | 'version'>;
  private readonly window = new SlidingWindow(10);
  readonly drift: FeatureDrift;

  constructor(opts: ModelMetricsOptions) {
    const registers = [(this.registry = opts.registry ?? new Registry())];
    if (!opts.registry) collectDefaultMetrics({ register: this.registry });
    this.labels = { model: opts.model, version: opts.version };
    const labelNames = ['model', 'version'] as const;
    this.requests = new Counter({ name: 'model_prediction_requests_total', help: 'Total prediction requests', labelNames, registers });
    this.latency = new Histogram({ name: 'model_prediction_latency_seconds', help: 'Prediction latency', labelNames, buckets: LATENCY_BUCKETS, registers });
    this.errors = new Counter({ name: 'model_prediction_errors_total', help: 'Prediction errors', labelNames: [...labelNames, 'error_type'], registers });
    this.accuracy = new Gauge({ name: 'model_accuracy', help: 'Current model accuracy estimate (held-out validation set)', labelNames, registers });
    this.distribution = new Histogram({ name: 'model_prediction_distribution', help: 'Distribution of prediction values', labelNames, buckets: DISTRIBUTION_BUCKETS, registers });
    this.drift = new FeatureDrift(opts.reference, opts.featureCount);
    const drift = this.drift;
    const labels = this.labels;
    new Gauge({
      name: 'model_feature_drift',
      help: 'Feature drift score (PSI of recent inputs vs the training reference)',
      labelNames: [...labelNames, 'feature'],
      registers,
      collect() {
        drift.psi().forEach((v, f) => this.set({ ...labels, feature: `feature_${f}` }, Number(v.toFixed(6))));
      },
    });
    const window = this.window;
    new Gauge({
      name: 'model_latency_ms',
      help: 'Mean prediction latency over the last 10 s, milliseconds',
      labelNames,
      registers,
      collect() {
        this.set(labels, window.mean());
      },
    });
    new Gauge({
      name: 'inference_requests_per_second',
      help: 'Prediction requests per second over the last 10 s',
      labelNames,
      registers,
      collect() {
        this.set(labels, window.rate());
      },
    });
    // Zero series exist from the start, so rate() and absent() queries behave before traffic.
    this.requests.inc(this.labels, 0);
    this.latency.zero(this.labels);
  }

  /** Records one successful prediction request: its latency and the predicted probabilities. */
  recordSuccess(seconds: number, probabilities: readonly number[]): void {
    this.requests.inc(this.labels);
    this.latency.observe(this.labels, seconds);
    this.window.observe(seconds * 1000);
    for (const p of probabilities) this.distribution.observe(this.labels, p);
  }

  /** Records a refused or failed request under its error code. */
  recordError(errorType: string): void {
    this.requests.inc(this.labels);
    this.errors.inc({ ...this.labels, error_type: errorType });
  }

  setAccuracy(value: number): void {
    this.accuracy.set(this.labels, value);
  }
}
