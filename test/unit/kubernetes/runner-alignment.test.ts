/**
 * Load runners start at different wall-clock times (a Job's pods are scheduled and pulled
 * one by one): the harness aligns each runner's data on its own recorded start before
 * merging, so merged second k is the same wall-clock second for every runner and fault
 * windows (on the harness's clock) read the seconds the faults were in place.
 */
import { describe, expect, it } from 'vitest';
import { LoadResult, type LoadData } from '../../../src/load/load-result.js';
import type { StreamOutcome } from '../../../src/load/sse-tokens.js';
import { StatsRecorder, type Outcome } from '../../../src/load/stats-recorder.js';
import { alignRunnerData, formatRunnerResult, mergeRunnerLoad, parseRunnerLog, runnerResult, type RunnerResult } from '../../../src/platforms/kubernetes/runner-results.js';

const ENDPOINTS = ['predict', 'generate'];
const T0 = 1_700_000_000_000;

/** One request as it happened: intended send time on the wall clock (epoch ms) and what came back. */
interface Req {
  readonly wallMs: number;
  readonly ep: number;
  readonly latencyUs: number;
  readonly status: number;
  /** Streamed answers: time to first token and tokens (the generate endpoint). */
  readonly ttftMs?: number;
  readonly tokens?: number;
}

function outcome(r: Req, intendedMs: number): Outcome {
  const o: Outcome = { status: r.status, errorKind: undefined, modelType: undefined, modelVersion: undefined, cache: r.status === 200 ? 'hit' : undefined };
  if (r.ttftMs === undefined) return o;
  const first = intendedMs + r.ttftMs;
  const stream: StreamOutcome = { firstMs: first, lastMs: first + (r.tokens! - 1) * 20, gapsUs: Array.from({ length: r.tokens! - 1 }, () => 20_000), tokenEvents: r.tokens!, outputTokens: r.tokens!, inputTokens: 16, end: 'complete' };
  return { ...o, stream };
}

/** What a recorder whose clock started at `startEpochMs` keeps of `reqs`, as LoadData. */
function recorded(reqs: readonly Req[], startEpochMs: number, durationMs: number): LoadData {
  const rec = new StatsRecorder(ENDPOINTS);
  for (const r of reqs) {
    const intended = r.wallMs - startEpochMs;
    if (intended < 0) throw new RangeError('a runner cannot send before it started');
    rec.begin(intended);
    rec.record(r.ep, intended, r.latencyUs, outcome(r, intended));
  }
  rec.sealAll();
  const streams = rec.streamStore();
  return {
    endpoints: ENDPOINTS,
    durationMs,
    startEpochMs,
    targetRps: 10,
    slices: rec.store().toData(),
    ...(streams ? { streams: streams.toData() } : {}),
    schedulingLag: undefined,
    aborted: false,
  };
}

/** Runner `index`'s result line as the harness reads it from the pod's log. */
function runnerLine(index: number, reqs: readonly Req[], startEpochMs: number, durationMs: number): RunnerResult {
  const r = runnerResult(index, new LoadResult(recorded(reqs, startEpochMs, durationMs)));
  return parseRunnerLog(`table\n${formatRunnerResult(r)}\n`, `pod r-${index}`);
}

