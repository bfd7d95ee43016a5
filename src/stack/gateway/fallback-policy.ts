/**
 * The seed's `should_use_fallback` (error count > 10, average latency over the last 100
 * requests > 500 ms, error rate > 5 %), made production-grade: it looks at a sliding window
 * of recent primary calls (bounded by count and age) instead of totals since process start,
 * so it recovers once the primary does; while it diverts traffic, a probe call per interval
 * still reaches the primary so the window keeps describing the primary's present.
 *
 * The thresholds are per route: the predict routes use the seed's, the generate route
 * records time to first token instead of the call's duration and trips on that and on the
 * upstream's failure rate only (see `generateThresholds`).
 */
import type { FallbackPolicyConfig, GenerateFallbackPolicyConfig } from './config.js';

/** What one route's policy trips on, resolved. */
export interface PolicyThresholds {
  /** More failed calls than this in the window divert (the seed's error_count > 10); Infinity: off. */
  readonly maxErrors: number;
  /** Average recorded latency above this diverts (completion time, or TTFT for generate). */
  readonly maxAvgLatencyMs: number;
  readonly maxErrorRate: number;
  readonly windowSize: number;
  readonly windowMs: number;
  readonly minSamples: number;
  readonly probeIntervalMs: number;
  /** What a recorded latency measures, as /model/status reports it. */
  readonly latency?: 'completion' | 'ttft';
}

/** The predict routes' thresholds: the seed's policy as configured. */
export function seedThresholds(cfg: FallbackPolicyConfig): PolicyThresholds {
  return { ...cfg, latency: 'completion' };
}

/** The generate route's thresholds: average TTFT and the upstream's failure rate, no error count. */
export function generateThresholds(cfg: GenerateFallbackPolicyConfig): PolicyThresholds {
  return {
    maxErrors: Number.POSITIVE_INFINITY,
    maxAvgLatencyMs: cfg.maxAvgTtftMs,
    maxErrorRate: cfg.maxUpstreamErrorRate,
    windowSize: cfg.windowSize,
    windowMs: cfg.windowMs,
    minSamples: cfg.minSamples,
    probeIntervalMs: cfg.probeIntervalMs,
    latency: 'ttft',
  };
}

/** What the window currently says, in the seed's `/model/status` vocabulary. */
export interface WindowStats {
  readonly samples: number;
  readonly errors: number;
  readonly errorRate: number;
  /** Seconds, like the seed's `avg_latency`. */
  readonly avgLatency: number;
}

export type PolicyVerdict = 'primary' | 'fallback' | 'probe';

/** Sliding window of one upstream's primary calls plus the divert/probe decision. */
export class FallbackPolicy {
  private readonly at: Float64Array;
  private readonly latencyMs: Float64Array;
  private readonly failed: Uint8Array;
  private head = 0;
  private size = 0;
  private lastProbeAt = 0;

  constructor(
    private readonly cfg: PolicyThresholds,
    private readonly now: () => number = Date.now,
  ) {
    this.at = new Float64Array(cfg.windowSize);
    this.latencyMs = new Float64Array(cfg.windowSize);
    this.failed = new Uint8Array(cfg.windowSize);
  }

  /** What `record`'s latency measures (completion time or time to first token). */
  get latencySignal(): 'completion' | 'ttft' {
    return this.cfg.latency ?? 'completion';
  }

  /** Records one finished primary call (success or upstream failure). */
  record(latencyMs: number, ok: boolean): void {
    const i = this.head;
    this.at[i] = this.now();
    this.latencyMs[i] = latencyMs;
    this.failed[i] = ok ? 0 : 1;
    this.head = (i + 1) % this.cfg.windowSize;
    if (this.size < this.cfg.windowSize) this.size++;
  }

  /** Forgets everything (the breaker proved the primary healthy again). */
  reset(): void {
    this.size = 0;
    this.head = 0;
  }

  stats(): WindowStats {
    const cutoff = this.now() - this.cfg.windowMs;
    let samples = 0;
    let errors = 0;
    let latency = 0;
    const n = this.cfg.windowSize;
    for (let k = 0; k < this.size; k++) {
      const i = (this.head - 1 - k + n) % n;
      // Entries are in time order, so the first stale one ends the scan.
      if (this.at[i]! < cutoff) break;
      samples++;
      errors += this.failed[i]!;
      latency += this.latencyMs[i]!;
    }
    return {
      samples,
      errors,
      errorRate: samples === 0 ? 0 : errors / samples,
      avgLatency: samples === 0 ? 0 : latency / samples / 1000,
    };
  }

  /** True when the route's thresholds say the primary should rest. */
  shouldUseFallback(s: WindowStats = this.stats()): boolean {
    if (s.errors > this.cfg.maxErrors) return true;
    if (s.samples < this.cfg.minSamples) return false;
    return s.avgLatency * 1000 > this.cfg.maxAvgLatencyMs || s.errorRate > this.cfg.maxErrorRate;
  }

  /**
   * The routing decision for one request (a scan of at most `windowSize` entries; only
   * cache misses pay it). A `probe` goes to the primary although the policy diverts.
   */
  decide(): PolicyVerdict {
    if (this.size === 0) return 'primary';
    if (!this.shouldUseFallback()) return 'primary';
    const t = this.now();
    if (t - this.lastProbeAt >= this.cfg.probeIntervalMs) {
      this.lastProbeAt = t;
      return 'probe';
    }
    return 'fallback';
  }
}
