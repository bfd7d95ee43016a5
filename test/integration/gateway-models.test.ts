/**
 * The gateway's routes to the GPU-model simulators with real processes: /predict/detailed via
 * the Triton simulator ("churn-deep"), /generate via the vLLM simulator (JSON and SSE), and
 * their fallbacks (the "churn-fallback" model; the built-in distilled responder) once the
 * simulators are SIGKILLed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessGroup, features, post, type Proc } from './gateway-processes.js';

const group = new ProcessGroup();
let triton: Proc;
let generative: Proc;
let gateway: Proc;

beforeAll(async () => {
  let tabular: Proc;
  let fallback: Proc;
  [tabular, fallback, triton, generative] = await Promise.all([
    group.service('tabular', [], { readyPath: '/v2/health/ready' }),
    group.service('fallback', [], { readyPath: '/v2/health/ready' }),
    group.service('triton', [], { readyPath: '/v2/health/ready' }),
    group.service('generative', ['--warmup-ms', '0'], { readyPath: '/ready' }),
  ]);
  gateway = await group.service(
    'gateway',
    ['--tabular-url', tabular.url, '--fallback-url', fallback.url, '--triton-url', triton.url, '--generative-url', generative.url, '--max-tokens', '64'],
    { readyPath: '/ready' },
  );
});

afterAll(() => group.stopAll());

const api = (path: string) => `${gateway.url}${path}`;

/** Reads an SSE response into its `data:` payloads. */
async function sse(body: unknown): Promise<{ status: number; headers: Headers; events: string[] }> {
  const r = await fetch(api('/api/v1/generate'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  const events = text
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice('data: '.length));
  return { status: r.status, headers: r.headers, events };
}

function streamedText(events: string[]): string {
  return events
    .filter((e) => e !== '[DONE]')
    .map((e) => (JSON.parse(e) as { choices: { text: string }[] }).choices[0]!.text)
    .join('');
}

describe('gateway routes to the Triton and vLLM simulators', () => {
  it('POST /api/v1/predict/detailed answers from triton with probabilities and a 20-feature explanation', async () => {
    const r = await post(api('/api/v1/predict/detailed'), { features: features(1, 20), options: { return_probabilities: true, explanation: true } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_type: 'primary', reason: 'ok', model_version: '1' });
    expect(r.json.probabilities as number[]).toHaveLength(2);
    expect(r.json.explanation as number[]).toHaveLength(20);
    expect(r.headers.get('x-model-version')).toBe('1');
  });

  it('POST /api/v1/generate answers text and usage through the standard prompt template', async () => {
    const r = await post(api('/api/v1/generate'), { prompt: 'Is the blue jacket in stock?', max_tokens: 12 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_type: 'primary', reason: 'ok' });
    expect(typeof r.json.text).toBe('string');
    const usage = r.json.usage as { prompt_tokens: number; completion_tokens: number };
    expect(usage.completion_tokens).toBeLessThanOrEqual(12);
    // The template adds a system preamble: far more prompt tokens than the 6 words sent.
    expect(usage.prompt_tokens).toBeGreaterThan(10);
    expect(r.headers.get('x-model-version')).toBe(r.json.model_version);
  });

  it('streams the upstream SSE through unchanged, ending with [DONE]', async () => {
    const s = await sse({ prompt: 'Suggest a gift', max_tokens: 6, stream: true });
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toContain('text/event-stream');
    expect(s.headers.get('x-model-type')).toBe('primary');
    expect(s.events.at(-1)).toBe('[DONE]');
    expect(s.events.length).toBeGreaterThanOrEqual(7); // 6 tokens + a finish chunk + [DONE]
    expect(streamedText(s.events).trim().split(/\s+/).length).toBeLessThanOrEqual(6);
  });

  it('refuses max_tokens above the gateway limit before calling the model', async () => {
    const r = await post(api('/api/v1/generate'), { prompt: 'hi', max_tokens: 65 });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'max_tokens_exceeded' });
  });

  it('with triton killed, /predict/detailed answers from the fallback model without an explanation', async () => {
    await group.kill(triton);
    const r = await post(api('/api/v1/predict/detailed'), { features: features(2, 20), options: { return_probabilities: true, explanation: true } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_type: 'fallback', reason: 'upstream_error' });
    expect(r.json.probabilities as number[]).toHaveLength(2);
    expect(r.json.explanation).toBeUndefined();
  });

  it('with the generative server killed, the distilled responder answers, as JSON and as SSE', async () => {
    await group.kill(generative);
    const r = await post(api('/api/v1/generate'), { prompt: 'Where is my parcel?', max_tokens: 10 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_type: 'fallback', model_version: 'distilled-v1', reason: 'upstream_error' });
    expect((r.json.text as string).split(' ').length).toBeLessThanOrEqual(10);
    const s = await sse({ prompt: 'Where is my parcel?', max_tokens: 5, stream: true });
    expect(s.status).toBe(200);
    expect(s.headers.get('x-model-type')).toBe('fallback');
    expect(s.events.at(-1)).toBe('[DONE]');
    expect(streamedText(s.events).split(' ')).toHaveLength(5);
  });
});
