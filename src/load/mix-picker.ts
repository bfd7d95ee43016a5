/**
 * Weighted choice of the next mix entry: cumulative weights searched with one uniform draw,
 * so proportions follow the weights exactly in expectation and the seed fixes the sequence.
 */
import type { Random } from '../scenario/types.js';

export class MixPicker {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  /** `weights[i]` is the weight of entry i; all must be > 0. */
  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new RangeError('a mix needs at least one entry');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  /** Index of the chosen entry. */
  pick(rng: Random): number {
    const x = rng.next() * this.total;
    const c = this.cumulative;
    // Mixes are small (a handful of entries): a linear scan beats a binary search here.
    for (let i = 0; i < c.length - 1; i++) if (x < (c[i] as number)) return i;
    return c.length - 1;
  }
}
