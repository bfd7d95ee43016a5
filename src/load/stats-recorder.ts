/**
 * Where samples go: per endpoint and per 100 ms of intended send time, exact counters and
 * the latencies. A slice is sealed once it is over and its last request has finished: its
 * latencies become sparse HDR buckets in one shared byte buffer (slice-codec.ts), so memory
 * grows by a few dozen bytes per endpoint and slice, not per request. Open slices keep raw
 * latencies, bounded by the arrival rate times the request timeout.
 */
import { bump, MutableCounters } from './counters.js';
import { newHistogram, type Histogram } from './histogram.js';
import { addPairs, bucketsOf, ByteReader, ByteWriter, counterKey, emptyCell, KeyTable, pairsOf, readCell, SLICE_MS, writeCell, type Cell } from './slice-codec.js';
import { SliceStore } from './slice-store.js';
import type { StreamOutcome } from './sse-tokens.js';
import { addStreamCells, emptyStreamCell, OpenStreamCell, readStreamCell, StreamStore, writeStreamCell, type StreamCell } from './stream-store.js';

/** What one finished request reports. */
export interface Outcome {
  /** HTTP status, 0 when the request failed before an answer. */
  status: number;
  /** timeout, reset, refused, other (transport); http_429 / http_4xx / http_5xx are derived from status, stream_cut_off / stream_no_token from a stream's end. */
  errorKind: string | undefined;
  modelType: string | undefined;
  modelVersion: string | undefined;
  cache: string | undefined;
  /** A streamed generation's tokens (Server-Sent Events answers only). */
  stream?: StreamOutcome | undefined;
}

/** One endpoint's open slice. */
class OpenCell {
  requests = 0;
  errors = 0;
  dropped = 0;
  readonly keys = new Map<number, number>();
  readonly latenciesUs: number[] = [];
}

/** All endpoints of one open slice. */
class OpenSlice {
  pending = 0;
  /** Per endpoint, made on the first stream. */
  streams: (OpenStreamCell | undefined)[] | undefined;
  constructor(readonly cells: OpenCell[]) {}
}

// Slices are sealed this long after they end, so that an executor running late still finds them open.
const SEAL_GRACE_MS = 500;

/** The sum of two cells. */
function addCell(a: Cell, b: Cell): Cell {
  const keys = new Map<number, number>();
  const hist = new Map<number, number>();
  addPairs(keys, a.keys);
  addPairs(keys, b.keys);
  addPairs(hist, a.buckets);
  addPairs(hist, b.buckets);
  return { requests: a.requests + b.requests, dropped: a.dropped + b.dropped, errors: a.errors + b.errors, keys: pairsOf(keys), buckets: pairsOf(hist, true) };
}

/** How one kind of cell is packed and added (request cells here, stream cells in stream-store.ts). */
interface CellCodec<C> {
  write(w: ByteWriter, c: C): void;
  read(r: ByteReader): C;
  add(a: C, b: C): C;
  empty(): C;
}

/**
 * Sealed slices of one kind of cell in one shared buffer, [start, end) per slice (-1 for a
 * slice never sealed). Sealing a slice again (a late arrival reopened it) adds to what it held.
 */
class SealedSlices<C> {
  private readonly w: ByteWriter;
  private readonly ranges: number[] = [];

  constructor(initialBytes: number, private readonly codec: CellCodec<C>) {
    this.w = new ByteWriter(initialBytes);
  }

  get bytes(): number {
    return this.w.length;
  }

  get empty(): boolean {
    return this.ranges.every((x) => x < 0);
  }

  put(s: number, cells: readonly C[]): void {
    const at = this.ranges[2 * s] ?? -1;
    const prior = at >= 0 ? new ByteReader(this.w.bytes, at) : undefined;
    const start = this.w.length;
    for (const c of cells) this.codec.write(this.w, prior ? this.codec.add(this.codec.read(prior), c) : c);
    for (let i = this.ranges.length; i < 2 * (s + 1); i++) this.ranges.push(-1);
    this.ranges[2 * s] = start;
    this.ranges[2 * s + 1] = this.w.length;
  }

