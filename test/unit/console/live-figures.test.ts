/**
 * The console's figures: a live second becomes the page's point (fallback share from
 * x-model-type) and the journal's samples on the game day's clock; the background loads of a
 * game day add up exactly into whole-run endpoint results.
 */
import { describe, expect, it } from 'vitest';
import type { Counters, EndpointResult } from '../../../src/contract/journal.js';
import { liveSamples } from '../../../src/load/live.js';
import { livePoint } from '../../../src/console/live-samples.js';
import { mergeEndpointResults } from '../../../src/console/endpoint-totals.js';
import type { LiveSecond } from '../../../src/load/live.js';
import { decodeHistogram, encodeHistogram, newHistogram, summarize } from '../../../src/load/histogram.js';

const counters = (requests: number, errors: number, modelType: Record<string, number>): Counters => ({
  requests,
  errors,
  dropped: 0,
  status: { '200': requests - errors, ...(errors ? { '503': errors } : {}) },
  errorKinds: errors ? { http_5xx: errors } : {},
  modelType,
  modelVersion: {},
  cache: {},
});

const second: LiveSecond = {
  t: 12,
  rate: 40,
  targetRate: 40,
  p50: 6,
  p99: 320,
  p99Ms: 320,
  requests: 40,
  errors: 2,
  dropped: 0,
  inFlight: 3,
  endpoints: {
    predict: { ...counters(30, 2, { primary: 20, fallback: 8 }), p50: 5, p99: 12 },
    detailed: { ...counters(10, 0, { primary: 10 }), p50: 305, p99: 330 },
  },
};

describe('live figures', () => {
  it('computes the fallback share over answers that carried x-model-type', () => {
    const p = livePoint(second, 7);
    expect(p).toMatchObject({ t: 7, rate: 40, p50: 6, p99: 320, errors: 2 });
    expect(p.fallbackShare).toBeCloseTo(8 / 38, 6);
    expect(livePoint({ ...second, endpoints: {} }, 7).fallbackShare).toBeUndefined();
  });

  it('writes one sample per endpoint plus the all-endpoints sample at the given second', () => {
    const samples = liveSamples(second, 7);
    expect(samples.map((s) => [s.endpoint, s.t])).toEqual([['predict', 7], ['detailed', 7], ['*', 7]]);
    const all = samples.at(-1)!;
    expect(all).toMatchObject({ requests: 40, errors: 2, modelType: { primary: 30, fallback: 8 }, status: { '200': 38, '503': 2 } });
    expect(all.latency).toMatchObject({ p50: 6, p99: 320, count: 40 });
    expect(samples[1]!.latency.p99).toBe(330);
  });

  it('adds up the endpoint results of several loads exactly', () => {
    const load = (endpoint: string, valuesMs: number[]): EndpointResult => {
      const h = newHistogram();
      for (const v of valuesMs) h.recordValue(v * 1000);
      return { endpoint, ...counters(valuesMs.length, 0, { primary: valuesMs.length }), latency: summarize(h), histogram: encodeHistogram(h) };
    };
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const b = [300, 310, 320, 330, 340];
    const merged = mergeEndpointResults([[load('detailed', a)], [load('detailed', b), load('predict', [4])]]);
    expect(merged.map((r) => r.endpoint)).toEqual(['detailed', 'predict']);
    const ref = newHistogram();
    for (const v of [...a, ...b]) ref.recordValue(v * 1000);
    // Same as one histogram of every value (after the same encoding the journal stores).
    expect(merged[0]!.latency).toEqual(summarize(decodeHistogram(encodeHistogram(ref))));
    expect(merged[0]!.requests).toBe(15);
    expect(merged[0]!.modelType).toEqual({ primary: 15 });
  });
});
