import { describe, expect, it } from 'vitest';
import { StatsRecorder, type Outcome } from '../../../src/load/stats-recorder.js';
import { LoadResult, type LoadData } from '../../../src/load/load-result.js';
import { mergeLoadData } from '../../../src/load/merge.js';
import { decodeHistogram, encodeHistogram, meanOf, newHistogram } from '../../../src/load/histogram.js';
import { bucketsOfHistogram, histogramOf } from '../../../src/load/slice-codec.js';
import { SeededRandom } from '../../../src/load/random.js';

const ok = (extra: Partial<Outcome> = {}): Outcome => ({ status: 200, errorKind: undefined, modelType: undefined, modelVersion: undefined, cache: undefined, ...extra });

function run(endpoints: string[], samples: { ep: number; atMs: number; us: number; o?: Outcome }[], durationMs: number): LoadData {
  const r = new StatsRecorder(endpoints);
  for (const s of samples) {
    r.begin(s.atMs);
    r.record(s.ep, s.atMs, s.us, s.o ?? ok());
  }
  r.sealAll();
  return { endpoints, durationMs, startEpochMs: 1000, targetRps: 10, slices: r.store().toData(), schedulingLag: undefined, aborted: false };
}

describe('histogram merge across workers', () => {
  it('merging two workers equals one histogram of all values (every percentile, count, min, max, mean)', () => {
    const rng = new SeededRandom(9);
    const all: { ep: number; atMs: number; us: number }[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Long-tailed latencies from 50 µs to several seconds.
      all.push({ ep: i % 2, atMs: rng.next() * 5000, us: Math.round(50 + Math.exp(rng.normal() * 2 + 7)) });
    }
    const a = run(['predict', 'batch'], all.filter((_, i) => i % 3 === 0), 5000);
    const b = run(['predict', 'batch'], all.filter((_, i) => i % 3 !== 0), 5000);
    const merged = new LoadResult(mergeLoadData([a, b]));
    const single = new LoadResult(run(['predict', 'batch'], all, 5000));
    expect(merged.endpointResults()).toEqual(single.endpointResults());
    expect(merged.timeline()).toEqual(single.timeline());
    const ref = newHistogram();
    for (const s of all) ref.recordValue(s.us);
    const w = merged.window(0, 5000)!;
    for (const p of [50, 90, 99, 99.9, 100]) expect(w.percentile(p)).toBe(Math.round(ref.getValueAtPercentile(p)) / 1000);
    expect(w.requests).toBe(20_000);
    const h = decodeHistogram(merged.endpointResults()[0]!.histogram);
    expect(h.totalCount).toBe(10_000);
  });
});

describe('LoadResult windows', () => {
  const data = run(
    ['predict', 'batch'],
    [
      { ep: 0, atMs: 100, us: 10_000, o: ok({ cache: 'hit', modelType: 'primary', modelVersion: 'v1' }) },
      { ep: 0, atMs: 900, us: 20_000, o: ok({ cache: 'miss', modelType: 'fallback' }) },
      { ep: 0, atMs: 1500, us: 1_000_000, o: ok({ status: 503 }) },
      { ep: 1, atMs: 1600, us: 30_000, o: ok({ status: 0, errorKind: 'timeout' }) },
      { ep: 1, atMs: 2500, us: 5000, o: ok({ status: 404 }) },
    ],
    3000,
  );
  const r = new LoadResult(data);

  it('answers per endpoint and for all, by intended send time at second resolution', () => {
    const first = r.window(0, 1000, 'predict')!;
    expect(first.requests).toBe(2);
    expect(first.rps).toBe(2);
    expect(first.cache).toEqual({ hit: 1, miss: 1 });
    expect(first.modelType).toEqual({ primary: 1, fallback: 1 });
    expect(first.modelVersion).toEqual({ v1: 1 });
    expect(first.percentile(100)).toBeCloseTo(20, 1);
    const second = r.window(1000, 2000)!;
    expect(second.requests).toBe(2);
    expect(second.errors).toBe(2);
    expect(second.errorKinds).toEqual({ http_5xx: 1, timeout: 1 });
    expect(second.status).toEqual({ '503': 1 });
    expect(second.latency.max).toBeCloseTo(1000, 0);
    expect(r.window(2000, 3000, 'batch')!.errorKinds).toEqual({ http_4xx: 1 });
    expect(r.window(0, 3000, 'batch')!.rps).toBeCloseTo(2 / 3);
    expect(r.window(0, 1000, 'batch')).toBeUndefined();
    expect(r.window(5000, 9000)).toBeUndefined();
    expect(r.window(0, 1000, 'unknown')).toBeUndefined();
  });

  it('produces journal endpoint results, a timeline with an "*" series, and totals', () => {
    const eps = r.endpointResults();
    expect(eps.map((e) => [e.endpoint, e.requests, e.errors])).toEqual([['predict', 3, 1], ['batch', 2, 2]]);
    expect(eps[0]!.latency.count).toBe(3);
    const tl = r.timeline();
    expect(tl.length).toBe(3 * 3);
    expect(tl.filter((s) => s.endpoint === '*').map((s) => s.requests)).toEqual([2, 2, 1]);
    expect(r.totals()).toEqual({ requests: 5, errors: 3, dropped: 0, achievedRps: 5 / 3, targetRps: 10 });
  });

  it('counts dropped arrivals without latency', () => {
    const rec = new StatsRecorder(['a']);
    rec.drop(0, 10);
    rec.drop(0, 1200);
    rec.sealAll();
    const res = new LoadResult({ ...data, endpoints: ['a'], slices: rec.store().toData() });
    expect(res.window(0, 2000)!.dropped).toBe(2);
    expect(res.window(0, 2000)!.requests).toBe(0);
    expect(res.totals().dropped).toBe(2);
  });
});

