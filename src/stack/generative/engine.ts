/**
 * Continuous-batching scheduler in the manner of vLLM, driven by timers (no CPU burnt for
 * simulated GPU time). Each engine step either prefills the newly admitted sequences (their
 * first token appears at its end) or decodes one token for every running sequence.
 * Admission is FIFO and needs a running slot (max_num_seqs) plus KV-cache blocks for the
 * whole sequence (prompt + max_tokens, reserved up front so nothing is ever preempted);
 * requests wait otherwise, and are refused (429) once the waiting queue is full.
 */
import { performance } from 'node:perf_hooks';
import { decodeStepMs, prefillMs, type VllmProfile } from './profile.js';

export interface SequenceCallbacks {
  /** One generated token (index from 0); `at` is performance.now() of its emission. */
  onToken(index: number, at: number): void;
  /** The sequence ended: all max_tokens generated ("length") or cancelled ("abort"). */
  onFinish(reason: 'length' | 'abort'): void;
}

interface Sequence {
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly blocks: number;
  readonly cb: SequenceCallbacks;
  readonly arrivedAt: number;
  generated: number;
  prefilled: boolean;
  cancelled: boolean;
  done: boolean;
}

export class CapacityError extends Error {}

export interface EngineStats {
  readonly running: number;
  readonly waiting: number;
  readonly usedBlocks: number;
  readonly totalBlocks: number;
}

export class Engine {
  private readonly waiting: Sequence[] = [];
  private running: Sequence[] = [];
  private usedBlocks = 0;
  private stepping = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly p: VllmProfile) {}

  /** KV-cache blocks a sequence of this size reserves. */
  blocksFor(promptTokens: number, maxTokens: number): number {
    return Math.ceil((promptTokens + maxTokens) / this.p.blockSize);
  }

  stats(): EngineStats {
    return { running: this.running.length, waiting: this.waiting.length, usedBlocks: this.usedBlocks, totalBlocks: this.p.numGpuBlocks };
  }

  /**
   * Queues a sequence. Throws CapacityError when the waiting queue is full. Returns a cancel
   * function (client went away): the sequence leaves at the next step and frees its blocks.
   */
  submit(promptTokens: number, maxTokens: number, cb: SequenceCallbacks): () => void {
    if (this.waiting.length >= this.p.maxWaiting && !this.canAdmitNow(promptTokens, maxTokens)) {
      throw new CapacityError(`server is at capacity: ${this.running.length} running, ${this.waiting.length} waiting (max_num_seqs ${this.p.maxNumSeqs}, max waiting ${this.p.maxWaiting})`);
    }
    const seq: Sequence = {
      promptTokens,
      maxTokens,
      blocks: this.blocksFor(promptTokens, maxTokens),
      cb,
      arrivedAt: performance.now(),
      generated: 0,
      prefilled: false,
      cancelled: false,
      done: false,
    };
    this.waiting.push(seq);
    this.kick();
    return () => {
      if (seq.done) return;
      seq.cancelled = true;
      const i = this.waiting.indexOf(seq);
      if (i >= 0) {
        this.waiting.splice(i, 1);
        this.finish(seq, 'abort');
      }
    };
  }

  private canAdmitNow(promptTokens: number, maxTokens: number): boolean {
    return this.waiting.length === 0 && this.running.length < this.p.maxNumSeqs && this.usedBlocks + this.blocksFor(promptTokens, maxTokens) <= this.p.numGpuBlocks;
  }

  private kick(): void {
    if (!this.stepping) this.step();
  }

  private admit(): Sequence[] {
    const admitted: Sequence[] = [];
    while (this.waiting.length > 0 && this.running.length < this.p.maxNumSeqs) {
      const next = this.waiting[0]!;
      if (this.usedBlocks + next.blocks > this.p.numGpuBlocks) break; // FIFO: the head waits for blocks
      this.waiting.shift();
      this.usedBlocks += next.blocks;
      this.running.push(next);
      admitted.push(next);
    }
    return admitted;
  }

  private step(): void {
    this.running = this.running.filter((s) => {
      if (s.cancelled) this.finish(s, 'abort');
      return !s.cancelled;
    });
    this.admit();
    if (this.running.length === 0) {
      this.stepping = false;
      return;
    }
    this.stepping = true;
    const toPrefill = this.running.filter((s) => !s.prefilled);
    const batch = toPrefill.length > 0 ? toPrefill : this.running.slice();
    const ms =
      toPrefill.length > 0
        ? prefillMs(this.p, toPrefill.reduce((n, s) => n + s.promptTokens, 0))
        : decodeStepMs(this.p, this.running.length);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const at = performance.now();
      for (const s of batch) {
        if (s.cancelled) continue;
        s.prefilled = true;
        s.cb.onToken(s.generated, at);
        s.generated++;
        if (s.generated >= s.maxTokens) this.finish(s, 'length');
      }
      this.running = this.running.filter((s) => !s.done);
      this.step();
    }, ms);
  }

  private finish(s: Sequence, reason: 'length' | 'abort'): void {
    if (s.done) return;
    s.done = true;
    if (this.running.includes(s)) this.usedBlocks -= s.blocks;
    s.cb.onFinish(reason);
  }

  /** Aborts every sequence, running or waiting (their clients get a 503 or a cut stream). */
  abortAll(): void {
    for (const s of this.waiting.splice(0)) this.finish(s, 'abort');
    for (const s of this.running) s.cancelled = true;
  }
}
