import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/load/random.js';
import { MixPicker } from '../../../src/load/mix-picker.js';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('int() covers [min, max] inclusively, normal() has mean 0 and sd 1, pick() picks every item', () => {
    const r = new SeededRandom(7);
    const ints = new Set(Array.from({ length: 2000 }, () => r.int(10, 50)));
    expect(Math.min(...ints)).toBe(10);
    expect(Math.max(...ints)).toBe(50);
    expect(ints.size).toBe(41);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    expect(new Set(Array.from({ length: 200 }, () => r.pick(['a', 'b', 'c'])))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('forks independent, reproducible streams', () => {
    const r = new SeededRandom(1);
    expect(r.fork(1).next()).toBe(new SeededRandom(1).fork(1).next());
    expect(r.fork(1).next()).not.toBe(r.fork(2).next());
  });
});

describe('MixPicker', () => {
  // 99.9th percentile of chi-square with k-1 degrees of freedom.
  const CHI2_999: Record<number, number> = { 2: 13.816, 3: 16.266 };

  it.each([1, 2, 3])('keeps the seed mix proportions within a chi-square bound over 10,000 picks (seed %i)', (seed) => {
    const weights = [70, 20, 10, 3];
    const picker = new MixPicker(weights);
    const rng = new SeededRandom(seed);
    const counts = [0, 0, 0, 0];
    const n = 10_000;
    for (let i = 0; i < n; i++) (counts[picker.pick(rng)] as number)++;
    const total = weights.reduce((a, b) => a + b, 0);
    const chi2 = weights.reduce((s, w, i) => {
      const expected = (n * w) / total;
      return s + ((counts[i] as number) - expected) ** 2 / expected;
    }, 0);
    expect(chi2).toBeLessThan(CHI2_999[3] as number);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('never picks a zero-share entry beyond its weight and is deterministic per seed', () => {
    const seq = (seed: number) => {
      const p = new MixPicker([1, 1]);
      const r = new SeededRandom(seed);
      return Array.from({ length: 50 }, () => p.pick(r));
    };
    expect(seq(5)).toEqual(seq(5));
    expect(new MixPicker([5]).pick(new SeededRandom(1))).toBe(0);
  });
});
