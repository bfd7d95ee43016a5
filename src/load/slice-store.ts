/**
 * A run's per-slice, per-endpoint data (slice-codec.ts cells) read back: serialisable form,
 * random access by slice, exact merge of several runs, and the older per-second form.
 */
import type { Counters } from '../contract/journal.js';
import { MutableCounters } from './counters.js';
import { decodeHistogram, type Histogram } from './histogram.js';
import {
  addCounters,
  addPairs,
  bucketsOfHistogram,
  ByteReader,
  ByteWriter,
  cellOfCounters,
  emptyCell,
  histogramOf,
  KeyTable,
  pairsOf,
  readCell,
  SLICE_MS,
  skipCell,
  writeCell,
  type Cell,
} from './slice-codec.js';

/** The serialisable form (JSON, worker messages, a load runner's result line). */
export interface SliceData {
  /** Width of one slice in ms (100 from this engine; 1000 for data of older engines). */
  readonly ms: number;
  /** Number of slices; slice i covers intended send times [i·ms, (i+1)·ms). */
  readonly count: number;
  /** Counter keys the cells refer to by index ("s:200", "t:fallback"). */
  readonly keys: readonly string[];
  /** Base64 of every slice in order, each one cell per endpoint. */
  readonly data: string;
}

/** The per-second form of older engines (LoadData.seconds). */
export type LegacySeconds = readonly (readonly { readonly counters: Counters; readonly histogram: string | undefined }[])[];

export class SliceStore {
  private readonly starts: Int32Array;

  private constructor(
    readonly ms: number,
    readonly count: number,
    readonly endpoints: number,
    readonly keys: readonly string[],
    private readonly bytes: Uint8Array,
  ) {
    this.starts = new Int32Array(count);
    const r = new ByteReader(bytes);
    for (let s = 0; s < count; s++) {
      this.starts[s] = r.pos;
      for (let e = 0; e < endpoints; e++) skipCell(r);
    }
  }

  static from(d: SliceData, endpoints: number): SliceStore {
    return new SliceStore(d.ms, d.count, endpoints, d.keys, new Uint8Array(Buffer.from(d.data, 'base64')));
  }

  static fromBytes(ms: number, count: number, endpoints: number, keys: readonly string[], bytes: Uint8Array): SliceStore {
    return new SliceStore(ms, count, endpoints, keys, bytes);
  }

  /** Builds a store from cells given slice by slice (`cells(s)[e]`). */
  static build(ms: number, count: number, endpoints: number, keys: readonly string[], cells: (s: number) => readonly Cell[] | undefined): SliceStore {
    const w = new ByteWriter();
    const empty = emptyCell();
    for (let s = 0; s < count; s++) {
      const row = cells(s);
      for (let e = 0; e < endpoints; e++) writeCell(w, row?.[e] ?? empty);
    }
    return new SliceStore(ms, count, endpoints, keys, w.done());
  }

  /** Data of older engines: one slice per second, histograms re-read as sparse buckets. */
  static fromSeconds(seconds: LegacySeconds, endpoints: number): SliceStore {
    const table = new KeyTable();
    const rows = seconds.map((row) =>
      Array.from({ length: endpoints }, (_, e) => {
        const c = row[e];
        if (!c) return emptyCell();
        const cell = cellOfCounters(c.counters, table);
        if (c.histogram) cell.buckets = bucketsOfHistogram(decodeHistogram(c.histogram));
        return cell;
      }),
    );
    return SliceStore.build(1000, rows.length, endpoints, table.keys, (s) => rows[s]);
  }

  toData(): SliceData {
    return { ms: this.ms, count: this.count, keys: this.keys, data: Buffer.from(this.bytes).toString('base64') };
  }

  /** The cell of endpoint `e` in slice `s`. */
  cell(s: number, e: number): Cell {
    if (s < 0 || s >= this.count) return emptyCell();
    const r = new ByteReader(this.bytes, this.starts[s]);
    for (let i = 0; i < e; i++) skipCell(r);
    return readCell(r);
  }

  /** Counters and histogram over slices [from, to) of the endpoints `eps`. */
  sum(from: number, to: number, eps: readonly number[]): { counters: MutableCounters; hist: Histogram } {
    const { counters, buckets } = this.sumSparse(from, to, eps);
    return { counters, hist: histogramOf(buckets) };
  }

  /** Counters and the (unsorted, possibly repeated) sparse buckets over slices [from, to). */
  sumSparse(from: number, to: number, eps: readonly number[]): { counters: MutableCounters; buckets: number[] } {
    const counters = new MutableCounters();
    const buckets: number[] = [];
    const lo = Math.max(0, from);
    const hi = Math.min(to, this.count);
    // Second by second, endpoint by endpoint within it: counter keys then appear in the
    // order per-second data gave them (journals keep their key order).
    const per = Math.max(1, Math.round(1000 / this.ms));
    for (let sec = Math.floor(lo / per) * per; sec < hi; sec += per) {
      for (const e of eps) {
        for (let s = Math.max(lo, sec); s < Math.min(hi, sec + per); s++) {
          const c = this.cell(s, e);
          addCounters(counters, c, this.keys);
          for (const b of c.buckets) buckets.push(b);
        }
      }
    }
    return { counters, buckets };
  }
}

/**
 * Merges stores of several runs (endpoint names per run) into one over `endpoints`, slice by
 * slice from each run's own traffic start. Runs of different slice widths merge at the
 * coarsest width.
 */
export function mergeStores(runs: readonly { store: SliceStore; endpoints: readonly string[] }[], endpoints: readonly string[]): SliceStore {
  const ms = Math.max(...runs.map((r) => r.store.ms));
  const table = new KeyTable();
  const count = Math.max(0, ...runs.map((r) => Math.ceil((r.store.count * r.store.ms) / ms)));
  const acc = Array.from({ length: count }, () => endpoints.map(() => ({ requests: 0, dropped: 0, errors: 0, keys: new Map<number, number>(), hist: new Map<number, number>() })));
  for (const { store, endpoints: names } of runs) {
    const remap = store.keys.map((k) => table.id(k));
    const target = names.map((n) => endpoints.indexOf(n));
    for (let s = 0; s < store.count; s++) {
      const row = acc[Math.floor((s * store.ms) / ms)]!;
      for (let e = 0; e < store.endpoints; e++) {
        const c = store.cell(s, e);
        const a = row[target[e] as number];
        if (!a || (c.requests === 0 && c.dropped === 0)) continue;
        a.requests += c.requests;
        a.dropped += c.dropped;
        a.errors += c.errors;
        addPairs(a.keys, c.keys, remap);
        addPairs(a.hist, c.buckets);
      }
    }
  }
  return SliceStore.build(ms, count, endpoints.length, table.keys, (s) =>
    acc[s]!.map((a) => ({ requests: a.requests, dropped: a.dropped, errors: a.errors, keys: pairsOf(a.keys), buckets: pairsOf(a.hist, true) })),
  );
}

export { SLICE_MS };
