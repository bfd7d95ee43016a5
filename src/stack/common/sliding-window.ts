/**
 * Per-second buckets over the last `seconds` seconds: request rate and mean latency "now",
 * the values the seed's HPA (inference_requests_per_second) and canary analysis
 * (model_latency_ms) read. O(1) per observation, bounded memory.
 */
export class SlidingWindow {
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private readonly stamps: Float64Array;

  constructor(private readonly seconds = 10, private readonly now: () => number = Date.now) {
    this.counts = new Float64Array(seconds);
    this.sums = new Float64Array(seconds);
    this.stamps = new Float64Array(seconds).fill(-1);
  }

  observe(value: number): void {
    const sec = Math.floor(this.now() / 1000);
    const i = sec % this.seconds;
    if (this.stamps[i] !== sec) {
      this.stamps[i] = sec;
      this.counts[i] = 0;
      this.sums[i] = 0;
    }
    this.counts[i]! += 1;
    this.sums[i]! += value;
  }

  /** Count and sum of the observations of the last `seconds` seconds. */
  totals(): { count: number; sum: number } {
    const sec = Math.floor(this.now() / 1000);
    let count = 0;
    let sum = 0;
    for (let i = 0; i < this.seconds; i++) {
      if (this.stamps[i]! > sec - this.seconds) {
        count += this.counts[i]!;
        sum += this.sums[i]!;
      }
    }
    return { count, sum };
  }

  /** Observations per second over the window. */
  rate(): number {
    return this.totals().count / this.seconds;
  }

  /** Mean observed value over the window (0 when empty). */
  mean(): number {
    const { count, sum } = this.totals();
    return count === 0 ? 0 : sum / count;
  }
}
