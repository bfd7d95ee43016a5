/** The step search and bisection on synthetic services whose breaking rate is known. */
import { describe, expect, it } from 'vitest';
import { roundRate, searchCapacity, type SearchOptions } from '../../../src/capacity/search.js';

const opts: SearchOptions = { startRate: 10, maxRate: 10_000, minRate: 1, precision: 0.05 };

/** A service that holds every rate up to `limit`. */
const service = (limit: number) => async (rate: number) => rate <= limit;

describe('searchCapacity', () => {
  it('doubles until a step breaks, then bisects to within the precision of the true limit', async () => {
    const out = await searchCapacity(service(83), opts);
    expect(out.outcome).toBe('found');
    expect(out.tried.filter((t) => t.phase === 'step').map((t) => t.rate)).toEqual([10, 20, 40, 80, 160]);
    expect(out.lastGood!).toBeLessThanOrEqual(83);
    expect(out.firstBad!).toBeGreaterThan(83);
    expect((out.firstBad! - out.lastGood!) / out.lastGood!).toBeLessThanOrEqual(0.05);
    expect(out.lastGood!).toBeGreaterThan(83 * 0.95);
  });

  it('finds every limit within 5% across a range of services', async () => {
    for (const limit of [3.3, 17, 80, 99, 250, 1234, 7777]) {
      const out = await searchCapacity(service(limit), opts);
      expect(out.lastGood!, `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(out.lastGood!, `limit ${limit}`).toBeGreaterThanOrEqual(limit * 0.94);
    }
  });

  it('halves from the start rate when even that breaks, then bisects', async () => {
    const out = await searchCapacity(service(3.3), { ...opts, startRate: 40 });
    expect(out.tried.filter((t) => t.phase === 'step').map((t) => t.rate)).toEqual([40, 20, 10, 5, 2.5]);
    expect(out.outcome).toBe('found');
    expect(out.lastGood!).toBeGreaterThanOrEqual(3.3 * 0.94);
  });

  it('reports nothing sustainable when the SLOs break down to the minimum rate', async () => {
    const out = await searchCapacity(service(0.1), opts);
    expect(out).toMatchObject({ outcome: 'none-sustainable', lastGood: undefined });
    expect(out.tried.every((t) => !t.ok)).toBe(true);
    expect(Math.min(...out.tried.map((t) => t.rate))).toBeGreaterThanOrEqual(1);
  });

  it('stops at the max rate when nothing breaks, and says so', async () => {
    const out = await searchCapacity(service(Infinity), { ...opts, maxRate: 300 });
    expect(out.outcome).toBe('no-break');
    expect(out.lastGood).toBe(300);
    expect(out.tried.map((t) => t.rate)).toEqual([10, 20, 40, 80, 160, 300]);
  });

  it('never probes the same rate twice and stays between last good and first bad while bisecting', async () => {
    const out = await searchCapacity(service(61), opts);
    const rates = out.tried.map((t) => t.rate);
    expect(new Set(rates).size).toBe(rates.length);
    const bisect = out.tried.filter((t) => t.phase === 'bisect');
    expect(bisect.every((t) => t.rate > 40 && t.rate < 80)).toBe(true);
  });

  it('rounds rates for people: one decimal below 100, whole above', () => {
    expect([roundRate(78.849), roundRate(123.4), roundRate(2.25)]).toEqual([78.8, 123, 2.3]);
  });

  describe('confirming the boundary (repeats)', () => {
    /** mulberry32: a seeded uniform generator, so every noisy service is the same on every run. */
    const rng = (seed: number) => () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    /** A service whose capacity in each step is `limit` × (1 + N(0, sigma)): a busy machine's step-to-step noise. */
    const noisy = (limit: number, sigma: number, seed: number) => {
      const u = rng(seed);
      return async (rate: number) => {
        const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
        return rate <= limit * (1 + sigma * z);
      };
    };
    const spreadOf = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / ((Math.max(...xs) + Math.min(...xs)) / 2);

    it('on a clean service, repeats each boundary rate and reports it known to within ±10%', async () => {
      const out = await searchCapacity(service(83), { ...opts, repeats: 3 });
      expect(out.outcome).toBe('found');
      expect(out.spread?.verdict).toBe('confirmed');
      expect(out.spread!.relative).toBeLessThanOrEqual(0.1);
      const runsAt = (r: number) => out.tried.filter((t) => t.rate === r).length;
      expect(runsAt(out.lastGood!)).toBe(3);
      expect(runsAt(out.firstBad!)).toBe(3);
      expect(out.lastGood!).toBeLessThanOrEqual(83);
      expect(out.firstBad!).toBeGreaterThan(83);
      expect(out.tried.filter((t) => t.phase === 'confirm')).toHaveLength(4);
    });

    it('on a noisy service, searches with repeats agree within 10% where single-run searches do not', async () => {
      const once: number[] = [];
      const thrice: number[] = [];
      for (let seed = 1; seed <= 12; seed++) {
        once.push((await searchCapacity(noisy(5000, 0.04, seed), { ...opts, startRate: 1000 })).lastGood!);
        const out = await searchCapacity(noisy(5000, 0.04, 100 + seed), { ...opts, startRate: 1000, repeats: 3 });
        expect(out.spread?.verdict, `seed ${seed}`).toBe('confirmed');
        thrice.push(out.lastGood!);
      }
      expect(spreadOf(thrice)).toBeLessThanOrEqual(0.1);
      expect(spreadOf(once)).toBeGreaterThan(spreadOf(thrice));
    });

    it('says the machine is too noisy to tell when repeats keep disagreeing, with the spread it saw', async () => {
      const out = await searchCapacity(noisy(5000, 0.6, 7), { ...opts, startRate: 1000, repeats: 3 });
      expect(out.spread?.verdict).toBe('noisy');
      expect(out.spread!.relative).toBeGreaterThan(0.1);
      expect(out.spread!.runs.some((z) => z.held > 0 && z.held < z.runs)).toBe(true);
      expect(out.tried.filter((t) => t.phase === "confirm").length).toBeLessThanOrEqual(18);
    });
  });
});
