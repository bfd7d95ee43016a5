/**
 * Streamed generations per endpoint and per 100 ms of intended send time, next to the
 * request data of slice-store.ts and in the same compact form: exact counters and sparse
 * HDR buckets (µs) of TTFT, ITL and TPOT, plus a joint (TTFT, TPOT) bucket count per
 * complete stream so goodput can be judged afterwards for any limits, exact to the
 * histograms' 3 significant digits. Memory grows with distinct buckets, not with tokens.
 *
 * Cell layout (varints): streams; when non-zero: complete, cutOff, noToken, tokensIn,
 * tokensOut, then four sparse lists (ttft, itl, tpot, joint), each n, (index delta, count)*.
 */
import type { ClientStreamWindow, StreamLatency } from '../contract/load-windows.js';
import { percentileMs, type Histogram } from './histogram.js';
import { addPairs, bucketIndex, bucketsOf, bucketValue, ByteReader, ByteWriter, histogramOf, pairsOf, readSparse, writeSparse } from './slice-codec.js';
import type { StreamOutcome } from './sse-tokens.js';

/** Joint keys are ttftIndex · JOINT + tpotIndex; tpot index 0 means "one token, no TPOT". */
const JOINT = 2 ** 17;

export interface StreamCell {
  streams: number;
  complete: number;
  cutOff: number;
  noToken: number;
  tokensIn: number;
  tokensOut: number;
  ttft: number[];
  itl: number[];
  tpot: number[];
  joint: number[];
}

export const emptyStreamCell = (): StreamCell => ({ streams: 0, complete: 0, cutOff: 0, noToken: 0, tokensIn: 0, tokensOut: 0, ttft: [], itl: [], tpot: [], joint: [] });

export function writeStreamCell(w: ByteWriter, c: StreamCell): void {
  w.uint(c.streams);
  if (c.streams === 0) return;
  w.uint(c.complete);
  w.uint(c.cutOff);
  w.uint(c.noToken);
  w.uint(c.tokensIn);
  w.uint(c.tokensOut);
  writeSparse(w, c.ttft);
  writeSparse(w, c.itl);
  writeSparse(w, c.tpot);
  writeSparse(w, c.joint);
}

export function readStreamCell(r: ByteReader): StreamCell {
  const c = emptyStreamCell();
  c.streams = r.uint();
  if (c.streams === 0) return c;
  c.complete = r.uint();
  c.cutOff = r.uint();
  c.noToken = r.uint();
  c.tokensIn = r.uint();
  c.tokensOut = r.uint();
  c.ttft = readSparse(r);
  c.itl = readSparse(r);
  c.tpot = readSparse(r);
  c.joint = readSparse(r);
  return c;
}

/** One endpoint's open slice of streams: raw values until the slice is sealed. */
export class OpenStreamCell {
  streams = 0;
  complete = 0;
  cutOff = 0;
  noToken = 0;
  tokensIn = 0;
  tokensOut = 0;
  readonly ttftUs: number[] = [];
  /** Inter-token gaps counted by bucket as they come (there are many: sealing then sorts a few dozen buckets, not every gap). */
  readonly itl = new Map<number, number>();
  readonly tpotUs: number[] = [];
  readonly joint = new Map<number, number>();

  /** A stream sent at `intendedMs` ended as `s` (times on the same clock). */
  record(s: StreamOutcome, intendedMs: number): void {
    this.streams++;
    this.tokensIn += s.inputTokens;
    this.tokensOut += s.outputTokens;
    if (s.end === 'no_token') {
      this.noToken++;
      return;
    }
    if (s.end === 'cut_off') this.cutOff++;
    else this.complete++;
    const ttft = Math.max(1, Math.round((s.firstMs - intendedMs) * 1000));
    this.ttftUs.push(ttft);
    for (const g of s.gapsUs) {
      const b = bucketIndex(g);
      this.itl.set(b, (this.itl.get(b) ?? 0) + 1);
    }
    let tpotIdx = 0;
    if (s.tokenEvents >= 2 && s.outputTokens >= 2) {
      const tpot = Math.max(1, Math.round(((s.lastMs - s.firstMs) * 1000) / (s.outputTokens - 1)));
      this.tpotUs.push(tpot);
      tpotIdx = Math.min(JOINT - 1, bucketIndex(tpot));
    }
    if (s.end === 'complete') {
      const key = bucketIndex(ttft) * JOINT + tpotIdx;
      this.joint.set(key, (this.joint.get(key) ?? 0) + 1);
    }
  }

  seal(): StreamCell {
    return {
      streams: this.streams,
      complete: this.complete,
      cutOff: this.cutOff,
      noToken: this.noToken,
      tokensIn: this.tokensIn,
      tokensOut: this.tokensOut,
      ttft: bucketsOf(this.ttftUs),
      itl: pairsOf(this.itl, true),
      tpot: bucketsOf(this.tpotUs),
      joint: pairsOf(this.joint, true),
    };
  }
}

/** The sum of two cells. */
export function addStreamCells(a: StreamCell, b: StreamCell): StreamCell {
  const sum = (x: readonly number[], y: readonly number[]): number[] => {
    const m = new Map<number, number>();
    addPairs(m, x);
    addPairs(m, y);
    return pairsOf(m, true);
  };
  return {
    streams: a.streams + b.streams,
    complete: a.complete + b.complete,
    cutOff: a.cutOff + b.cutOff,
    noToken: a.noToken + b.noToken,
    tokensIn: a.tokensIn + b.tokensIn,
    tokensOut: a.tokensOut + b.tokensOut,
    ttft: sum(a.ttft, b.ttft),
    itl: sum(a.itl, b.itl),
    tpot: sum(a.tpot, b.tpot),
    joint: sum(a.joint, b.joint),
  };
}

