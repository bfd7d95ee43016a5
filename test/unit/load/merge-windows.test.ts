import { describe, expect, it } from 'vitest';
import { StatsRecorder, type Outcome } from '../../../src/load/stats-recorder.js';
import { LoadResult, rowsToSeconds, type LoadData } from '../../../src/load/load-result.js';
import { mergeLoadData } from '../../../src/load/merge.js';
import { decodeHistogram, newHistogram } from '../../../src/load/histogram.js';
import { SeededRandom } from '../../../src/load/random.js';

const ok = (extra: Partial<Outcome> = {}): Outcome => ({ status: 200, errorKind: undefined, modelType: undefined, modelVersion: undefined, cache: undefined, ...extra });

function run(endpoints: string[], samples: { ep: number; atMs: number; us: number; o?: Outcome }[], durationMs: number): LoadData {
  const r = new StatsRecorder(endpoints);
  for (const s of samples) {
    r.begin(s.atMs);
    r.record(s.ep, s.atMs, s.us, s.o ?? ok());
  }
  r.sealAll();
  return { endpoints, durationMs, startEpochMs: 1000, targetRps: 10, seconds: rowsToSeconds(r.rows), schedulingLag: undefined, aborted: false };
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
    const res = new LoadResult({ ...data, endpoints: ['a'], seconds: rowsToSeconds(rec.rows) });
    expect(res.window(0, 2000)!.dropped).toBe(2);
    expect(res.window(0, 2000)!.requests).toBe(0);
    expect(res.totals().dropped).toBe(2);
  });
});
