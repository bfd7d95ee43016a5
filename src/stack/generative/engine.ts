/**
 * Continuous-batching scheduler in the manner of vLLM, driven by timers (no CPU burnt for
 * simulated GPU time). Admission is FIFO and needs a running slot (max_num_seqs) plus KV-cache
 * blocks for the whole sequence (prompt + max_tokens, reserved up front so nothing is ever
 * preempted); requests wait otherwise, and are refused (429) once the waiting queue is full.
 *
 * Timing model (shipped profile's figures in brackets; a step is one forward pass of the GPU):
 * - A request first spends `frontEndMs` = prefill_overhead_ms − decode_base_ms (20 − 13 = 7 ms)
 *   outside the GPU: vLLM's API server (HTTP, chat template, tokenisation). It overlaps
 *   whatever the engine is doing; only then does the scheduler see the request.
 * - Steps run back to back while anything is running. At the start of each step the scheduler
 *   admits every request that is ready and fits. The step prefills the prompts admitted at its
 *   start (their first token appears at its end) and, in the same pass, decodes one token for
 *   every sequence already running (continuous batching: a prefill does not stop the others
 *   from decoding; they get their token at the end of the longer step).
 * - A step costs one pass over the weights (decode_base_ms, 13 ms) + decode_per_seq_ms (0.35)
 *   per sequence decoding in it + its prompt tokens at prefill_tokens_per_s (12500/s): see
 *   `stepMs`. A decode-only step is 13 + 0.35 × running, the time per output token; a prompt
 *   prefilled on an idle server gets its first token after prefill_overhead_ms + tokens / rate
 *   (`prefillMs`: 20 + 5.1 = 25 ms for 64 tokens).
 * - So a request's time to first token = its front end (hidden when it ends before the step in
 *   progress does) + the rest of the step in progress (at most one step) + its own step, which
 *   also decodes the running batch and prefills every prompt admitted with it. 64-token prompt
 *   arriving alone while 7 streams decode: ≤ 15.8 + 13 + 7 × 0.35 + 5.1 ≈ 36 ms.
 * - Prefill is compute-bound: prompts admitted together share one step and their tokens add up
 *   (Lambda's A100 run: 10 prompts, 1369 tokens, every first token at 127 ms). Equal-length
 *   streams at a fixed concurrency finish in the same step and come back together, so they
 *   keep being prefilled together. At concurrency 8 with 93-token chat prompts (a 64-token
 *   message plus the chat template, which real Llama 3.1 also makes ~30 tokens) typically
 *   one request is prefilled alone and the 7 that arrive during that step share the next one
 *   (13 + 0.35 + 7 × 93 / 12.5 ≈ 65 ms), so most first tokens come after ≈ 85 ms. A real
 *   server does the same; output lengths that differ (natural end of sequence) break the
 *   lock-step.
 */
import { performance } from 'node:perf_hooks';
import { frontEndMs, stepMs, type VllmProfile } from './profile.js';

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
  /** When the front end has handed the request to the scheduler (performance.now()). */
  readonly readyAt: number;
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
  /** Wakes an idle engine when the head of the queue leaves the front end. */
  private wake: NodeJS.Timeout | undefined;

  constructor(private readonly p: VllmProfile) {}

  /** KV-cache blocks a sequence of this size reserves. */
  blocksFor(promptTokens: number, maxTokens: number): number {
    return Math.ceil((promptTokens + maxTokens) / this.p.blockSize);
  }

  stats(): EngineStats {
    return { running: this.running.length, waiting: this.queue().waiting, usedBlocks: this.usedBlocks, totalBlocks: this.p.numGpuBlocks };
  }

  /**
   * Queues a sequence. Throws CapacityError when the waiting queue is full. Returns a cancel
   * function (client went away): the sequence leaves at the next step and frees its blocks.
   */
  submit(promptTokens: number, maxTokens: number, cb: SequenceCallbacks): () => void {
    const q = this.queue();
    const fitsNow = q.waiting === 0 && q.freeSlots > 0 && this.blocksFor(promptTokens, maxTokens) <= q.freeBlocks;
    if (q.waiting >= this.p.maxWaiting && !fitsNow) {
      throw new CapacityError(`server is at capacity: ${this.running.length} running, ${q.waiting} waiting (max_num_seqs ${this.p.maxNumSeqs}, max waiting ${this.p.maxWaiting})`);
    }
    const arrivedAt = performance.now();
    const seq: Sequence = {
      promptTokens,
      maxTokens,
      blocks: this.blocksFor(promptTokens, maxTokens),
      cb,
      arrivedAt,
      readyAt: arrivedAt + frontEndMs(this.p),
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

  /**
   * The queue as the scheduler will see it: queued requests (including those still in the front
   * end) that a free slot and free KV blocks await count as running-to-be, the rest as waiting.
   */
  private queue(): { waiting: number; freeSlots: number; freeBlocks: number } {
    let freeSlots = this.p.maxNumSeqs - this.running.length;
    let freeBlocks = this.p.numGpuBlocks - this.usedBlocks;
    let waiting = 0;
    for (const s of this.waiting) {
      if (waiting === 0 && freeSlots > 0 && s.blocks <= freeBlocks) {
        freeSlots--;
        freeBlocks -= s.blocks;
      } else waiting++; // FIFO: everything behind a request that must wait waits too
    }
    return { waiting, freeSlots, freeBlocks };
  }

  private kick(): void {
    // A step in progress admits the request at its end; an idle engine starts a step, or
    // arms a wake-up for when the head of the queue is through its front end.
    if (!this.stepping) this.step();
  }

  private admit(now: number): void {
    while (this.waiting.length > 0 && this.running.length < this.p.maxNumSeqs) {
      const next = this.waiting[0]!;
      if (next.readyAt > now) break; // still in the front end (arrivals are in readyAt order)
      if (this.usedBlocks + next.blocks > this.p.numGpuBlocks) break; // FIFO: the head waits for blocks
      this.waiting.shift();
      this.usedBlocks += next.blocks;
      this.running.push(next);
    }
  }

  private step(): void {
    if (this.wake) {
      clearTimeout(this.wake);
      this.wake = undefined;
    }
    this.running = this.running.filter((s) => {
      if (s.cancelled) this.finish(s, 'abort');
      return !s.cancelled;
    });
    const now = performance.now();
    this.admit(now);
    if (this.running.length === 0) {
      this.stepping = false;
      const head = this.waiting[0];
      // Idle, with a request still in the front end: start its step when it is ready.
      if (head) this.wake = setTimeout(() => this.step(), Math.max(0, head.readyAt - now));
      return;
    }
    this.stepping = true;
    const batch = this.running.slice();
    let prefillTokens = 0;
    let decoding = 0;
    for (const s of batch) {
      if (s.prefilled) decoding++;
      else prefillTokens += s.promptTokens;
    }
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
    }, stepMs(this.p, prefillTokens, decoding));
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
