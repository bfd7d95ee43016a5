/**
 * The result of a load run: the per-100-ms, per-endpoint data read back as windows (for
 * SLOs), as the journal's endpoint results and per-second timeline, and as totals.
 */
import type { Counters, EndpointResult, LatencySummary, SecondSample, StreamSummary } from '../contract/journal.js';
import type { MutableCounters } from './counters.js';
import { decodeHistogram, encodeHistogram, percentileMs, summarize, type Histogram } from './histogram.js';
import { histogramOf } from './slice-codec.js';
import { SliceStore, type LegacySeconds, type SliceData } from './slice-store.js';
import { StreamStore, type StreamData, type StreamWindow } from './stream-store.js';
import type { LoadWindows, WindowStats } from '../contract/load-windows.js';

/** Everything of a run that is serialisable (also what a worker thread sends back). */
export interface LoadData {
  readonly endpoints: readonly string[];
  readonly durationMs: number;
  /** Epoch ms when traffic started. */
  readonly startEpochMs: number;
  /** Requests per second the profile asked for, averaged over the run. */
  readonly targetRps: number;
  /** Per-slice (100 ms), per-endpoint counters and sparse histograms (slice-store.ts). */
  readonly slices?: SliceData;
  /** Streamed generations per slice and endpoint (stream-store.ts); absent when no answer was a stream. */
  readonly streams?: StreamData;
  /** The per-second form of older engines (a load runner image from before `slices`); read at one-second resolution. */
  readonly seconds?: LegacySeconds;
  /** Scheduling lag (actual dispatch − intended send), µs, base64; open model only. */
  readonly schedulingLag: string | undefined;
  readonly aborted: boolean;
}

/** The slice store of a run's data, whichever form it came in. */
export function storeOf(data: LoadData): SliceStore {
  if (data.slices) return SliceStore.from(data.slices, data.endpoints.length);
  return SliceStore.fromSeconds(data.seconds ?? [], data.endpoints.length);
}

/** A window's streams as the journal keeps them. */
function streamSummary(s: StreamWindow, spanMs: number): StreamSummary {
  return {
    streams: s.streams,
    complete: s.complete,
    cutOff: s.cutOff,
    noToken: s.noToken,
    inputTokens: s.tokensIn,
    outputTokens: s.tokensOut,
    outputTokensPerSecond: spanMs > 0 ? Math.round((s.tokensOut / (spanMs / 1000)) * 10) / 10 : 0,
    ttft: summarize(s.ttft),
    itl: summarize(s.itl),
    tpot: summarize(s.tpot),
  };
}

export interface LoadTotals {
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly achievedRps: number;
  readonly targetRps: number;
}

class Stats implements WindowStats {
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly status: Counters['status'];
  readonly errorKinds: Counters['errorKinds'];
  readonly modelType: Counters['modelType'];
  readonly modelVersion: Counters['modelVersion'];
  readonly cache: Counters['cache'];
  readonly rps: number;
  readonly spanMs: number;
  private hist_: Histogram | undefined;
  private latency_: LatencySummary | undefined;
  private stream_: StreamWindow | undefined | null = null;

  /** The histogram is built on first use: timing assertions read many windows for counters only. */
  constructor(c: Counters, private readonly buckets: readonly number[], spanMs: number, private readonly streams?: () => StreamWindow | undefined) {
    this.spanMs = spanMs;
    this.requests = c.requests;
    this.errors = c.errors;
    this.dropped = c.dropped;
    this.status = c.status;
    this.errorKinds = c.errorKinds;
    this.modelType = c.modelType;
    this.modelVersion = c.modelVersion;
    this.cache = c.cache;
    this.rps = spanMs > 0 ? c.requests / (spanMs / 1000) : 0;
  }

  private get hist(): Histogram {
    return (this.hist_ ??= histogramOf(this.buckets, true));
  }

  get latency(): LatencySummary {
    return (this.latency_ ??= summarize(this.hist));
  }

  percentile(p: number): number {
    return percentileMs(this.hist, p);
  }

  get stream(): StreamWindow | undefined {
    if (this.stream_ === null) this.stream_ = this.streams?.();
    return this.stream_;
  }
}

export class LoadResult implements LoadWindows {
  readonly durationMs: number;
  readonly endpoints: readonly string[];
  readonly startEpochMs: number;
  readonly aborted: boolean;
  /** Width of the slices windows are cut to, in ms. */
  readonly resolutionMs: number;
  private readonly store: SliceStore;
  private readonly streamStore: StreamStore | undefined;

  constructor(readonly data: LoadData) {
    this.durationMs = data.durationMs;
    this.endpoints = data.endpoints;
    this.startEpochMs = data.startEpochMs;
    this.aborted = data.aborted;
    this.store = storeOf(data);
    this.streamStore = data.streams ? StreamStore.from(data.streams, data.endpoints.length) : undefined;
    this.resolutionMs = this.store.ms;
  }

