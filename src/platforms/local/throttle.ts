/** A byte-rate limiter for the bandwidth toxic: passes chunks on at most `bytesPerSecond`. */
import { Transform, type TransformCallback } from 'node:stream';

export class Throttle extends Transform {
  private readonly sliceBytes: number;

  constructor(private readonly bytesPerSecond: number) {
    super();
    // Release in 50 ms slices so a limit is smooth rather than bursty.
    this.sliceBytes = Math.max(1, Math.floor(bytesPerSecond / 20));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    void this.release(chunk).then(() => done(), done);
  }

  private async release(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length; off += this.sliceBytes) {
      const slice = chunk.subarray(off, off + this.sliceBytes);
      this.push(slice);
      await new Promise((r) => setTimeout(r, (slice.length / this.bytesPerSecond) * 1000));
    }
  }
}
