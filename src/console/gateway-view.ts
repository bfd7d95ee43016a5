/**
 * The gateway as Prometheus sees it (the platform's own Prometheus scrapes every replica
 * once a second): request rate, latency p50/p99 from the seed's histogram, errors and
 * fallbacks per second. Unlike the client-side figures of the background traffic, this
 * counts every request, the operator's own traffic included. Rates over 5 s windows, so it
 * trails the client-side view by a few seconds; quantiles interpolate inside the seed's
 * coarse buckets (0.25 s, 0.5 s, ...).
 */
import type { MetricsQuery } from '../platforms/capabilities.js';

/** One sample; `t` is seconds since the game day started; undefined where there was no traffic. */
export interface GatewayPoint {
  readonly t: number;
  readonly rate: number | undefined;
  readonly p50: number | undefined;
  readonly p99: number | undefined;
  readonly errors: number | undefined;
  readonly fallbacks: number | undefined;
}

const W = '[5s]';
const QUERIES = {
  rate: `sum(rate(model_prediction_requests_total${W}))`,
  p50: `histogram_quantile(0.5, sum by (le) (rate(model_prediction_latency_seconds_bucket${W}))) * 1000`,
  p99: `histogram_quantile(0.99, sum by (le) (rate(model_prediction_latency_seconds_bucket${W}))) * 1000`,
  errors: `sum(rate(model_prediction_errors_total${W}))`,
  fallbacks: `sum(rate(gateway_fallback_total${W}))`,
} as const;

const KEEP = 600;

export class GatewayView {
  readonly points: GatewayPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    /** Instant PromQL queries against the stack's Prometheus (the platform's MetricsQuery). */
    private readonly query: MetricsQuery['queryMetrics'],
    /** Seconds since the game day started. */
    private readonly now: () => number,
    private readonly onPoint?: (p: GatewayPoint) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sample(): Promise<void> {
    if (this.busy) return; // a slow Prometheus must not pile up queries
    this.busy = true;
    try {
      const t = Math.round(this.now());
      const entries = await Promise.all(
        Object.entries(QUERIES).map(async ([k, q]) => {
          const v = (await this.query(q, 900).catch(() => []))[0]?.value;
          return [k, v !== undefined && Number.isFinite(v) ? Math.round(v * 1000) / 1000 : undefined] as const;
        }),
      );
      const p = { t, ...Object.fromEntries(entries) } as GatewayPoint;
      this.points.push(p);
      if (this.points.length > KEEP) this.points.shift();
      this.onPoint?.(p);
    } finally {
      this.busy = false;
    }
  }
}
