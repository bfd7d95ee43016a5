/**
 * The compact form of the engine's per-100-ms data. One cell is one endpoint's slice:
 * exact counters, counted header values and a sparse HDR histogram (the counts-array index
 * and count of each non-empty bucket, in the layout of `newHistogram()`), all as unsigned
 * LEB128 varints in one shared byte buffer. A few requests cost a few dozen bytes, where
 * a live HDR histogram costs 64 KB and a compressed one about 100; merging adds counts
 * index by index, so it is exact.
 *
 * Cell layout: requests, dropped; when either is non-zero: errors, nKeys, (key, count)*,
 * nBuckets, (index delta, count)*. Keys are ids into a KeyTable ("s:200", "t:fallback").
 */
import type { Counters } from '../contract/journal.js';
import { MutableCounters, type CountMap } from './counters.js';
import { newHistogram, type Histogram } from './histogram.js';

/** Resolution of the engine's data, in ms. */
export const SLICE_MS = 100;

/** The hdr-histogram-js internals the sparse form needs (public on JsHistogram, not on the interface). */
interface IndexedHistogram {
  countsArrayIndex(value: number): number;
  valueFromIndex(index: number): number;
  getCountAtIndex(index: number): number;
  addToCountAtIndex(index: number, count: number): void;
  establishInternalTackingValues(lengthToCover?: number): void;
  resize(newHighestTrackableValue: number): void;
  readonly countsArrayLength: number;
  readonly highestTrackableValue: number;
}

const layout = newHistogram() as unknown as IndexedHistogram;

/** The bucket index of a latency (µs) in the engine's histogram layout. */
export function bucketIndex(us: number): number {
  return layout.countsArrayIndex(us < 1 ? 1 : us);
}

/** The lowest latency (µs) bucket `index` holds, in the engine's histogram layout. */
export function bucketValue(index: number): number {
  return layout.valueFromIndex(index);
}

/** Counter names a key can belong to, with their one-letter prefixes. */
const MAPS = { s: 'status', k: 'errorKinds', t: 'modelType', v: 'modelVersion', c: 'cache' } as const;
type MapPrefix = keyof typeof MAPS;

/** Interned counter keys ("s:200"), shared by every cell of one store. */
export class KeyTable {
  readonly keys: string[] = [];
  private readonly ids = new Map<string, number>();

  constructor(keys: readonly string[] = []) {
    for (const k of keys) this.id(k);
  }

  id(key: string): number {
    let i = this.ids.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.keys.push(key);
      this.ids.set(key, i);
    }
    return i;
  }
}

/** A growable byte buffer of varints. */
export class ByteWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(initial = 4096) {
    this.bytes = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  uint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  append(src: Uint8Array): void {
    this.ensure(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }

  /** The written bytes (a copy, exactly sized). */
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** One cell, decoded. `keys` and `buckets` are flat (id, count) / (index, count) pairs. */
export interface Cell {
  requests: number;
  dropped: number;
  errors: number;
  keys: number[];
  buckets: number[];
}

export const emptyCell = (): Cell => ({ requests: 0, dropped: 0, errors: 0, keys: [], buckets: [] });

/** Appends a cell; `buckets` must be sorted by index. */
export function writeCell(w: ByteWriter, c: Cell): void {
  w.uint(c.requests);
  w.uint(c.dropped);
  if (c.requests === 0 && c.dropped === 0) return;
  w.uint(c.errors);
  w.uint(c.keys.length / 2);
  for (let i = 0; i < c.keys.length; i++) w.uint(c.keys[i] as number);
  writeSparse(w, c.buckets);
}

/** Appends sorted (index, count) pairs: their number, then (index delta, count) each. */
export function writeSparse(w: ByteWriter, pairs: readonly number[]): void {
  w.uint(pairs.length / 2);
  let prev = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const idx = pairs[i] as number;
    w.uint(idx - prev);
    w.uint(pairs[i + 1] as number);
    prev = idx;
  }
}

/** Reads pairs written by `writeSparse`. */
export function readSparse(r: ByteReader): number[] {
  const n = r.uint();
  const out: number[] = [];
  let idx = 0;
  for (let i = 0; i < n; i++) {
    idx += r.uint();
    out.push(idx, r.uint());
  }
  return out;
}

/** Reads varints from a byte array. */
export class ByteReader {
  pos: number;
  constructor(readonly bytes: Uint8Array, start = 0) {
    this.pos = start;
  }
  uint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.bytes[this.pos++];
      if (b === undefined) throw new RangeError('truncated load data');
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }
}

/** Reads the cell at the reader's position. */
export function readCell(r: ByteReader): Cell {
  const c = emptyCell();
  c.requests = r.uint();
  c.dropped = r.uint();
  if (c.requests === 0 && c.dropped === 0) return c;
  c.errors = r.uint();
  const nk = r.uint();
  for (let i = 0; i < nk * 2; i++) c.keys.push(r.uint());
  c.buckets = readSparse(r);
  return c;
}

