/**
 * The bandwidth toxic: a byte rate shared by every answer of a service (the link is limited,
 * as NetworkChaos bandwidth limits a pod's interface), not a rate per answer.
 *
 * `ByteRateLimiter` is a virtual-clock link: each slice of bytes is released when its
 * transmission at `bytesPerSecond` would end, after every slice queued before it (FIFO over all
 * answers, so N concurrent answers each get about 1/N of the rate). No burst: the first slice
 * waits for its own transmission time too. `Throttle` is the per-answer stream in front of it.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Slices released every ~10 ms of link time: smooth, and a small answer's time is close to size/rate. */
const SLICE_SECONDS = 0.01;

export class ByteRateLimiter {
  /** When the link is free again (performance.now() ms). */
  private freeAt = 0;
  readonly sliceBytes: number;

  constructor(readonly bytesPerSecond: number) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`bytesPerSecond: expected a positive number, got ${bytesPerSecond}`);
    this.sliceBytes = Math.max(1, Math.floor(bytesPerSecond * SLICE_SECONDS));
  }

  /** Resolves when `bytes` have crossed the link (after everything queued before them). */
  transmit(bytes: number): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + (bytes / this.bytesPerSecond) * 1000;
    const wait = this.freeAt - now;
    return new Promise((r) => setTimeout(r, wait));
  }
}

/** Passes one answer's bytes on through a (shared) limiter, slice by slice. */
export class Throttle extends Transform {
  private readonly link: ByteRateLimiter;

  /** A number makes a link of its own (one stream); pass a limiter to share a rate. */
  constructor(link: ByteRateLimiter | number) {
    super();
    this.link = typeof link === 'number' ? new ByteRateLimiter(link) : link;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    void this.release(chunk).then(() => done(), done);
  }

  private async release(chunk: Buffer): Promise<void> {
    const n = this.link.sliceBytes;
    for (let off = 0; off < chunk.length; off += n) {
      const slice = chunk.subarray(off, off + n);
      // One slice queued at a time per answer: concurrent answers interleave on the link.
      await this.link.transmit(slice.length);
      if (this.destroyed) return;
      this.push(slice);
    }
  }
}
