/** Which mix entries reach a service, and how gateway requests are rewritten for it. */
import { describe, expect, it } from 'vitest';
import { serviceMix, toServiceRequest } from '../../../src/capacity/service-traffic.js';
import { seedMix } from '../../../src/scenario/seed-mix.js';
import type { MixEntry, RequestContext } from '../../../src/scenario/types.js';

const ctx: RequestContext = {
  rng: { next: () => 0.5, int: (a) => a, normal: () => 0, pick: (x) => x[0]! },
  iteration: 0,
  elapsedMs: 0,
  drift: 0,
  features: (n) => Array.from({ length: n }, (_, i) => i / 100),
};
const mix = seedMix({ generateWeight: 5 });

describe('serviceMix', () => {
  it('keeps only the entries whose gateway route uses the service', () => {
    expect(serviceMix('triton', mix, 'direct')).toMatchObject({ endpoints: ['detailed'], skipped: ['predict', 'batch', 'generate'] });
    expect(serviceMix('tabular', mix, 'direct').endpoints).toEqual(['predict', 'batch']);
    expect(serviceMix('generative', mix, 'direct').endpoints).toEqual(['generate']);
    expect(serviceMix('fallback', mix, 'direct').endpoints).toEqual(['predict', 'detailed', 'batch']);
    expect(serviceMix('gateway', mix, 'gateway').endpoints).toEqual(['predict', 'detailed', 'batch', 'generate']);
  });

  it('rewrites direct traffic into the service protocol, and leaves gateway traffic as the gateway takes it', () => {
    const direct = serviceMix('triton', mix, 'direct').mix.detailed!.request(ctx);
    expect(direct).toMatchObject({ method: 'POST', path: '/v2/models/churn-deep/infer' });
    const input = (direct.body as { inputs: { shape: number[]; data: number[]; datatype: string }[] }).inputs[0]!;
    expect([input.shape, input.data.length, input.datatype]).toEqual([[1, 20], 20, 'FP32']);
    expect(serviceMix('triton', mix, 'gateway').mix.detailed!.request(ctx).path).toBe('/api/v1/predict/detailed');
  });

  it('keeps entries written against the service itself when driving it directly, and drops them through the gateway', () => {
    const native: Record<string, MixEntry> = { raw: { weight: 1, request: () => ({ method: 'POST', path: '/v2/models/churn-deep/infer', body: {} }) } };
    expect(serviceMix('triton', native, 'direct').endpoints).toEqual(['raw']);
    expect(serviceMix('triton', native, 'gateway').endpoints).toEqual([]);
  });
});

describe('toServiceRequest', () => {
  it('turns a batch into one [N,10] infer for tabular and the first 10 features into churn-fallback', () => {
    const batch = toServiceRequest('tabular', { method: 'POST', path: '/api/v1/predict/batch', body: { instances: [{ features: ctx.features(10) }, { features: ctx.features(10) }] } });
    expect(batch.path).toBe('/v2/models/churn/infer');
    expect((batch.body as { inputs: { shape: number[] }[] }).inputs[0]!.shape).toEqual([2, 10]);
    const fb = toServiceRequest('fallback', { method: 'POST', path: '/api/v1/predict/detailed', body: { features: ctx.features(20) } });
    expect(fb.path).toBe('/v2/models/churn-fallback/infer');
    expect((fb.body as { inputs: { data: number[] }[] }).inputs[0]!.data).toHaveLength(10);
  });

  it('sends generate to /v1/completions with the prompt and max_tokens', () => {
    expect(toServiceRequest('generative', { method: 'POST', path: '/api/v1/generate', body: { prompt: 'hi', max_tokens: 8 } })).toEqual({
      method: 'POST',
      path: '/v1/completions',
      body: { prompt: 'hi', max_tokens: 8 },
    });
  });

  it('passes a body of an unexpected shape through unchanged (the service then answers 4xx)', () => {
    const odd = { method: 'POST' as const, path: '/api/v1/predict/detailed', body: { rows: 'x' } };
    expect(toServiceRequest('triton', odd)).toBe(odd);
  });
});
