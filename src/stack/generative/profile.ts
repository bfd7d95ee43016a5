/**
 * vLLM simulator profile: scheduler limits, KV-cache size, token limits, warm-up and the
 * timing model. Prefill runs at `prefill_tokens_per_s` (time to first token grows with the
 * prompt and with the queue ahead); one decode step costs
 * `decode_base_ms + decode_per_seq_ms × running sequences` (time per output token grows with
 * the running batch, the memory-bandwidth-bound regime of LLM decoding). How the engine
 * combines them into steps is described in engine.ts.
 */
import { ProfileReader } from '../common/profile-file.js';

export interface VllmProfile {
  readonly file: string;
  readonly model: string;
  readonly maxModelLen: number;
  /** Largest `max_tokens` a request may ask for (400 beyond it). */
  readonly maxTokensLimit: number;
  readonly defaultMaxTokens: number;
  readonly maxNumSeqs: number;
  /** Requests allowed to wait for a running slot; beyond it 429. */
  readonly maxWaiting: number;
  readonly numGpuBlocks: number;
  readonly blockSize: number;
  readonly prefillTokensPerS: number;
  readonly prefillOverheadMs: number;
  readonly decodeBaseMs: number;
  readonly decodePerSeqMs: number;
  readonly warmupMs: number;
  /** Characters per token of the simulated tokenizer (≈4 for English BPE vocabularies). */
  readonly charsPerToken: number;
  readonly sources: readonly string[];
}

export function loadVllmProfile(file: string): VllmProfile {
  const r = ProfileReader.load(file);
  const maxModelLen = r.number('max_model_len', { min: 16, int: true });
  return {
    file,
    model: r.string('model'),
    maxModelLen,
    maxTokensLimit: r.number('max_tokens_limit', { min: 1, max: maxModelLen, int: true }),
    defaultMaxTokens: r.number('default_max_tokens', { min: 1, int: true, fallback: 16 }),
    maxNumSeqs: r.number('scheduler.max_num_seqs', { min: 1, int: true }),
    maxWaiting: r.number('scheduler.max_waiting', { min: 0, int: true }),
    numGpuBlocks: r.number('kv_cache.num_gpu_blocks', { min: 1, int: true }),
    blockSize: r.number('kv_cache.block_size', { min: 1, int: true }),
    prefillTokensPerS: r.number('timing.prefill_tokens_per_s', { min: 1 }),
    prefillOverheadMs: r.number('timing.prefill_overhead_ms', { min: 0 }),
    decodeBaseMs: r.number('timing.decode_base_ms', { min: 0.1 }),
    decodePerSeqMs: r.number('timing.decode_per_seq_ms', { min: 0 }),
    warmupMs: r.number('warmup_ms', { min: 0, fallback: 0 }),
    charsPerToken: r.number('chars_per_token', { min: 0.5, fallback: 4 }),
    sources: r.sources(),
  };
}

/** Time to first token of a request that starts prefill at once (no queue), ms. */
export function prefillMs(p: VllmProfile, promptTokens: number): number {
  return p.prefillOverheadMs + (promptTokens / p.prefillTokensPerS) * 1000;
}

/** Duration of one decode step with `running` sequences, ms. */
export function decodeStepMs(p: VllmProfile, running: number): number {
  return p.decodeBaseMs + p.decodePerSeqMs * running;
}

/**
 * Per-request latency outside the GPU, ms: the part of `prefill_overhead_ms` above one pass
 * over the weights (`decode_base_ms`): HTTP, chat template, tokenisation, detokenisation, done
 * by vLLM's API server while the engine runs other requests' steps.
 */
export function frontEndMs(p: VllmProfile): number {
  return Math.max(0, p.prefillOverheadMs - p.decodeBaseMs);
}

/**
 * Duration of one engine step (one forward pass), ms: the fixed cost of a pass over the
 * weights, paid once per step, plus `decode_per_seq_ms` for each sequence decoding in it, plus
 * the prompt tokens prefilled in it at `prefill_tokens_per_s`. With no prefill this is
 * `decodeStepMs`; a prompt prefilled alone takes `prefillMs` once `frontEndMs` is added.
 */
export function stepMs(p: VllmProfile, prefillTokens: number, decoding: number): number {
  const fixed = decoding > 0 || prefillTokens === 0 ? p.decodeBaseMs : Math.min(p.prefillOverheadMs, p.decodeBaseMs);
  return fixed + p.decodePerSeqMs * decoding + (prefillTokens / p.prefillTokensPerS) * 1000;
}
