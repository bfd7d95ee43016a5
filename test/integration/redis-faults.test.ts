/**
 * Network faults on `redis`, locally, through the gateway→Redis TCP proxy, measured the way a
 * user sees them: through the real gateway with real Redis. A slow Redis slows cache-miss
 * answers; a Redis slower than the gateway's command timeout (50 ms) costs that timeout and
 * shows as cache errors; a partition is survived and healed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalPlatform, type LocalPlatform } from '../../src/platforms/local/local-platform.js';
import type { StackEndpoints } from '../../src/platforms/platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';

async function predict(gateway: string): Promise<{ status: number; ms: number; cache: string | null }> {
  const t0 = performance.now();
  const res = await fetch(`${gateway}/api/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Random features: every request is a cache miss (GET, model, SET).
    body: JSON.stringify({ features: Array.from({ length: 10 }, () => Math.random()) }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0, cache: res.headers.get('x-cache') };
}

async function sample(gateway: string, n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await predict(gateway));
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let n = 0;
const fault = (kind: ResolvedFault['kind'], params: ResolvedFault['params'] = {}): ResolvedFault => ({ id: `${kind}-redis-${n++}`, kind, target: 'redis', atMs: 0, durationMs: 60_000, params });

describe('redis faults on the local platform, through the gateway', () => {
  let platform: LocalPlatform;
  let endpoints: StackEndpoints;
  let stateDir: string;
  const teardown = new TeardownStack();

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'peakready-state-'));
    platform = createLocalPlatform({ services: ['tabular', 'fallback', 'gateway'], stateDir });
    endpoints = await platform.up({ stack: {}, timeScale: 1, runId: 'it-redis-faults', teardown });
    await sample(endpoints.gateway, 20); // warm up connections and JIT
  }, 60_000);

  afterAll(async () => {
    await teardown.unwind();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('latency 15 ms on redis slows every cache-miss answer by about 15 ms, and is gone when reverted', async () => {
    const before = await sample(endpoints.gateway, 15);
    // Well inside the gateway's 50 ms cache command timeout, even with a busy machine's jitter.
    const revert = await platform.inject(fault('latency', { latency: '15ms' }));
    expect((await platform.status()).activeFaults.map((f) => f.kind)).toEqual(['latency']);
    const during = await sample(endpoints.gateway, 15);
    await revert();
    const after = await sample(endpoints.gateway, 15);
    expect(during.every((r) => r.status === 200 && r.cache === 'miss')).toBe(true);
    // Compared on the fastest answer of each phase: a busy machine only ever adds to a request's
    // time, so the minimum is where the added 15 ms shows without the other tests' noise.
    const fastest = (rs: { ms: number }[]) => Math.min(...rs.map((r) => r.ms));
    expect(fastest(during)).toBeGreaterThanOrEqual(14);
    expect(fastest(during) - fastest(before)).toBeGreaterThanOrEqual(12);
    expect(fastest(after)).toBeLessThan(fastest(during) - 10);
    expect((await platform.status()).activeFaults).toEqual([]);
  });

  it('latency beyond the gateway\'s 50 ms command timeout: answers still 200, cut at the timeout, counted as cache errors', async () => {
    const revert = await platform.inject(fault('latency', { latency: '400ms' }));
    const during = await sample(endpoints.gateway, 8);
    await revert();
    expect(during.every((r) => r.status === 200)).toBe(true);
    expect(during.filter((r) => r.cache === 'error').length).toBeGreaterThanOrEqual(6);
    expect(median(during.map((r) => r.ms))).toBeLessThan(300); // not the 400 ms: the timeout bounds it
    expect(median(during.map((r) => r.ms))).toBeGreaterThanOrEqual(45);
  });

  it('a partition of redis: predictions keep answering (cache errors); after it heals the cache serves again', async () => {
    const revert = await platform.inject(fault('partition'));
    const during = await sample(endpoints.gateway, 5);
    await revert();
    expect(during.every((r) => r.status === 200 && r.cache === 'error')).toBe(true);
    let healed = false;
    for (let i = 0; i < 40 && !healed; i++) {
      healed = (await predict(endpoints.gateway)).cache === 'miss';
      if (!healed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healed).toBe(true);
  });

  it('the platform schedules nothing: a 300 ms fault stays until its owner reverts it, with no undo of the platform\'s own on the teardown stack', async () => {
    const labels = teardown.labels();
    const f = { ...fault('latency', { latency: '30ms' }), durationMs: 300 };
    const revert = await platform.inject(f);
    expect(teardown.labels()).toEqual(labels);
    await new Promise((r) => setTimeout(r, 600));
    expect((await platform.status()).activeFaults.map((a) => a.id)).toEqual([f.id]);
    expect((await predict(endpoints.gateway)).ms).toBeGreaterThanOrEqual(28);
    await revert();
    expect((await platform.status()).activeFaults).toEqual([]);
  });

  it('errors on redis is refused before anything changes (Redis speaks RESP, not HTTP)', async () => {
    await expect(platform.inject(fault('errors'))).rejects.toThrow(/target: expected one of/);
    expect((await platform.status()).activeFaults).toEqual([]);
  });
});
