import { describe, expect, it } from 'vitest';
import { DRIFT_MIN_SAMPLES, FeatureDrift } from '../../../../src/stack/common/feature-drift.js';
import { SlidingWindow } from '../../../../src/stack/common/sliding-window.js';
import { mulberry32 } from '../../../../src/stack/models/rng.js';

const uniformRows = (n: number, seed: number) => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => [r(), r()]);
};

describe('FeatureDrift (PSI)', () => {
  it('is near 0 for inputs from the reference distribution and large for shifted ones', () => {
    const d = new FeatureDrift(uniformRows(2000, 1), 2, 1000);
    expect(d.psi()).toEqual([]); // too few samples to say anything
    for (const row of uniformRows(1000, 2)) d.observe(row);
    const [same] = d.psi();
    expect(same).toBeLessThan(0.05);
    const r = mulberry32(3);
    for (let i = 0; i < 1000; i++) d.observe([0.8 + 0.2 * r(), r()]); // feature 0 shifted, feature 1 not
    const [shifted, unchanged] = d.psi();
    expect(shifted).toBeGreaterThan(0.25);
    expect(unchanged).toBeLessThan(0.05);
  });

  it('reports nothing until 500 rows, so a fresh replica shows no false drift on any of ten features', () => {
    const rows = (n: number, seed: number) => {
      const r = mulberry32(seed);
      return Array.from({ length: n }, () => Array.from({ length: 10 }, r));
    };
    const d = new FeatureDrift(rows(4000, 11), 10);
    const fresh = rows(DRIFT_MIN_SAMPLES, 12);
    for (const row of fresh.slice(0, -1)) d.observe(row);
    expect(d.psi()).toEqual([]);
    d.observe(fresh.at(-1)!);
    const psi = d.psi();
    expect(psi).toHaveLength(10);
    expect(Math.max(...psi)).toBeLessThan(0.1); // "stable" on every feature
  });
});

describe('SlidingWindow', () => {
  it('reports rate and mean over the last seconds only', () => {
    let now = 100_000;
    const w = new SlidingWindow(10, () => now);
    for (let i = 0; i < 20; i++) w.observe(5);
    now += 3000;
    for (let i = 0; i < 10; i++) w.observe(20);
    expect(w.rate()).toBe(3);
    expect(w.mean()).toBe(10);
    now += 8000; // the first 20 observations leave the window
    expect(w.rate()).toBe(1);
    expect(w.mean()).toBe(20);
    now += 10_000;
    expect(w.mean()).toBe(0);
  });
});
