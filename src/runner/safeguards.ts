/**
 * Halt conditions: when one holds continuously for its `for` window, the run aborts and
 * everything is reverted. Evaluated on the engine's live per-second stats.
 */
import type { HaltCondition } from '../scenario/types.js';

export interface LiveSecondStats {
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly p99Ms: number;
}

export class Safeguards {
  private readonly since = new Map<number, number>();

  constructor(private readonly conditions: readonly (HaltCondition & { readonly forMs: number })[]) {}

  /** Feeds one second (t in ms from traffic start); returns the reason to halt, if any. */
  observe(tMs: number, s: LiveSecondStats): string | undefined {
    for (const [i, c] of this.conditions.entries()) {
      const value = valueOf(c.metric, s);
      if (value === undefined || value <= c.above) {
        this.since.delete(i);
        continue;
      }
      const start = this.since.get(i) ?? tMs;
      this.since.set(i, start);
      // Second-granular samples: a condition seen in N consecutive seconds has held for N seconds.
      if (tMs - start + 1000 >= c.forMs) {
        const name = c.name ?? `${c.metric} above ${c.above}`;
        return `halt condition "${name}" held for ${Math.round((tMs - start + 1000) / 1000)}s (last value ${fmt(c.metric, value)})`;
      }
    }
    return undefined;
  }
}

function valueOf(metric: HaltCondition['metric'], s: LiveSecondStats): number | undefined {
  const total = s.requests + s.dropped;
  switch (metric) {
    case 'error-rate':
      return s.requests > 0 ? s.errors / s.requests : undefined;
    case 'dropped-rate':
      return total > 0 ? s.dropped / total : undefined;
    case 'p99-latency-ms':
      return s.requests > 0 ? s.p99Ms : undefined;
  }
}

function fmt(metric: HaltCondition['metric'], v: number): string {
  return metric === 'p99-latency-ms' ? `${v.toFixed(0)} ms` : `${(v * 100).toFixed(1)}%`;
}
