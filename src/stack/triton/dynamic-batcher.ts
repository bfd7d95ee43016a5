/**
 * Triton's dynamic batcher, simulated: requests wait in a bounded queue; whenever a model
 * instance is free the scheduler forms a batch — at once when a preferred batch size (or the
 * max batch size) can be formed, else after the oldest request has waited
 * max_queue_delay_microseconds — and the instance "executes" it for the profile's
 * compute time. Execution is a timer, not CPU work: a real GPU frees the host CPU.
 */
import { performance } from 'node:perf_hooks';
import { computeUs, type TritonProfile } from './profile.js';

export interface BatchTiming {
  readonly queueUs: number;
  readonly computeUs: number;
  readonly batchSize: number;
}

interface Pending {
  readonly rows: number;
  readonly enqueuedAt: number;
  readonly resolve: (t: BatchTiming) => void;
}

/** What the batcher reports after each executed batch (metrics hook). */
export type ExecutionListener = (batch: { size: number; requests: number; computeUs: number; startedAt: number }) => void;

export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`inference request queue is full (max_queue_size ${limit})`);
  }
}

export class DynamicBatcher {
  private readonly queue: Pending[] = [];
  private free: number;
  private delayTimer: NodeJS.Timeout | undefined;
  /** Set when the delay timer fired: the next batch goes even if small (timers may fire a hair early). */
  private forceNext = false;
  private draining = false;
  private executing = 0;

  constructor(private readonly profile: TritonProfile, private readonly onExecuted: ExecutionListener = () => {}) {
    this.free = profile.instanceCount;
  }

  /** Requests waiting for an instance (not executing). */
  get pending(): number {
    return this.queue.length;
  }

  /** Batches executing now. */
  get busyInstances(): number {
    return this.executing;
  }

  /**
   * Queues a request of `rows` rows; resolves when its batch has executed. Throws
   * QueueFullError at once when the queue is at its bound.
   */
  submit(rows: number): Promise<BatchTiming> {
    if (this.queue.length >= this.profile.maxQueueSize) throw new QueueFullError(this.profile.maxQueueSize);
    return new Promise((resolve) => {
      this.queue.push({ rows, enqueuedAt: performance.now(), resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.free > 0 && this.queue.length > 0) {
      const take = this.formBatch();
      if (take === 0) {
        this.armDelay();
        return;
      }
      this.dispatch(this.queue.splice(0, take));
    }
  }

  /** Number of queued requests to run now, or 0 to keep waiting for more. */
  private formBatch(): number {
    const max = this.profile.maxBatchSize;
    let rows = 0;
    let count = 0;
    while (count < this.queue.length && rows + this.queue[count]!.rows <= max) rows += this.queue[count++]!.rows;
    if (count === 0) return 1; // cannot happen (rows <= max is validated), but never stall
    const full = rows === max || count < this.queue.length; // the next request would not fit
    if (full) return count;
    const preferred = this.profile.preferredBatchSizes;
    // A preferred size that can be formed runs at once: take the largest one reachable.
    for (let i = preferred.length - 1; i >= 0; i--) {
      const target = preferred[i]!;
      if (rows < target) continue;
      let r = 0;
      let c = 0;
      while (c < count && r + this.queue[c]!.rows <= target) r += this.queue[c++]!.rows;
      if (r === target) return c;
    }
    const waitedUs = (performance.now() - this.queue[0]!.enqueuedAt) * 1000;
    if (this.forceNext || this.draining || waitedUs >= this.profile.maxQueueDelayUs) return count;
    return 0;
  }

  private armDelay(): void {
    if (this.delayTimer) return;
    const waitedUs = (performance.now() - this.queue[0]!.enqueuedAt) * 1000;
    const remainingMs = Math.max(0, (this.profile.maxQueueDelayUs - waitedUs) / 1000);
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined;
      // The oldest request has waited its max delay: whatever is queued goes now.
      this.forceNext = true;
      this.schedule();
    }, remainingMs);
  }

  private dispatch(batch: Pending[]): void {
    if (this.delayTimer) {
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    }
    this.forceNext = false;
    this.free--;
    this.executing++;
    const startedAt = performance.now();
    const size = batch.reduce((s, p) => s + p.rows, 0);
    const us = computeUs(this.profile, size);
    setTimeout(() => {
      this.free++;
      this.executing--;
      this.onExecuted({ size, requests: batch.length, computeUs: us, startedAt });
      for (const p of batch) p.resolve({ queueUs: (startedAt - p.enqueuedAt) * 1000, computeUs: us, batchSize: size });
      this.schedule();
    }, us / 1000);
  }

  /** Shutdown: stop waiting for fuller batches and run what is queued, so the drain finishes fast. */
  close(): void {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.draining = true;
    this.schedule();
  }
}
