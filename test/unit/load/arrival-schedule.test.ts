import { describe, expect, it } from 'vitest';
import { ArrivalSchedule } from '../../../src/load/arrival-schedule.js';
import type { ResolvedStage } from '../../../src/scenario/types.js';

function arrivals(stages: ResolvedStage[]): number[] {
  const s = new ArrivalSchedule(stages);
  const out: number[] = [];
  for (let t = s.next(); t !== Infinity; t = s.next()) out.push(t);
  return out;
}

function perSecond(times: number[], seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const t of times) counts[Math.floor(t / 1000)]!++;
  return counts;
}

describe('ArrivalSchedule (k6 arrival-rate semantics)', () => {
  it('spaces a constant rate evenly, the first arrival at 0', () => {
    const t = arrivals([{ name: 'a', startMs: 0, durationMs: 1000, fromRate: 10, toRate: 10 }]);
    expect(t.map((x) => Math.round(x))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('gives exactly the rate in every second of a steady stage', () => {
    const t = arrivals([{ name: 'a', startMs: 0, durationMs: 10_000, fromRate: 1234, toRate: 1234 }]);
    expect(perSecond(t, 10)).toEqual(new Array(10).fill(1234));
  });

  it('ramps linearly: each second carries the integral of the rate, and the total matches', () => {
    const stages: ResolvedStage[] = [
      { name: 'up', startMs: 0, durationMs: 10_000, fromRate: 0, toRate: 100 },
      { name: 'hold', startMs: 10_000, durationMs: 5000, fromRate: 100, toRate: 100 },
      { name: 'down', startMs: 15_000, durationMs: 5000, fromRate: 100, toRate: 20 },
    ];
    const t = arrivals(stages);
    expect(t.length).toBe(Math.ceil(500 + 500 + 300));
    expect(new ArrivalSchedule(stages).total()).toBe(1300);
    const counts = perSecond(t, 20);
    // Second i of the ramp carries ∫ 10t dt over [i, i+1] = 10i + 5.
    for (let i = 0; i < 10; i++) expect(Math.abs((counts[i] as number) - (10 * i + 5))).toBeLessThanOrEqual(1);
    for (let i = 10; i < 15; i++) expect(counts[i]).toBe(100);
    for (let i = 0; i < 5; i++) expect(Math.abs((counts[15 + i] as number) - (100 - 16 * i - 8))).toBeLessThanOrEqual(1);
    expect([...t].sort((a, b) => a - b)).toEqual(t);
  });

  it('reports the rate curve', () => {
    const s = new ArrivalSchedule([{ name: 'up', startMs: 0, durationMs: 10_000, fromRate: 40, toRate: 140 }]);
    expect(s.rateAt(0)).toBe(40);
    expect(s.rateAt(5000)).toBe(90);
    expect(s.rateAt(20_000)).toBe(0);
  });

  it('skips zero-rate stages', () => {
    const t = arrivals([
      { name: 'idle', startMs: 0, durationMs: 2000, fromRate: 0, toRate: 0 },
      { name: 'on', startMs: 2000, durationMs: 1000, fromRate: 5, toRate: 5 },
    ]);
    expect(t.map((x) => Math.round(x))).toEqual([2000, 2200, 2400, 2600, 2800]);
  });
});
