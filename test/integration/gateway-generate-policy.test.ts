/**
 * The generate route's own fallback policy, with the real gateway and the real vLLM simulator:
 * a healthy server whose completions take far longer than the seed's 500 ms keeps serving
 * (the seed's policy diverted 92 % of generate answers at 60 req/s), while a server that
 * answers 429s or is slow to its first token is diverted to the distilled responder.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessGroup, post, type Proc } from './gateway-processes.js';

const group = new ProcessGroup();
const dir = mkdtempSync(join(tmpdir(), 'gw-generate-'));
afterAll(async () => {
  await group.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const PROMPTS = ['Is the winter jacket in stock in size M?', 'Summarise the return policy for holiday orders.', 'Suggest a gift under 50 euros for a runner.'];

/** A copy of the shipped vLLM profile with `edit` applied. */
function profile(name: string, edit: (p: any) => void): string {
  const p = JSON.parse(readFileSync('src/stack/profiles/vllm-a100-llama-8b.json', 'utf8'));
  p.warmup_ms = 0;
  edit(p);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(p));
  return file;
}

async function stack(profileFile: string, gatewayOptions?: unknown): Promise<{ gen: Proc; gw: Proc }> {
  const gen = await group.service('generative', ['--profile', profileFile, '--warmup-ms', '0'], { readyPath: '/ready' });
  const args = ['--generative-url', gen.url];
  if (gatewayOptions !== undefined) {
    const cfg = join(dir, `gw-${gen.port}.json`);
    writeFileSync(cfg, JSON.stringify(gatewayOptions));
    args.push('--config', cfg);
  }
  const gw = await group.service('gateway', args, { readyPath: '/health' });
  return { gen, gw };
}

interface Tally {
  total: number;
  fallback: number;
  reasons: Record<string, number>;
  /** Durations of the answers the upstream served, ms. */
  primaryMs: number[];
  /** Fallback answers by second of the run (intended send time). */
  fallbackBySecond: number[];
}

/** Open-model load: `rps` non-streaming generate requests per second for `seconds`. */
async function drive(gw: Proc, rps: number, seconds: number, maxTokens = 32): Promise<Tally> {
  const t: Tally = { total: 0, fallback: 0, reasons: {}, primaryMs: [], fallbackBySecond: [] };
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < rps * seconds; i++) {
    const due = t0 + (i * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      post(`${gw.url}/api/v1/generate`, { prompt: PROMPTS[i % PROMPTS.length], max_tokens: maxTokens }).then((r) => {
        t.total++;
        expect(r.status).toBe(200);
        const reason = String(r.json.reason);
        t.reasons[reason] = (t.reasons[reason] ?? 0) + 1;
        if (r.headers.get('x-model-type') === 'fallback') {
          t.fallback++;
          const s = Math.floor((due - t0) / 1000);
          t.fallbackBySecond[s] = (t.fallbackBySecond[s] ?? 0) + 1;
        } else t.primaryMs.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(inflight);
  return t;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('generate fallback policy (time to first token and the upstream failure rate)', () => {
  it('keeps serving a healthy vLLM whose completions average well over 500 ms', async () => {
    const { gw } = await stack(profile('healthy.json', () => {}));
    const t = await drive(gw, 30, 8);
    // The seed's policy trips on an average over 500 ms: these completions are far slower...
    expect(mean(t.primaryMs)).toBeGreaterThan(500);
    // ...yet the server is healthy (first tokens in well under a second), so nothing is diverted.
    expect(t.fallback / t.total).toBeLessThan(0.02);
    const status = (await (await fetch(`${gw.url}/model/status`)).json()) as { upstreams: Record<string, any> };
    expect(status.upstreams.generative).toMatchObject({ latency_signal: 'ttft', using_fallback: false });
    expect(status.upstreams.generative.avg_latency).toBeLessThan(1);
    // The predict routes keep the seed's policy.
    expect(status.upstreams.tabular.latency_signal).toBe('completion');
  }, 60_000);

  it('diverts to the distilled responder when the upstream answers 429s', async () => {
    // One running slot, one waiting: most of 20 req/s of 8-token answers get 429.
    const file = profile('tiny.json', (p) => (p.scheduler = { max_num_seqs: 1, max_waiting: 1 }));
    // A breaker that never opens here, so what diverts is the policy alone.
    const { gw } = await stack(file, { upstreams: { generative: { breaker: { kind: 'consecutive', failures: 100_000 } } } });
    const t = await drive(gw, 20, 4, 8);
    expect(t.reasons.policy ?? 0).toBeGreaterThan(t.total * 0.3);
    // Diverting starts once the window holds its 20 samples, and then holds.
    expect(t.fallbackBySecond[3] ?? 0).toBeGreaterThanOrEqual(15);
    const status = (await (await fetch(`${gw.url}/model/status`)).json()) as { upstreams: Record<string, any> };
    expect(status.upstreams.generative.error_rate).toBeGreaterThan(0.05);
  }, 60_000);

  it('diverts when the first token is slow, but not when only decoding is slow', async () => {
    const slowDecode = await stack(profile('slow-decode.json', (p) => (p.timing.decode_base_ms = 60)));
    const fine = await drive(slowDecode.gw, 10, 5, 24);
    expect(mean(fine.primaryMs)).toBeGreaterThan(1400); // 24 tokens × ≥ 60 ms
    expect(fine.fallback).toBe(0);

    const slowFirst = await stack(profile('slow-ttft.json', (p) => (p.timing.prefill_overhead_ms = 1500)));
    // One-token answers: each completes at its first token, so the window fills within ~3 s.
    const t = await drive(slowFirst.gw, 10, 8, 1);
    expect(t.reasons.policy ?? 0).toBeGreaterThan(t.total * 0.3);
    const status = (await (await fetch(`${slowFirst.gw.url}/model/status`)).json()) as { upstreams: Record<string, any> };
    expect(status.upstreams.generative.avg_latency).toBeGreaterThan(1);
    expect(status.upstreams.generative.using_fallback).toBe(true);
  }, 60_000);
});