describe('100 ms resolution', () => {
  it('merging workers is exact for every 100 ms window (counters and percentiles)', () => {
    const rng = new SeededRandom(21);
    const all: { ep: number; atMs: number; us: number; o: Outcome }[] = [];
    for (let i = 0; i < 6_000; i++) {
      const fb = rng.next() < 0.3;
      all.push({
        ep: i % 3,
        atMs: rng.next() * 3000,
        us: Math.round(50 + Math.exp(rng.normal() * 2 + 8)),
        o: ok({ status: rng.next() < 0.05 ? 503 : 200, modelType: fb ? 'fallback' : 'primary', modelVersion: fb ? 'fallback-v1' : 'v1', cache: rng.next() < 0.4 ? 'hit' : 'miss' }),
      });
    }
    const eps = ['predict', 'detailed', 'batch'];
    const parts = [0, 1, 2].map((w) => run(eps, all.filter((_, i) => i % 3 === w), 3000));
    const merged = new LoadResult(mergeLoadData(parts));
    const single = new LoadResult(run(eps, all, 3000));
    expect(merged.resolutionMs).toBe(100);
    for (let t = 0; t < 3000; t += 100) {
      for (const ep of [undefined, ...eps]) {
        const m = merged.window(t, t + 100, ep);
        const s = single.window(t, t + 100, ep);
        const plain = (w: typeof m) => w && { ...w, latency: w.latency, p50: w.percentile(50), p99: w.percentile(99), p999: w.percentile(99.9) };
        expect(plain(m)).toEqual(plain(s));
        // And equal to the raw requests of that slice.
        const raw = all.filter((x) => x.atMs >= t && x.atMs < t + 100 && (ep === undefined || eps[x.ep] === ep));
        expect(m?.requests ?? 0).toBe(raw.length);
      }
    }
    expect(merged.timeline()).toEqual(single.timeline());
  });

  it('computes the mean exactly as hdr-histogram-js does, only faster', () => {
    const rng = new SeededRandom(5);
    for (let n = 1; n < 2000; n *= 3) {
      const h = newHistogram();
      for (let i = 0; i < n; i++) h.recordValue(Math.round(1 + Math.exp(rng.normal() * 2 + 8)));
      expect(meanOf(h)).toBe(h.mean);
      const compact = histogramOf(bucketsOfHistogram(h), true);
      expect(meanOf(compact)).toBe(h.mean);
      expect([compact.minNonZeroValue, compact.maxValue, compact.getValueAtPercentile(99)]).toEqual([
        decodeHistogram(encodeHistogram(h)).minNonZeroValue,
        decodeHistogram(encodeHistogram(h)).maxValue,
        h.getValueAtPercentile(99),
      ]);
    }
  });

  it('merges a late arrival into a slice that was already sealed', () => {
    const r = new StatsRecorder(['a']);
    r.begin(150);
    r.record(0, 150, 10_000, ok());
    r.sealBefore(5_000);
    // The executor ran late: an arrival intended at 120 ms is dispatched after sealing.
    r.begin(120);
    r.record(0, 120, 30_000, ok({ status: 503 }));
    r.sealAll();
    const w = new LoadResult({ endpoints: ['a'], durationMs: 1000, startEpochMs: 0, targetRps: 0, slices: r.store().toData(), schedulingLag: undefined, aborted: false }).window(100, 200)!;
    expect(w.requests).toBe(2);
    expect(w.errors).toBe(1);
    expect(w.status).toEqual({ '200': 1, '503': 1 });
    expect(w.latency.max).toBeCloseTo(30, 1);
  });

  it('keeps a 4-minute run at 200 req/s over 4 endpoints in well under a megabyte', () => {
    const r = new StatsRecorder(['predict', 'detailed', 'batch', 'generate']);
    const rng = new SeededRandom(3);
    for (let i = 0; i < 200 * 240; i++) {
      const at = i * 5;
      r.begin(at);
      r.record(i % 4, at, Math.round(5_000 + rng.next() * 40_000), ok({ modelType: 'primary', modelVersion: 'v1', cache: rng.next() < 0.4 ? 'hit' : 'miss' }));
      if (i % 200 === 0) r.sealBefore(at);
    }
    r.sealAll();
    // 9,600 cells (2,400 slices × 4 endpoints): about 30 bytes each; compressed per-second HDR histograms took 5.5 MB of heap.
    expect(r.sealedBytes).toBeLessThan(400_000);
    expect(JSON.stringify(r.store().toData()).length).toBeLessThan(600_000);
  });
});