/** The serialisable form; cells are slice-major, one per endpoint, like SliceData. */
export interface StreamData {
  readonly ms: number;
  readonly count: number;
  /** Base64 of every slice's cells. */
  readonly data: string;
}

/** Streams over a window, read back, with the engine's histograms behind the percentiles (in µs). */
export interface StreamWindow extends ClientStreamWindow {
  readonly ttft: Histogram;
  readonly itl: Histogram;
  readonly tpot: Histogram;
}

export class StreamStore {
  private readonly starts: Int32Array;

  private constructor(
    readonly ms: number,
    readonly count: number,
    readonly endpoints: number,
    private readonly bytes: Uint8Array,
  ) {
    this.starts = new Int32Array(count);
    const r = new ByteReader(bytes);
    for (let s = 0; s < count; s++) {
      this.starts[s] = r.pos;
      for (let e = 0; e < endpoints; e++) readStreamCell(r);
    }
  }

  static from(d: StreamData, endpoints: number): StreamStore {
    return new StreamStore(d.ms, d.count, endpoints, new Uint8Array(Buffer.from(d.data, 'base64')));
  }

  static build(ms: number, count: number, endpoints: number, cells: (s: number) => readonly StreamCell[] | undefined): StreamStore {
    const w = new ByteWriter();
    const empty = emptyStreamCell();
    for (let s = 0; s < count; s++) {
      const row = cells(s);
      for (let e = 0; e < endpoints; e++) writeStreamCell(w, row?.[e] ?? empty);
    }
    return new StreamStore(ms, count, endpoints, w.done());
  }

  static fromBytes(ms: number, count: number, endpoints: number, bytes: Uint8Array): StreamStore {
    return new StreamStore(ms, count, endpoints, bytes);
  }

  toData(): StreamData {
    return { ms: this.ms, count: this.count, data: Buffer.from(this.bytes).toString('base64') };
  }

  cell(s: number, e: number): StreamCell {
    if (s < 0 || s >= this.count) return emptyStreamCell();
    const r = new ByteReader(this.bytes, this.starts[s]);
    for (let i = 0; i < e; i++) readStreamCell(r);
    return readStreamCell(r);
  }

  /** Streams over slices [from, to) of endpoints `eps`; undefined when none. */
  sum(from: number, to: number, eps: readonly number[]): StreamWindow | undefined {
    const acc = { streams: 0, complete: 0, cutOff: 0, noToken: 0, tokensIn: 0, tokensOut: 0 };
    const ttft: number[] = [];
    const itl: number[] = [];
    const tpot: number[] = [];
    const joint = new Map<number, number>();
    for (let s = Math.max(0, from); s < Math.min(to, this.count); s++) {
      for (const e of eps) {
        const c = this.cell(s, e);
        if (c.streams === 0) continue;
        acc.streams += c.streams;
        acc.complete += c.complete;
        acc.cutOff += c.cutOff;
        acc.noToken += c.noToken;
        acc.tokensIn += c.tokensIn;
        acc.tokensOut += c.tokensOut;
        for (const v of c.ttft) ttft.push(v);
        for (const v of c.itl) itl.push(v);
        for (const v of c.tpot) tpot.push(v);
        addPairs(joint, c.joint);
      }
    }
    if (acc.streams === 0) return undefined;
    const lazy = (b: number[]): (() => Histogram) => {
      let h: Histogram | undefined;
      return () => (h ??= histogramOf(b, true));
    };
    const ttftH = lazy(ttft);
    const itlH = lazy(itl);
    const tpotH = lazy(tpot);
    return {
      ...acc,
      get ttft() {
        return ttftH();
      },
      get itl() {
        return itlH();
      },
      get tpot() {
        return tpotH();
      },
      percentile(kind: StreamLatency, p: number): number | undefined {
        const h = kind === 'ttft' ? ttftH() : kind === 'itl' ? itlH() : tpotH();
        return h.totalCount > 0 ? percentileMs(h, p) : undefined;
      },
      good(ttftMs: number, itlMs: number): number {
        let n = 0;
        for (const [key, count] of joint) {
          const ti = Math.floor(key / JOINT);
          const pi = key % JOINT;
          if (bucketValue(ti) <= ttftMs * 1000 && (pi === 0 || bucketValue(pi) <= itlMs * 1000)) n += count;
        }
        return n;
      },
    };
  }
}

/** Merges the stream stores of several runs (each with its endpoint names) at the coarsest width. */
export function mergeStreamStores(runs: readonly { store: StreamStore; endpoints: readonly string[] }[], endpoints: readonly string[]): StreamStore | undefined {
  if (runs.length === 0) return undefined;
  const ms = Math.max(...runs.map((r) => r.store.ms));
  const count = Math.max(0, ...runs.map((r) => Math.ceil((r.store.count * r.store.ms) / ms)));
  const acc = Array.from({ length: count }, () => endpoints.map(() => emptyStreamCell()));
  for (const { store, endpoints: names } of runs) {
    const target = names.map((n) => endpoints.indexOf(n));
    for (let s = 0; s < store.count; s++) {
      const row = acc[Math.floor((s * store.ms) / ms)]!;
      for (let e = 0; e < store.endpoints; e++) {
        const c = store.cell(s, e);
        const t = target[e] as number;
        if (c.streams === 0 || t < 0) continue;
        row[t] = addStreamCells(row[t]!, c);
      }
    }
  }
  return StreamStore.build(ms, count, endpoints.length, (s) => acc[s]);
}
