/**
 * The seed's `should_use_fallback` (error count > 10, average latency over the last 100
 * requests > 500 ms, error rate > 5 %), made production-grade: it looks at a sliding window
 * of recent primary calls (bounded by count and age) instead of totals since process start,
 * so it recovers once the primary does; while it diverts traffic, a probe call per interval
 * still reaches the primary so the window keeps describing the primary's present.
 */
import type { FallbackPolicyConfig } from './config.js';

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
    private readonly cfg: FallbackPolicyConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.at = new Float64Array(cfg.windowSize);
    this.latencyMs = new Float64Array(cfg.windowSize);
    this.failed = new Uint8Array(cfg.windowSize);
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

  /** True when the seed's thresholds say the primary should rest. */
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
