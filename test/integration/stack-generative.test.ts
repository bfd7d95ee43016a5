import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, postJson, startService, stopAll, waitFor200, type ServiceProcess } from './stack-process.js';

/** Timing tolerance the simulator promises: ±30 % of the profile's figure + 15 ms. */
const within = (measured: number, expected: number) => Math.abs(measured - expected) <= expected * 0.3 + 15;

interface StreamResult {
  status: number;
  ttftMs: number;
  gapsMs: number[];
  texts: string[];
  done: boolean;
  events: any[];
}

/** Sends a streaming request and timestamps every SSE event as it arrives. */
async function stream(url: string, body: unknown, onFirst?: () => void): Promise<StreamResult> {
  const t0 = performance.now();
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...(body as object), stream: true }) });
  const out: StreamResult = { status: r.status, ttftMs: NaN, gapsMs: [], texts: [], done: false, events: [] };
  if (r.status !== 200) {
    await r.arrayBuffer();
    return out;
  }
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let last = NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const at = performance.now();
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      expect(event.startsWith('data: ')).toBe(true);
      const data = event.slice(6);
      if (data === '[DONE]') {
        out.done = true;
        continue;
      }
      const json = JSON.parse(data);
      out.events.push(json);
      const c = json.choices[0];
      const text = c?.text ?? c?.delta?.content;
      if (!text) continue; // role-only or final chunk
      if (out.texts.length === 0) {
        out.ttftMs = at - t0;
        onFirst?.();
      } else out.gapsMs.push(at - last);
      last = at;
      out.texts.push(text);
    }
  }
  return out;
}