/** Deterministic pseudo-random numbers in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const requestsAt = (m: LoadResult, fromMs: number, toMs: number): number => m.window(fromMs, toMs)?.requests ?? 0;
const perSecond = (m: LoadResult): number[] => m.timeline().filter((s) => s.endpoint === '*').map((s) => s.requests);

describe('merging load runners that started at different times', () => {
  it('puts a request sent at a given wall-clock second in the same merged second whichever runner sent it', () => {
    // Runner 1 starts 2.3 s after runner 0: its own second 3 is wall-clock second 5.
    const starts = [T0, T0 + 2_300];
    const at = (s: number, ep = 0): Req => ({ wallMs: T0 + s * 1000 + 250, ep, latencyUs: 4_000, status: 200 });
    const one = mergeRunnerLoad([runnerLine(0, [at(5)], starts[0]!, 10_000), runnerLine(1, [at(5, 1)], starts[1]!, 10_000)]);
    expect(one.startEpochMs).toBe(T0);
    expect(requestsAt(one, 5_000, 6_000)).toBe(2);
    expect(perSecond(one)).toEqual([0, 0, 0, 0, 0, 2]);
    expect(one.timeline().filter((s) => s.t === 5).map((s) => [s.endpoint, s.requests])).toEqual([['predict', 1], ['generate', 1], ['*', 2]]);

    // Wall-clock seconds 3..11 split between the runners one way, then the other: the same merged seconds.
    const reqs = Array.from({ length: 9 * 4 }, (_, i) => ({ wallMs: T0 + 3_000 + i * 250, ep: i % 2, latencyUs: 1_000 + i * 100, status: 200 }));
    const split = (first: 0 | 1): LoadResult =>
      mergeRunnerLoad([
        runnerLine(0, reqs.filter((_, i) => i % 2 === first), starts[0]!, 12_000),
        runnerLine(1, reqs.filter((_, i) => i % 2 !== first), starts[1]!, 12_000 - 2_300),
      ]);
    const [a, b] = [split(0), split(1)];
    expect(perSecond(a)).toEqual([0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
    expect(perSecond(b)).toEqual(perSecond(a));
    for (let s = 3; s < 12; s++) expect(a.window(s * 1000, (s + 1) * 1000)!.latency).toEqual(b.window(s * 1000, (s + 1) * 1000)!.latency);
    // The merged run spans from the earliest start to the last runner's end.
    expect(a.durationMs).toBe(12_000);
  });

  it('a fault window on the merged data reads exactly the seconds the fault covered', () => {
    // The harness announced its traffic start (and started its fault timeline) 1.2 s before
    // the first runner came up; the others followed 0.9 s and 2.3 s later.
    const harness = T0;
    const starts = [harness + 1_200, harness + 3_500, harness + 2_100];
    const fault = { from: 8_000, to: 13_000 }; // ms on the harness's clock
    const inFault = (wall: number): boolean => wall - harness >= fault.from && wall - harness < fault.to;
    const runners = starts.map((start, index) => {
      // 20 requests a second on the runner's own clock for 15 s.
      const reqs: Req[] = Array.from({ length: 300 }, (_, i) => {
        const wallMs = start + i * 50;
        return inFault(wallMs) ? { wallMs, ep: 0, latencyUs: 900_000, status: 503 } : { wallMs, ep: 0, latencyUs: 5_000, status: 200 };
      });
      return { reqs, line: runnerLine(index, reqs, start, 15_000) };
    });
    const all = runners.flatMap((r) => r.reqs);
    const hit = all.filter((r) => inFault(r.wallMs)).length;
    expect(hit).toBe(3 * 100);

    for (const [origin, merged] of [
      [harness, mergeRunnerLoad(runners.map((r) => r.line), 3, { originEpochMs: harness })],
      // Without the announced start the clock is the first runner's: the fault is 1.2 s earlier on it.
      [starts[0]!, mergeRunnerLoad(runners.map((r) => r.line), 3)],
    ] as const) {
      const from = fault.from - (origin - harness);
      const to = fault.to - (origin - harness);
      expect(merged.startEpochMs).toBe(origin);
      const during = merged.window(from, to)!;
      expect([during.requests, during.errors, during.status['503']]).toEqual([hit, hit, hit]);
      expect(during.percentile(1)).toBeGreaterThan(800);
      const before = merged.window(0, from)!;
      const after = merged.window(to, merged.durationMs)!;
      expect([before.errors, after.errors]).toEqual([0, 0]);
      expect(before.requests + after.requests + during.requests).toBe(all.length);
      // Second by second, requests and errors are those sent in that wall-clock second.
      const seconds = merged.timeline().filter((s) => s.endpoint === '*');
      const expected = seconds.map((s) => {
        const sent = all.filter((r) => Math.floor((r.wallMs - origin) / 1000) === s.t);
        return [s.t, sent.length, sent.filter((r) => inFault(r.wallMs)).length];
      });
      expect(seconds.map((s) => [s.t, s.requests, s.errors])).toEqual(expected);
      expect(expected.reduce((n, [, , e]) => n + e!, 0)).toBe(hit);
    }
  });

  it('merged percentiles of N runners equal those of one recorder of the same requests', () => {
    const origin = T0;
    const starts = [origin + 700, origin, origin + 2_300];
    const rnd = lcg(7);
    // 40 s of traffic at ~60 requests a second, latency and streams varying by second (a slow patch at 20..25 s).
    const reqs: Req[] = [];
    for (let i = 0; i < 2_400; i++) {
      const wallMs = origin + Math.floor(i * (40_000 / 2_400) + rnd() * 10);
      const sec = Math.floor((wallMs - origin) / 1000);
      const slow = sec >= 20 && sec < 25 ? 40 : 1;
      const ep = rnd() < 0.3 ? 1 : 0;
      const latencyUs = Math.round((2_000 + rnd() * 30_000 + sec * 500) * slow);
      const status = rnd() < 0.02 ? 500 : 200;
      reqs.push(ep === 1 ? { wallMs, ep, latencyUs, status, ttftMs: Math.round(latencyUs / 4000) + 1, tokens: 2 + Math.floor(rnd() * 30) } : { wallMs, ep, latencyUs, status });
    }
    // Each request goes to one runner already running at its send time.
    const shares: Req[][] = [[], [], []];
    for (const r of reqs) {
      const running = [0, 1, 2].filter((i) => starts[i]! <= r.wallMs);
      shares[running[Math.floor(rnd() * running.length)]!]!.push(r);
    }
    expect(shares.every((s) => s.length > 500)).toBe(true);
    const endMs = 41_000;
    const merged = mergeRunnerLoad(shares.map((s, i) => runnerLine(i, s, starts[i]!, endMs - (starts[i]! - origin))));
    const single = new LoadResult(recorded(reqs, origin, endMs));

    expect(merged.durationMs).toBe(single.durationMs);
    expect(merged.totals()).toEqual({ ...single.totals(), targetRps: 30 });
    expect(merged.endpointResults()).toEqual(single.endpointResults());
    // Every second of the timeline, per endpoint and in all, streams included.
    expect(merged.timeline()).toEqual(single.timeline());
    for (const [from, to] of [[0, 5_000], [19_000, 26_000], [20_000, 25_000], [21_300, 22_700], [30_000, 41_000]] as const) {
      for (const ep of [undefined, 'predict', 'generate']) {
        const m = merged.window(from, to, ep)!;
        const s = single.window(from, to, ep)!;
        for (const p of [50, 90, 99, 99.9, 100]) expect(m.percentile(p)).toBe(s.percentile(p));
        expect([m.requests, m.errors]).toEqual([s.requests, s.errors]);
        if (ep === 'generate') {
          expect(m.stream!.streams).toBe(s.stream!.streams);
          expect(m.stream!.good(50, 25)).toBe(s.stream!.good(50, 25));
          for (const p of [50, 99]) expect(m.stream!.percentile('ttft', p)).toBe(s.stream!.percentile('ttft', p));
        }
      }
    }
  });
});

describe('alignRunnerData', () => {
  const one = (offsetMs: number): LoadData => recorded([{ wallMs: T0 + offsetMs + 40, ep: 0, latencyUs: 1_000, status: 200 }], T0 + offsetMs, 1_000);
  const sliceOf = (d: LoadData): number => {
    const m = new LoadResult(d);
    for (let s = 0; s < 100; s++) if ((m.window(s * 100, (s + 1) * 100)?.requests ?? 0) > 0) return s;
    return -1;
  };

  it('rounds a sub-slice offset to the nearest 100 ms slice (each slice lands where it overlaps most)', () => {
    expect(sliceOf(alignRunnerData(one(2_300), T0))).toBe(23);
    expect(sliceOf(alignRunnerData(one(2_340), T0))).toBe(23);
    expect(sliceOf(alignRunnerData(one(2_360), T0))).toBe(24);
    const d = alignRunnerData(one(2_360), T0);
    expect([d.startEpochMs, d.durationMs, d.slices!.count, d.streams]).toEqual([T0, 3_400, 25, undefined]);
    // An origin after the runner's start (a clock ahead) never cuts data off.
    expect(sliceOf(alignRunnerData(one(0), T0 + 500))).toBe(0);
  });

  it('moves per-second data of older engines by whole seconds, and streams with the requests', () => {
    const legacy: LoadData = { endpoints: ['predict'], durationMs: 2_000, startEpochMs: T0 + 1_600, targetRps: 1, seconds: [[{ counters: { requests: 3, errors: 0, dropped: 0, status: {}, errorKinds: {}, modelType: {}, modelVersion: {}, cache: {} }, histogram: undefined }]], schedulingLag: undefined, aborted: false };
    const d = alignRunnerData(legacy, T0);
    expect([d.slices!.ms, d.slices!.count, d.seconds, d.durationMs]).toEqual([1_000, 3, undefined, 4_000]);
    expect(new LoadResult(d).timeline().filter((s) => s.endpoint === '*').map((s) => s.requests)).toEqual([0, 0, 3]);

    const streamed = recorded([{ wallMs: T0 + 1_550, ep: 1, latencyUs: 30_000, status: 200, ttftMs: 10, tokens: 5 }], T0 + 1_000, 2_000);
    const moved = new LoadResult(alignRunnerData(streamed, T0));
    expect(moved.window(1_500, 1_600, 'generate')!.stream!.streams).toBe(1);
    expect(moved.window(1_500, 1_600, 'generate')!.requests).toBe(1);
  });
});