  /** Slices [0, count), `width` cells each, in order: empty cells where a slice was never sealed. */
  packed(count: number, width: number): Uint8Array {
    const empty = Array.from({ length: width }, () => this.codec.empty());
    const out = new ByteWriter(this.w.length + 2 * width * count + 16);
    for (let s = 0; s < count; s++) {
      const start = this.ranges[2 * s] ?? -1;
      if (start >= 0) out.append(this.w.bytes.subarray(start, this.ranges[2 * s + 1]));
      else for (const c of empty) this.codec.write(out, c);
    }
    return out.done();
  }
}

// Status keys made once: String(status) on every request is an allocation on the hot path.
const STATUS_KEYS: readonly string[] = Array.from({ length: 600 }, (_, i) => String(i));

function countLive(c: MutableCounters, o: Outcome, kind: string | undefined): void {
  c.requests++;
  if (o.status > 0) bump(c.status, STATUS_KEYS[o.status] ?? String(o.status));
  if (kind !== undefined) {
    c.errors++;
    bump(c.errorKinds, kind);
  }
  if (o.modelType !== undefined) bump(c.modelType, o.modelType);
  if (o.modelVersion !== undefined) bump(c.modelVersion, o.modelVersion);
  if (o.cache !== undefined) bump(c.cache, o.cache);
}

export class StatsRecorder {
  /** Width of a slice in ms. */
  readonly sliceMs = SLICE_MS;
  /** Completions since the last live snapshot (by completion time), per endpoint. */
  liveHists: Histogram[];
  liveCounters: MutableCounters[];
  private readonly open = new Map<number, OpenSlice>();
  private readonly table = new KeyTable();
  /** Key ids by prefix and name, so the hot path builds no strings. */
  private readonly keyIds: Record<'s' | 'k' | 't' | 'v' | 'c', Map<string, number>> = { s: new Map(), k: new Map(), t: new Map(), v: new Map(), c: new Map() };
  private readonly sealed = new SealedSlices<Cell>(64 * 1024, { write: writeCell, read: readCell, add: addCell, empty: emptyCell });
  /** Sealed stream cells, only for slices that had a stream. */
  private readonly sealedStreams = new SealedSlices<StreamCell>(4 * 1024, { write: writeStreamCell, read: readStreamCell, add: addStreamCells, empty: emptyStreamCell });
  private count = 0;

  constructor(readonly endpoints: readonly string[]) {
    this.liveHists = endpoints.map(() => newHistogram());
    this.liveCounters = endpoints.map(() => new MutableCounters());
  }

  private slice(intendedMs: number): OpenSlice {
    const s = Math.floor(intendedMs / SLICE_MS);
    let r = this.open.get(s);
    if (r === undefined) {
      r = new OpenSlice(this.endpoints.map(() => new OpenCell()));
      this.open.set(s, r);
      if (s >= this.count) this.count = s + 1;
    }
    return r;
  }

  private key(prefix: 's' | 'k' | 't' | 'v' | 'c', name: string): number {
    const ids = this.keyIds[prefix];
    let id = ids.get(name);
    if (id === undefined) ids.set(name, (id = this.table.id(counterKey(prefix, name))));
    return id;
  }

  private bumpKey(cell: OpenCell, prefix: 's' | 'k' | 't' | 'v' | 'c', name: string): void {
    const id = this.key(prefix, name);
    cell.keys.set(id, (cell.keys.get(id) ?? 0) + 1);
  }

  /** A request was sent with this intended time (ms from traffic start). */
  begin(intendedMs: number): void {
    this.slice(intendedMs).pending++;
  }