  /** Streams over slices [from, to) of `eps`, counted at the stream store's own width. */
  private streamsOver(from: number, to: number, eps: readonly number[]): StreamWindow | undefined {
    const st = this.streamStore;
    if (!st) return undefined;
    const k = this.store.ms / st.ms;
    return st.sum(Math.round(from * k), Math.round(to * k), eps);
  }


  /**
   * Merged counters and histogram over slices [from, to) for endpoint indexes. `compact`
   * for a histogram only summarised (much faster), not encoded.
   */
  private merge(from: number, to: number, eps: readonly number[], compact = false): { counters: MutableCounters; hist: Histogram } {
    const { counters, buckets } = this.store.sumSparse(from, to, eps);
    return { counters, hist: histogramOf(buckets, compact) };
  }

  private indexes(endpoint: string | undefined): number[] {
    if (endpoint === undefined || endpoint === '*') return this.endpoints.map((_, i) => i);
    const i = this.endpoints.indexOf(endpoint);
    return i < 0 ? [] : [i];
  }

  /**
   * Stats over [fromMs, toMs) by intended send time. The window is cut to whole slices
   * inside it (edges rounded inwards), so it never holds a request sent outside it; a window
   * that reaches the end of the traffic takes every slice to the end.
   */
  window(fromMs: number, toMs: number, endpoint?: string): WindowStats | undefined {
    const ms = this.store.ms;
    const from = fromMs <= 0 ? 0 : Math.ceil(fromMs / ms - 1e-9);
    const toEnd = toMs >= this.durationMs;
    const to = toEnd ? this.store.count : Math.floor(toMs / ms + 1e-9);
    if (to <= from) return undefined;
    const { counters, buckets } = this.store.sumSparse(from, to, this.indexes(endpoint));
    if (counters.requests === 0 && counters.dropped === 0) return undefined;
    const spanMs = (toEnd ? Math.max(this.durationMs, from * ms) : to * ms) - from * ms;
    const eps = this.indexes(endpoint);
    return new Stats(counters.snapshot(), buckets, spanMs, this.streamStore ? () => this.streamsOver(from, to, eps) : undefined);
  }

  /** Whole-run results per endpoint (the journal's `endpoints`). */
  endpointResults(): EndpointResult[] {
    return this.endpoints.map((endpoint, i) => {
      const { counters, hist } = this.merge(0, this.store.count, [i]);
      const s = this.streamsOver(0, this.store.count, [i]);
      return { endpoint, ...counters.snapshot(), latency: summarize(hist), histogram: encodeHistogram(hist), ...(s ? { stream: streamSummary(s, this.durationMs) } : {}) };
    });
  }

  /** Per-second samples per endpoint plus an all-endpoints series named "*" (derived from the slices). */
  timeline(): SecondSample[] {
    const out: SecondSample[] = [];
    const all = this.endpoints.map((_, i) => i);
    const perSecond = Math.max(1, Math.round(1000 / this.store.ms));
    const seconds = Math.ceil(this.store.count / perSecond);
    for (let t = 0; t < seconds; t++) {
      for (const [name, eps] of [...this.endpoints.map((e, i) => [e, [i]] as const), ['*', all] as const]) {
        const { counters, hist } = this.merge(t * perSecond, (t + 1) * perSecond, eps, true);
        const s = this.streamsOver(t * perSecond, (t + 1) * perSecond, eps);
        const tokens = s
          ? { output: s.tokensOut, ttftP50: percentileMs(s.ttft, 50), ttftP95: percentileMs(s.ttft, 95), itlP50: percentileMs(s.itl, 50), itlP99: percentileMs(s.itl, 99) }
          : undefined;
        out.push({ t, endpoint: name, ...counters.snapshot(), latency: summarize(hist), ...(tokens ? { tokens } : {}) });
      }
    }
    return out;
  }

  totals(): LoadTotals {
    const c = this.merge(0, this.store.count, this.endpoints.map((_, i) => i)).counters;
    const secs = this.durationMs / 1000;
    return { requests: c.requests, errors: c.errors, dropped: c.dropped, achievedRps: secs > 0 ? c.requests / secs : 0, targetRps: this.data.targetRps };
  }

  /** Scheduling lag summary in ms (open model), undefined for closed-model runs. */
  schedulingLag(): LatencySummary | undefined {
    return this.data.schedulingLag ? summarize(decodeHistogram(this.data.schedulingLag)) : undefined;
  }

  /** What `peakready load` writes as results JSON. */
  toJSON(): object {
    return {
      durationMs: this.durationMs,
      startEpochMs: this.startEpochMs,
      aborted: this.aborted,
      totals: this.totals(),
      schedulingLag: this.schedulingLag(),
      endpoints: this.endpointResults(),
      timeline: this.timeline(),
    };
  }
}
