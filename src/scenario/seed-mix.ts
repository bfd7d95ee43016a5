/**
 * The seed's Locust traffic mix as request factories (70% predict with 10 features, 20%
 * detailed with 20 features and an explanation, 10% batches of 10–50 instances), plus an
 * optional generative share and "popular products" whose repeated feature vectors make the
 * gateway's prediction cache matter.
 */
import type { MixEntry, RequestContext } from './types.js';

export interface SeedMixOptions {
  /** Share (0..1) of predict requests that repeat one of the popular feature vectors. Default 0 (the seed as written). */
  readonly popularShare?: number;
  /** How many popular products there are. Default 50. */
  readonly popularProducts?: number;
  /** Weight of POST /api/v1/generate next to 70/20/10; 0 leaves it out. Default 0. */
  readonly generateWeight?: number;
  /** max_tokens of generate requests. Default 32. */
  readonly maxTokens?: number;
  /** Ask for the generation as a stream (SSE): the engine then measures TTFT, ITL and tokens/s. Default false. */
  readonly stream?: boolean;
}

const PROMPTS = [
  'Is the winter jacket in stock in size M?',
  'Summarise the return policy for holiday orders.',
  'Suggest a gift under 50 euros for a runner.',
  'When will my order with express shipping arrive?',
  'Compare the two espresso machines on the front page.',
] as const;

/** A fixed feature vector for product `i` (same on every run, independent of the seed). */
function popularVector(i: number, n: number): number[] {
  const out: number[] = [];
  // A small integer hash keeps the vectors fixed without a second random stream.
  let h = (i + 1) * 2654435761;
  for (let j = 0; j < n; j++) {
    h = Math.imul(h ^ (h >>> 15), 2246822519) + j;
    out.push(Math.round(((h >>> 0) / 4294967296) * 1000) / 1000);
  }
  return out;
}

/** The seed's mix: entries named predict, detailed, batch (and generate when weighted). */
export function seedMix(opts: SeedMixOptions = {}): Record<string, MixEntry> {
  const popularShare = opts.popularShare ?? 0;
  const products = Array.from({ length: opts.popularProducts ?? 50 }, (_, i) => popularVector(i, 10));
  const predictFeatures = (ctx: RequestContext): number[] =>
    popularShare > 0 && ctx.rng.next() < popularShare ? ctx.rng.pick(products) : ctx.features(10);
  const mix: Record<string, MixEntry> = {
    predict: {
      weight: 70,
      request: (ctx) => ({ method: 'POST', path: '/api/v1/predict', body: { features: predictFeatures(ctx), options: { return_probabilities: true } } }),
    },
    detailed: {
      weight: 20,
      request: (ctx) => ({
        method: 'POST',
        path: '/api/v1/predict/detailed',
        body: { features: ctx.features(20), options: { return_probabilities: true, explanation: true } },
      }),
    },
    batch: {
      weight: 10,
      request: (ctx) => ({
        method: 'POST',
        path: '/api/v1/predict/batch',
        body: { instances: Array.from({ length: ctx.rng.int(10, 50) }, () => ({ features: ctx.features(10) })) },
      }),
    },
  };
  if ((opts.generateWeight ?? 0) > 0) {
    mix.generate = {
      weight: opts.generateWeight as number,
      request: (ctx) => ({
        method: 'POST',
        path: '/api/v1/generate',
        body: { prompt: ctx.rng.pick(PROMPTS), max_tokens: opts.maxTokens ?? 32, ...(opts.stream ? { stream: true } : {}) },
      }),
    };
  }
  return mix;
}