  /** A request sent with `begin` finished. `latencyUs` counts from the intended send time. */
  record(ep: number, intendedMs: number, latencyUs: number, o: Outcome): void {
    const r = this.slice(intendedMs);
    r.pending--;
    const cell = r.cells[ep] as OpenCell;
    const v = latencyUs < 1 ? 1 : latencyUs;
    let kind = o.errorKind;
    // 429 on its own: an overloaded server's answer (vLLM's KV cache full), not a bad request.
    if (kind === undefined && o.status >= 400) kind = o.status >= 500 ? 'http_5xx' : o.status === 429 ? 'http_429' : 'http_4xx';
    // A stream that answered 200 and then gave no token, or stopped before its end, failed the user.
    if (kind === undefined && o.stream !== undefined && o.stream.end !== 'complete') kind = `stream_${o.stream.end}`;
    cell.requests++;
    cell.latenciesUs.push(v);
    if (o.status > 0) this.bumpKey(cell, 's', STATUS_KEYS[o.status] ?? String(o.status));
    if (kind !== undefined) {
      cell.errors++;
      this.bumpKey(cell, 'k', kind);
    }
    if (o.modelType !== undefined) this.bumpKey(cell, 't', o.modelType);
    if (o.modelVersion !== undefined) this.bumpKey(cell, 'v', o.modelVersion);
    if (o.cache !== undefined) this.bumpKey(cell, 'c', o.cache);
    if (o.stream !== undefined) {
      const streams = (r.streams ??= this.endpoints.map(() => undefined));
      (streams[ep] ??= new OpenStreamCell()).record(o.stream, intendedMs);
    }
    (this.liveHists[ep] as Histogram).recordValue(v);
    countLive(this.liveCounters[ep] as MutableCounters, o, kind);
  }

  /** An arrival found no free in-flight slot. */
  drop(ep: number, intendedMs: number): void {
    (this.slice(intendedMs).cells[ep] as OpenCell).dropped++;
    (this.liveCounters[ep] as MutableCounters).dropped++;
  }

  /** Seals every slice that ended before `nowMs` and has no request in flight. */
  sealBefore(nowMs: number): void {
    for (const [s, r] of this.open) if ((s + 1) * SLICE_MS <= nowMs - SEAL_GRACE_MS && r.pending <= 0) this.seal(s, r);
  }

  /** Seals everything (the run is over). */
  sealAll(): void {
    for (const [s, r] of this.open) this.seal(s, r);
  }

  private seal(s: number, r: OpenSlice): void {
    this.sealed.put(
      s,
      r.cells.map((c) => ({ requests: c.requests, dropped: c.dropped, errors: c.errors, keys: pairsOf(c.keys), buckets: bucketsOf(c.latenciesUs) })),
    );
    if (r.streams) this.sealedStreams.put(s, r.streams.map((c) => (c ? c.seal() : emptyStreamCell())));
    this.open.delete(s);
  }

  /** The sealed streams (call `sealAll` first); undefined when no answer was a stream. */
  streamStore(): StreamStore | undefined {
    if (this.sealedStreams.empty) return undefined;
    return StreamStore.fromBytes(SLICE_MS, this.count, this.endpoints.length, this.sealedStreams.packed(this.count, this.endpoints.length));
  }

  /** Bytes held for sealed slices (for memory measurements). */
  get sealedBytes(): number {
    return this.sealed.bytes + this.sealedStreams.bytes;
  }

  /** The sealed data (call `sealAll` first), slice by slice. */
  store(): SliceStore {
    return SliceStore.fromBytes(SLICE_MS, this.count, this.endpoints.length, this.table.keys, this.sealed.packed(this.count, this.endpoints.length));
  }

  /** Takes the live accumulators and starts new ones. */
  takeLive(): { hists: Histogram[]; counters: MutableCounters[] } {
    const out = { hists: this.liveHists, counters: this.liveCounters };
    this.liveHists = this.endpoints.map(() => newHistogram());
    this.liveCounters = this.endpoints.map(() => new MutableCounters());
    return out;
  }
}