describe('generative simulator (vLLM, OpenAI-compatible)', () => {
  let dir: string;
  let gen: ServiceProcess;
  const profile = (name: string, patch: (p: any) => void): string => {
    const p = JSON.parse(readFileSync('src/stack/profiles/vllm-a100-llama-8b.json', 'utf8'));
    p.warmup_ms = 0;
    // Slow, round timings: scheduler jitter of a busy CI machine stays small next to them.
    p.timing = { prefill_tokens_per_s: 1000, prefill_overhead_ms: 100, decode_base_ms: 60, decode_per_seq_ms: 0 };
    patch(p);
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(p));
    return file;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peakready-vllm-'));
    gen = await startService('generative', ['--profile', profile('steady.json', () => {})]);
    await waitFor200(`${gen.url}/ready`);
  });
  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists its model and answers completions and chat with usage', async () => {
    const models = (await (await fetch(`${gen.url}/v1/models`)).json()) as any;
    expect(models.data[0]).toMatchObject({ id: 'meta-llama/Llama-3.1-8B-Instruct', object: 'model' });
    const c = await postJson(`${gen.url}/v1/completions`, { prompt: 'Gift ideas for a runner?', max_tokens: 4 });
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ object: 'text_completion', choices: [{ finish_reason: 'length' }], usage: { prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 } });
    expect(c.json.choices[0].text.trim().split(' ')).toHaveLength(4);
    const chat = await postJson(`${gen.url}/v1/chat/completions`, { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], max_tokens: 3 });
    expect(chat.status).toBe(200);
    expect(chat.json.object).toBe('chat.completion');
    expect(chat.json.choices[0].message.role).toBe('assistant');
    expect(chat.json.choices[0].message.content.length).toBeGreaterThan(0);
    // The chat template (Llama 3 headers) counts toward the prompt.
    expect(chat.json.usage.prompt_tokens).toBeGreaterThan(20);
  });

  it("streams SSE tokens with the profile's timing (TTFT and gaps within ±30 % + 15 ms)", async () => {
    const prompt = 'x'.repeat(400); // 100 tokens at 4 chars/token → prefill 100 + 100 ms
    const r = await stream(`${gen.url}/v1/completions`, { prompt, max_tokens: 8, stream_options: { include_usage: true } });
    expect(r.status).toBe(200);
    expect(r.done).toBe(true);
    expect(r.texts).toHaveLength(8);
    expect(r.events.at(-1).usage).toEqual({ prompt_tokens: 100, completion_tokens: 8, total_tokens: 108 });
    expect(r.events.at(-2).choices[0].finish_reason).toBe('length');
    expect(within(r.ttftMs, 200), `ttft ${r.ttftMs.toFixed(1)} ms vs 200 ms`).toBe(true);
    // One scheduler hiccup on a shared 2-core machine is tolerated, not two.
    const off = r.gapsMs.filter((g) => !within(g, 60));
    expect(off.length, `gaps ${r.gapsMs.map((g) => g.toFixed(1)).join(', ')} vs 60 ms`).toBeLessThanOrEqual(1);
    const chat = await stream(`${gen.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hello' }], max_tokens: 3 });
    expect(chat.events[0].choices[0].delta.role).toBe('assistant');
    expect(chat.texts).toHaveLength(3);
    expect(chat.done).toBe(true);
  });

  it('time per output token grows with the running batch', async () => {
    const s = await startService('generative', ['--profile', profile('batchy.json', (p) => (p.timing.decode_per_seq_ms = 15))]);
    const alone = await stream(`${s.url}/v1/completions`, { prompt: 'a', max_tokens: 6 });
    const together = await Promise.all(Array.from({ length: 6 }, () => stream(`${s.url}/v1/completions`, { prompt: 'a', max_tokens: 6 })));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(alone.gapsMs)).toBeLessThan(105); // 60 + 15 × 1
    expect(mean(together[0]!.gapsMs)).toBeGreaterThan(120); // 60 + 15 × 6 = 150
  });

  it('answers 429 over capacity (max_num_seqs and the waiting queue full)', async () => {
    const s = await startService('generative', ['--profile', profile('small.json', (p) => { p.scheduler = { max_num_seqs: 1, max_waiting: 1 }; })]);
    const results = await Promise.all(Array.from({ length: 4 }, () => postJson(`${s.url}/v1/completions`, { prompt: 'hi', max_tokens: 8 })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.json.error.code).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).toBe('1');
  });

  it('refuses bad requests with 4xx and the error shape', async () => {
    const cases: Array<[string, string, unknown, number]> = [
      ['max_tokens over the limit', '/v1/completions', { prompt: 'a', max_tokens: 5000 }, 400],
      ['max_tokens zero', '/v1/completions', { prompt: 'a', max_tokens: 0 }, 400],
      ['max_tokens a string', '/v1/completions', { prompt: 'a', max_tokens: '10' }, 400],
      ['context over max_model_len', '/v1/completions', { prompt: 'w'.repeat(8000 * 4), max_tokens: 400 }, 400],
      ['missing prompt', '/v1/completions', { max_tokens: 3 }, 400],
      ['temperature out of range', '/v1/completions', { prompt: 'a', temperature: 'hot' }, 400],
      ['bad role', '/v1/chat/completions', { messages: [{ role: 'robot', content: 'x' }] }, 400],
      ['no messages', '/v1/chat/completions', { messages: [] }, 400],
      ['unknown model', '/v1/completions', { model: 'gpt-9', prompt: 'a' }, 404],
      ['malformed JSON', '/v1/completions', '{"prompt":', 400],
      ['body over 1 MiB', '/v1/completions', JSON.stringify({ prompt: 'z'.repeat(1_100_000) }), 413],
    ];
    for (const [name, path, body, status] of cases) {
      const r = await postJson(gen.url + path, body);
      expect(r.status, name).toBe(status);
      expect(typeof r.json.error?.message, name).toBe('string');
    }
    expect((await fetch(`${gen.url}/health`)).status).toBe(200);
  });

  it("exposes vLLM's metric names with model_name", async () => {
    const text = await (await fetch(`${gen.url}/metrics`)).text();
    for (const name of ['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:gpu_cache_usage_perc', 'vllm:time_to_first_token_seconds_bucket', 'vllm:time_per_output_token_seconds_bucket', 'vllm:e2e_request_latency_seconds_bucket', 'vllm:prompt_tokens_total', 'vllm:generation_tokens_total']) {
      expect(text, name).toContain(`${name}{`);
    }
    expect(metricValue(text, 'vllm:generation_tokens_total', 'model_name="meta-llama/Llama-3.1-8B-Instruct"')).toBeGreaterThan(10);
  });

  it('reports not-ready during warm-up, then ready', async () => {
    const started = Date.now();
    const s = await startService('generative', ['--profile', profile('warm.json', () => {}), '--warmup-ms', '1500']);
    const early = await fetch(`${s.url}/ready`);
    expect(early.status).toBe(503);
    expect(((await early.json()) as any).reason).toMatch(/warming up/);
    expect((await postJson(`${s.url}/v1/completions`, { prompt: 'a', max_tokens: 1 })).status).toBe(503);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    await waitFor200(`${s.url}/ready`, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect((await postJson(`${s.url}/v1/completions`, { prompt: 'a', max_tokens: 1 })).status).toBe(200);
  });

  it('drains an in-flight stream on SIGTERM, then exits 0', async () => {
    const s = await startService('generative', ['--profile', profile('drain.json', () => {})]);
    let signalledAt = 0;
    const r = await stream(`${s.url}/v1/completions`, { prompt: 'long answer please', max_tokens: 15 }, () => {
      signalledAt = Date.now();
      s.child.kill('SIGTERM');
    });
    expect(r.texts).toHaveLength(15);
    expect(r.done).toBe(true);
    const { code } = await s.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(s.lines.some((l) => l.includes('"draining"'))).toBe(true);
  });
});
