/** Replica and HPA arithmetic for a forecast peak. */
import { describe, expect, it } from 'vitest';
import { recommend, suggestHpa } from '../../../src/capacity/recommend.js';

describe('recommend', () => {
  it('replicas = ceil(peak × (1 + headroom) / per-replica rate)', () => {
    expect(recommend(100, 1500, 0.3).replicas).toBe(20); // 1950 / 100 = 19.5 → 20
    expect(recommend(80, 1500, 0.3).replicas).toBe(25); // 1950 / 80 = 24.4 → 25
    expect(recommend(1000, 10, 0).replicas).toBe(1);
  });

  it('does not add a replica when the division is exact but floating point lands a hair above', () => {
    // 700 × 1.3 = 909.9999999999999 or 910.0000000000001 depending on order; 910 / 91 = 10 exactly.
    expect(recommend(91, 700, 0.3).replicas).toBe(10);
    expect(recommend(65, 1000, 0.3).replicas).toBe(20);
  });

  it('HPA target = per-replica × (1 − headroom), rounded down, and maxReplicas covers the peak', () => {
    const hpa = recommend(80, 1500, 0.3).hpa;
    expect(hpa).toEqual({ metric: 'inference_requests_per_second', averageValue: 56, basis: 'headroom', maxReplicas: 27 });
  });

  it('caps the HPA target at the knee when the knee is lower', () => {
    expect(suggestHpa(100, 0.1, 70)).toEqual({ metric: 'inference_requests_per_second', averageValue: 70, basis: 'knee' });
    expect(suggestHpa(100, 0.1, 95).basis).toBe('headroom');
  });

  it('keeps one decimal for small per-pod targets', () => {
    expect(suggestHpa(4.5, 0.3).averageValue).toBe(3.1);
  });

  it('refuses a zero rate per replica', () => {
    expect(() => recommend(0, 100, 0.3)).toThrow(/must be > 0/);
  });
});
