/**
 * The gateway's Prometheus metrics: the seed's model_prediction_* names (label `model` is the
 * route's model, `version` the version that answered) plus breaker state, fallbacks by
 * reason, cache results and upstream outcomes. model_accuracy and model_feature_drift are
 * exported by the tabular server itself, which owns the validation set and the inputs.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The seed's latency buckets (seconds). */
export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The seed's np.linspace(0, 1, 11). */
export const DISTRIBUTION_BUCKETS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export type CacheResult = 'hit' | 'miss' | 'error';

/** Bound series one answer updates. */
export interface AnswerMetrics {
  readonly requests: { inc(): void };
  readonly latency: { observe(v: number): void };
  readonly distribution: { observe(v: number): void };
}

/** One registry per gateway instance (tests may run several in one process). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'model_prediction_requests_total',
    help: 'Total prediction requests',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'model_prediction_latency_seconds',
    help: 'Prediction latency',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'model_prediction_errors_total',
    help: 'Prediction errors',
    labelNames: ['model', 'version', 'error_type'] as const,
    registers: [this.registry],
  });
  readonly distribution = new Histogram({
    name: 'model_prediction_distribution',
    help: 'Distribution of prediction values (positive-class probability)',
    labelNames: ['model', 'version'] as const,
    buckets: DISTRIBUTION_BUCKETS,
    registers: [this.registry],
  });
  readonly breakerState = new Gauge({
    name: 'gateway_circuit_breaker_state',
    help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });
  readonly breakerTransitions = new Counter({
    name: 'gateway_circuit_breaker_transitions_total',
    help: 'Circuit breaker state changes per upstream and target state',
    labelNames: ['upstream', 'state'] as const,
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'gateway_fallback_total',
    help: 'Requests answered by the fallback model, by route and reason',
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });
  readonly cache = new Counter({
    name: 'gateway_cache_requests_total',
    help: 'Prediction cache lookups by result (error = Redis unavailable or too slow)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly upstreamRequests = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Calls to upstreams by outcome',
    labelNames: ['upstream', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly canaryWeight = new Gauge({
    name: 'gateway_canary_weight',
    help: 'Share of traffic (0..100) routed to the canary URL per upstream',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });

  // Bound children for the hot path: label lookups cost more than the increments, and each
  // lookup allocates a child wrapper (garbage the one-core gateway then has to collect).
  private readonly cacheChildren: Record<CacheResult, { inc(): void }>;
  private readonly answerChildren = new Map<string, AnswerMetrics>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
    this.cacheChildren = { hit: this.cache.labels('hit'), miss: this.cache.labels('miss'), error: this.cache.labels('error') };
    // Zero series exist from the start so dashboards and tests see the names before traffic.
    for (const r of ['hit', 'miss', 'error'] as const) this.cache.labels(r).inc(0);
  }

  cacheResult(result: CacheResult): void {
    this.cacheChildren[result].inc();
  }

  /** The per-answer series of one model and version (model and version sets are small). */
  answer(model: string, version: string): AnswerMetrics {
    const key = `${model}\u0000${version}`;
    let c = this.answerChildren.get(key);
    if (c === undefined) {
      c = { requests: this.requests.labels(model, version), latency: this.latency.labels(model, version), distribution: this.distribution.labels(model, version) };
      this.answerChildren.set(key, c);
    }
    return c;
  }
}