/** Skips the cell at the reader's position (to index a buffer). */
export function skipCell(r: ByteReader): void {
  readCell(r);
}

/** Sorted (index, count) pairs of raw latencies in µs. */
export function bucketsOf(values: ArrayLike<number>, n = values.length): number[] {
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = bucketIndex(values[i] as number);
  idx.sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && idx[j] === idx[i]) j++;
    out.push(idx[i] as number, j - i);
    i = j;
  }
  return out;
}

/** Adds sparse buckets into an HDR histogram; call `finishHistogram` once after the last add. */
export function addBuckets(h: Histogram, buckets: readonly number[]): void {
  const x = h as unknown as IndexedHistogram;
  for (let i = 0; i < buckets.length; i += 2) {
    const idx = buckets[i] as number;
    if (idx >= x.countsArrayLength) x.resize(x.valueFromIndex(idx) * 2);
    x.addToCountAtIndex(idx, buckets[i + 1] as number);
  }
}

/** Recomputes count, min and max after `addBuckets` (as decoding an encoded histogram does). */
export function finishHistogram(h: Histogram): Histogram {
  (h as unknown as IndexedHistogram).establishInternalTackingValues();
  return h;
}

/**
 * An HDR histogram of sparse buckets (sorted or not). `compact`: sized to its largest value
 * instead of the engine's one minute (a 16k-entry array); percentiles, count, min, max and
 * mean are the same, only the encoded header differs, so use it for reading, not storing.
 */
export function histogramOf(buckets: readonly number[], compact = false): Histogram {
  let maxIdx = 0;
  for (let i = 0; i < buckets.length; i += 2) if ((buckets[i] as number) > maxIdx) maxIdx = buckets[i] as number;
  const h = compact ? newHistogram(Math.max(2, layout.valueFromIndex(maxIdx) * 2)) : newHistogram();
  addBuckets(h, buckets);
  return finishHistogram(h);
}

/** Sparse buckets of a histogram (to merge or store it). */
export function bucketsOfHistogram(h: Histogram): number[] {
  const x = h as unknown as IndexedHistogram;
  const out: number[] = [];
  if (h.totalCount === 0) return out;
  const last = x.countsArrayIndex(h.maxValue);
  for (let i = 0; i <= last && i < x.countsArrayLength; i++) {
    const c = x.getCountAtIndex(i);
    if (c > 0) out.push(i, c);
  }
  return out;
}

/** Adds pairs (id, count) into a map keyed by id. */
export function addPairs(into: Map<number, number>, pairs: readonly number[], remap?: readonly number[]): void {
  for (let i = 0; i < pairs.length; i += 2) {
    const id = remap ? (remap[pairs[i] as number] as number) : (pairs[i] as number);
    into.set(id, (into.get(id) ?? 0) + (pairs[i + 1] as number));
  }
}

/**
 * Flattens a map into pairs: sorted by id (`sorted`, for histogram buckets), else in
 * insertion order (counter keys, so merged counters list values in the order they first
 * appeared, as before).
 */
export function pairsOf(m: Map<number, number>, sorted = false): number[] {
  const out: number[] = [];
  const ids = sorted ? [...m.keys()].sort((a, b) => a - b) : m.keys();
  for (const id of ids) out.push(id, m.get(id) as number);
  return out;
}

/** Adds a cell's counters into `into`, naming keys through `table`. */
export function addCounters(into: MutableCounters, c: Cell, table: readonly string[]): void {
  into.requests += c.requests;
  into.errors += c.errors;
  into.dropped += c.dropped;
  for (let i = 0; i < c.keys.length; i += 2) {
    const key = table[c.keys[i] as number] as string;
    const map = into[MAPS[key[0] as MapPrefix]] as CountMap;
    const name = key.slice(2);
    map[name] = (map[name] ?? 0) + (c.keys[i + 1] as number);
  }
}

/** The key of a counter value: key('status', '200') = "s:200". */
export function counterKey(prefix: MapPrefix, name: string): string {
  return `${prefix}:${name}`;
}

/** Counters as keys of `table` (to write a legacy per-second cell in this form). */
export function cellOfCounters(c: Counters, table: KeyTable): Cell {
  const keys = new Map<number, number>();
  for (const [p, field] of Object.entries(MAPS) as [MapPrefix, (typeof MAPS)[MapPrefix]][]) {
    for (const [name, n] of Object.entries(c[field])) if (n > 0) keys.set(table.id(counterKey(p, name)), n);
  }
  return { requests: c.requests, dropped: c.dropped, errors: c.errors, keys: pairsOf(keys), buckets: [] };
}
