/**
 * Where samples go: per endpoint and per second of intended send time, an HDR histogram and
 * counters. A second is sealed (its histograms compressed) once it is over and its last
 * request has finished, so memory grows by a few hundred bytes per second, not per request.
 */
import { bump, MutableCounters } from './counters.js';
import { encodeHistogram, newHistogram, type Histogram } from './histogram.js';

/** What one finished request reports. */
export interface Outcome {
  /** HTTP status, 0 when the request failed before an answer. */
  status: number;
  /** timeout, reset, refused, other (transport); http_4xx / http_5xx are derived from status. */
  errorKind: string | undefined;
  modelType: string | undefined;
  modelVersion: string | undefined;
  cache: string | undefined;
}

/** One endpoint's data for one second. */
export class SecondCell {
  counters = new MutableCounters();
  hist: Histogram | undefined = newHistogram();
  /** The sealed histogram. */
  encoded: string | undefined;
}

/** All endpoints for one second. */
export class SecondRow {
  pending = 0;
  sealed = false;
  constructor(readonly cells: SecondCell[]) {}
}

// Status keys made once: String(status) on every request is an allocation on the hot path.
const STATUS_KEYS: readonly string[] = Array.from({ length: 600 }, (_, i) => String(i));

function countOutcome(c: MutableCounters, o: Outcome): void {
  c.requests++;
  if (o.status > 0) bump(c.status, STATUS_KEYS[o.status] ?? String(o.status));
  let kind = o.errorKind;
  if (kind === undefined && o.status >= 400) kind = o.status >= 500 ? 'http_5xx' : 'http_4xx';
  if (kind !== undefined) {
    c.errors++;
    bump(c.errorKinds, kind);
  }
  if (o.modelType !== undefined) bump(c.modelType, o.modelType);
  if (o.modelVersion !== undefined) bump(c.modelVersion, o.modelVersion);
  if (o.cache !== undefined) bump(c.cache, o.cache);
}

export class StatsRecorder {
  readonly rows: SecondRow[] = [];
  /** Whole-run histogram per endpoint. */
  readonly runHists: Histogram[];
  /** Completions since the last live snapshot (by completion time), per endpoint. */
  liveHists: Histogram[];
  liveCounters: MutableCounters[];
  private sealedUpTo = 0;

  constructor(readonly endpoints: readonly string[]) {
    this.runHists = endpoints.map(() => newHistogram());
    this.liveHists = endpoints.map(() => newHistogram());
    this.liveCounters = endpoints.map(() => new MutableCounters());
  }

  private row(second: number): SecondRow {
    let r = this.rows[second];
    if (r === undefined) {
      for (let s = this.rows.length; s <= second; s++) this.rows[s] = new SecondRow(this.endpoints.map(() => new SecondCell()));
      r = this.rows[second] as SecondRow;
    }
    return r;
  }

  /** A request was sent with this intended time (ms from traffic start). */
  begin(intendedMs: number): void {
    this.row(Math.floor(intendedMs / 1000)).pending++;
  }

  /** A request sent with `begin` finished. `latencyUs` counts from the intended send time. */
  record(ep: number, intendedMs: number, latencyUs: number, o: Outcome): void {
    const r = this.row(Math.floor(intendedMs / 1000));
    r.pending--;
    const cell = r.cells[ep] as SecondCell;
    const v = latencyUs < 1 ? 1 : latencyUs;
    // A late finisher after sealing (cannot happen with pending accounting) would be lost; guard anyway.
    (cell.hist ?? (cell.hist = newHistogram())).recordValue(v);
    countOutcome(cell.counters, o);
    (this.runHists[ep] as Histogram).recordValue(v);
    (this.liveHists[ep] as Histogram).recordValue(v);
    countOutcome(this.liveCounters[ep] as MutableCounters, o);
  }

  /** An arrival found no free in-flight slot. */
  drop(ep: number, intendedMs: number): void {
    ((this.row(Math.floor(intendedMs / 1000)).cells[ep] as SecondCell).counters).dropped++;
    (this.liveCounters[ep] as MutableCounters).dropped++;
  }

  /** Seals every finished second that ended before `nowMs`. */
  sealBefore(nowMs: number): void {
    const last = Math.min(this.rows.length, Math.floor(nowMs / 1000));
    for (let s = this.sealedUpTo; s < last; s++) {
      const r = this.rows[s] as SecondRow;
      if (r.pending > 0) return; // keep order: later seconds wait for this one
      seal(r);
      this.sealedUpTo = s + 1;
    }
  }

  /** Seals everything (the run is over). */
  sealAll(): void {
    for (const r of this.rows) if (!r.sealed) seal(r);
    this.sealedUpTo = this.rows.length;
  }

  /** Takes the live accumulators and starts new ones. */
  takeLive(): { hists: Histogram[]; counters: MutableCounters[] } {
    const out = { hists: this.liveHists, counters: this.liveCounters };
    this.liveHists = this.endpoints.map(() => newHistogram());
    this.liveCounters = this.endpoints.map(() => new MutableCounters());
    return out;
  }
}

function seal(r: SecondRow): void {
  for (const c of r.cells) {
    if (c.hist !== undefined) {
      c.encoded = c.hist.totalCount > 0 ? encodeHistogram(c.hist) : undefined;
      c.hist = undefined;
    }
  }
  r.sealed = true;
}
