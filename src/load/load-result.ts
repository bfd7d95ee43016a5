/**
 * The result of a load run: the per-second, per-endpoint data read back as windows (for
 * SLOs), as the journal's endpoint results and timeline, and as totals.
 */
import type { Counters, EndpointResult, LatencySummary, SecondSample } from '../journal.js';
import { MutableCounters } from './counters.js';
import { decodeHistogram, encodeHistogram, newHistogram, percentileMs, summarize, type Histogram } from './histogram.js';
import type { SecondRow } from './stats-recorder.js';
import type { LoadWindows, WindowStats } from './window.js';

/** Everything of a run that is serialisable (also what a worker thread sends back). */
export interface LoadData {
  readonly endpoints: readonly string[];
  readonly durationMs: number;
  /** Epoch ms when traffic started. */
  readonly startEpochMs: number;
  /** Requests per second the profile asked for, averaged over the run. */
  readonly targetRps: number;
  /** seconds[t][endpointIndex]: counters and the sealed histogram (base64, µs). */
  readonly seconds: readonly (readonly { readonly counters: Counters; readonly histogram: string | undefined }[])[];
  /** Scheduling lag (actual dispatch − intended send), µs, base64; open model only. */
  readonly schedulingLag: string | undefined;
  readonly aborted: boolean;
}

export interface LoadTotals {
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly achievedRps: number;
  readonly targetRps: number;
}

/** Converts the recorder's rows into serialisable data. */
export function rowsToSeconds(rows: readonly SecondRow[]): LoadData['seconds'] {
  return rows.map((r) => r.cells.map((c) => ({ counters: c.counters.snapshot(), histogram: c.encoded })));
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
  readonly latency: LatencySummary;
  readonly rps: number;

  constructor(c: Counters, private readonly hist: Histogram, spanMs: number) {
    this.requests = c.requests;
    this.errors = c.errors;
    this.dropped = c.dropped;
    this.status = c.status;
    this.errorKinds = c.errorKinds;
    this.modelType = c.modelType;
    this.modelVersion = c.modelVersion;
    this.cache = c.cache;
    this.latency = summarize(hist);
    this.rps = spanMs > 0 ? c.requests / (spanMs / 1000) : 0;
  }

  percentile(p: number): number {
    return percentileMs(this.hist, p);
  }
}

export class LoadResult implements LoadWindows {
  readonly durationMs: number;
  readonly endpoints: readonly string[];
  readonly startEpochMs: number;
  readonly aborted: boolean;
  private readonly decoded = new Map<string, Histogram>();

  constructor(readonly data: LoadData) {
    this.durationMs = data.durationMs;
    this.endpoints = data.endpoints;
    this.startEpochMs = data.startEpochMs;
    this.aborted = data.aborted;
  }

  private hist(encoded: string): Histogram {
    let h = this.decoded.get(encoded);
    if (h === undefined) {
      h = decodeHistogram(encoded);
      // Bounded cache: windows over long runs decode many seconds once, not on every query.
      if (this.decoded.size < 4096) this.decoded.set(encoded, h);
    }
    return h;
  }

  /** Merged counters and histogram over whole seconds [fromSec, toSec) for endpoint indexes. */
  private merge(fromSec: number, toSec: number, eps: readonly number[]): { counters: MutableCounters; hist: Histogram } {
    const counters = new MutableCounters();
    const hist = newHistogram();
    for (let s = Math.max(0, fromSec); s < Math.min(toSec, this.data.seconds.length); s++) {
      const row = this.data.seconds[s];
      if (!row) continue;
      for (const i of eps) {
        const cell = row[i];
        if (!cell) continue;
        counters.add(cell.counters);
        if (cell.histogram) hist.add(this.hist(cell.histogram));
      }
    }
    return { counters, hist };
  }

  private indexes(endpoint: string | undefined): number[] {
    if (endpoint === undefined || endpoint === '*') return this.endpoints.map((_, i) => i);
    const i = this.endpoints.indexOf(endpoint);
    return i < 0 ? [] : [i];
  }

  /** Stats over [fromMs, toMs) by intended send time, at one-second resolution. */
  window(fromMs: number, toMs: number, endpoint?: string): WindowStats | undefined {
    const fromSec = Math.floor(Math.max(0, fromMs) / 1000);
    const toSec = Math.ceil(Math.min(toMs, this.durationMs) / 1000);
    if (toSec <= fromSec) return undefined;
    const { counters, hist } = this.merge(fromSec, toSec, this.indexes(endpoint));
    if (counters.requests === 0 && counters.dropped === 0) return undefined;
    const spanMs = Math.min(toSec * 1000, this.durationMs) - fromSec * 1000;
    return new Stats(counters.snapshot(), hist, spanMs);
  }

  /** Whole-run results per endpoint (the journal's `endpoints`). */
  endpointResults(): EndpointResult[] {
    return this.endpoints.map((endpoint, i) => {
      const { counters, hist } = this.merge(0, Number.MAX_SAFE_INTEGER, [i]);
      return { endpoint, ...counters.snapshot(), latency: summarize(hist), histogram: encodeHistogram(hist) };
    });
  }

  /** Per-second samples per endpoint plus an all-endpoints series named "*". */
  timeline(): SecondSample[] {
    const out: SecondSample[] = [];
    const all = this.endpoints.map((_, i) => i);
    for (let t = 0; t < this.data.seconds.length; t++) {
      for (const [name, eps] of [...this.endpoints.map((e, i) => [e, [i]] as const), ['*', all] as const]) {
        const { counters, hist } = this.merge(t, t + 1, eps);
        out.push({ t, endpoint: name, ...counters.snapshot(), latency: summarize(hist) });
      }
    }
    return out;
  }

  totals(): LoadTotals {
    const c = this.merge(0, Number.MAX_SAFE_INTEGER, this.endpoints.map((_, i) => i)).counters;
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
