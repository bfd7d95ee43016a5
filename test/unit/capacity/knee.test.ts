/** Knee detection (Kneedle) on synthetic latency curves. */
import { describe, expect, it } from 'vitest';
import { findKnee } from '../../../src/capacity/knee.js';

describe('findKnee', () => {
  it('finds the bend of a queueing curve (flat, then p99 climbing as the rate nears capacity)', () => {
    // p99 of a queue with capacity 100: base / (1 − ρ); the bend sits a little below capacity.
    const points = [10, 20, 40, 60, 70, 80, 85, 90, 95].map((rate) => ({ rate, p99: 50 / (1 - rate / 100) }));
    const knee = findKnee(points)!;
    expect(knee.rate).toBeGreaterThanOrEqual(70);
    expect(knee.rate).toBeLessThanOrEqual(90);
  });

  it('puts the knee at the last flat point of a hockey stick (a deterministic server)', () => {
    const points = [
      { rate: 20, p99: 52 },
      { rate: 40, p99: 53 },
      { rate: 60, p99: 54 },
      { rate: 75, p99: 60 },
      { rate: 82, p99: 360 },
      { rate: 90, p99: 450 },
      { rate: 120, p99: 470 },
    ];
    expect(findKnee(points)).toEqual({ rate: 75, p99: 60 });
  });

  it('works on the uneven order a step search produces and keeps the worse reading of a repeated rate', () => {
    const points = [
      { rate: 120, p99: 900 },
      { rate: 30, p99: 50 },
      { rate: 90, p99: 300 },
      { rate: 60, p99: 55 },
      { rate: 75, p99: 58 },
      { rate: 75, p99: 200 },
    ];
    // With the worse reading of 75 rps (200 ms) the bend moves past it; without it, 75 is the knee.
    expect(findKnee(points)!.rate).toBe(90);
    expect(findKnee(points.filter((p) => p.p99 !== 200))!.rate).toBe(75);
  });

  it('finds no knee on a straight line, a flat curve, a concave curve, or fewer than three points', () => {
    expect(findKnee([10, 20, 30, 40].map((r) => ({ rate: r, p99: r * 2 })))).toBeUndefined();
    expect(findKnee([10, 20, 30].map((r) => ({ rate: r, p99: 50 })))).toBeUndefined();
    expect(findKnee([10, 20, 40, 80].map((r) => ({ rate: r, p99: Math.sqrt(r) })))).toBeUndefined();
    expect(findKnee([{ rate: 10, p99: 5 }, { rate: 20, p99: 500 }])).toBeUndefined();
  });
});
