/**
 * Arrival times of an open-model profile, k6's arrival-rate semantics: the i-th request is
 * due when the integral of the rate curve reaches i (the first at t = 0). Constant stages
 * give evenly spaced arrivals; ramps solve the quadratic of a linearly changing rate.
 */
import type { ResolvedStage } from '../scenario/types.js';

export class ArrivalSchedule {
  private stage = 0;
  /** Global index of the next arrival. */
  private index = 0;
  /** Arrivals (fractional) before the current stage. */
  private before = 0;

  constructor(private readonly stages: readonly ResolvedStage[]) {}

  /** Requests per second the profile asks for at `ms`. */
  rateAt(ms: number): number {
    for (const s of this.stages) {
      if (ms < s.startMs + s.durationMs) {
        const f = s.durationMs > 0 ? Math.max(0, ms - s.startMs) / s.durationMs : 1;
        return s.fromRate + (s.toRate - s.fromRate) * f;
      }
    }
    return 0;
  }

  /** Expected number of arrivals over the whole profile. */
  total(): number {
    return this.stages.reduce((sum, s) => sum + stageCount(s), 0);
  }

  /** The next arrival time in ms from traffic start, or Infinity when the profile is over. */
  next(): number {
    while (this.stage < this.stages.length) {
      const s = this.stages[this.stage] as ResolvedStage;
      const count = stageCount(s);
      const n = this.index - this.before; // arrivals into this stage
      if (n < count - 1e-9) {
        this.index++;
        return s.startMs + offsetMs(s, n);
      }
      this.before += count;
      this.stage++;
    }
    return Infinity;
  }
}

function stageCount(s: ResolvedStage): number {
  return ((s.fromRate + s.toRate) / 2) * (s.durationMs / 1000);
}

/** Time (ms into the stage) at which `n` arrivals have accumulated. */
function offsetMs(s: ResolvedStage, n: number): number {
  if (n <= 0) return 0;
  const T = s.durationMs / 1000;
  const r0 = s.fromRate;
  const a = (s.toRate - r0) / (2 * T);
  // Root of a·t² + r0·t − n = 0 in the form that stays exact when a → 0.
  const t = (2 * n) / (r0 + Math.sqrt(Math.max(0, r0 * r0 + 4 * a * n)));
  return Math.min(t * 1000, s.durationMs);
}
