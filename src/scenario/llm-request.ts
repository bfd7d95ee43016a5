/**
 * Streamed generation requests for a mix: OpenAI completions or chat with `stream: true`,
 * prompt and output lengths in tokens from a distribution, as AIPerf and GuideLLM shape
 * their synthetic traffic:
 *
 *   mix: { chat: llmRequest({ api: 'chat', prompt: { mean: 200, stddev: 50 }, output: 128, weight: 1 }) }
 *
 * No tokenizer is downloaded. A prompt of N tokens is N words of four characters with a
 * space ("lorem"-like text from a fixed word list), which is N tokens under the usual
 * rule of thumb of about 4 characters per token for English and under the simulator's
 * `chars_per_token` of 4; a real server's tokenizer may count a little differently, and
 * the server's own `usage` counts are what the engine reports when it sends them. The
 * output length is `max_tokens` with `ignore_eos` and `min_tokens` (vLLM's extensions), so
 * servers that honour them produce exactly that many tokens.
 */
import type { MixEntry, Random } from './types.js';

/** A length in tokens: fixed, uniform in [min, max], or normal (rounded, at least 1). */
export type TokenCount = number | { readonly min: number; readonly max: number } | { readonly mean: number; readonly stddev: number };

export interface LlmRequestOptions {
  /** 'completions' (POST {base}/v1/completions) or 'chat' (POST {base}/v1/chat/completions). Default 'completions'. */
  readonly api?: 'completions' | 'chat';
  /** Overrides the path (e.g. a gateway's '/api/v1/generate', which takes the completions body). */
  readonly path?: string;
  readonly prompt: TokenCount;
  readonly output: TokenCount;
  /** The `model` field; omitted when absent (servers with one model accept that). */
  readonly model?: string;
  /** Mix weight. Default 1. */
  readonly weight?: number;
}

const WORDS = ['gift', 'shop', 'cart', 'sale', 'size', 'ship', 'deal', 'item', 'card', 'wrap', 'snow', 'bell', 'tree', 'star', 'sock', 'lamp'];

/** A draw from `c` (at least 1 token). */
export function drawTokens(c: TokenCount, rng: Random): number {
  if (typeof c === 'number') return Math.max(1, Math.round(c));
  if ('min' in c) return Math.max(1, rng.int(Math.round(c.min), Math.round(c.max)));
  return Math.max(1, Math.round(c.mean + c.stddev * rng.normal()));
}

/** A prompt of about `tokens` tokens (four-character words). */
export function promptOf(tokens: number, rng: Random): string {
  const out = new Array<string>(tokens);
  for (let i = 0; i < tokens; i++) out[i] = WORDS[Math.floor(rng.next() * WORDS.length)]!;
  return out.join(' ');
}

/** A streamed generation request as a mix entry. */
export function llmRequest(opts: LlmRequestOptions): MixEntry {
  const api = opts.api ?? 'completions';
  const path = opts.path ?? (api === 'chat' ? '/v1/chat/completions' : '/v1/completions');
  return {
    weight: opts.weight ?? 1,
    request: (ctx) => {
      const prompt = promptOf(drawTokens(opts.prompt, ctx.rng), ctx.rng);
      const out = drawTokens(opts.output, ctx.rng);
      const common = {
        ...(opts.model === undefined ? {} : { model: opts.model }),
        max_tokens: out,
        min_tokens: out,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      };
      const body = api === 'chat' ? { ...common, messages: [{ role: 'user', content: prompt }] } : { ...common, prompt };
      return { method: 'POST', path, body };
    },
  };
}
