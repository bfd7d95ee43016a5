/**
 * Canary rollouts on the local platform with the real tabular model and Prometheus:
 * v2-bad fails the seed's model-accuracy-check, the rollout aborts, and no traffic reaches
 * v2-bad afterwards; a good version goes through every step and is promoted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalPlatform, type LocalPlatform } from '../../src/platforms/local/local-platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { PlatformEvent, StackEndpoints } from '../../src/platforms/platform.js';
import { waitFor } from '../fixtures/local/process-check.js';

async function predictVersion(gateway: string): Promise<string> {
  const res = await fetch(`${gateway}/api/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ features: Array.from({ length: 10 }, Math.random) }),
  });
  const body = (await res.json()) as { model_version?: string };
  return body.model_version ?? `HTTP ${res.status}`;
}

describe('local platform: canary rollouts with analysis', () => {
  let platform: LocalPlatform;
  let endpoints: StackEndpoints;
  let stateDir: string;
  const teardown = new TeardownStack();
  const events: PlatformEvent[] = [];
  let stopLoad = false;
  let load: Promise<void>;
  const seen: string[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'peakready-state-'));
    platform = createLocalPlatform({ services: ['tabular', 'fallback', 'gateway'], stateDir });
    platform.onEvent((e) => events.push(e));
    endpoints = await platform.up({
      // Steps of the seed (20/40/60/80), pause 10 m and analysis interval 5 m × 0.005 = 3 s / 1.5 s.
      // An HPA held at 2: a promotion's surge (2 new next to 2 old) is the rollout's, not excess replicas to scale in.
      stack: { gateway: { cache: false }, autoscaling: { tabular: { min: 2, max: 2 } } },
      timeScale: 0.005,
      runId: 'it-local-rollout',
      teardown,
    });
    // Steady client traffic (model_latency_ms needs some), recording which version answered.
    load = (async () => {
      while (!stopLoad) {
        seen.push(await predictVersion(endpoints.gateway).catch(() => 'error'));
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
  });

  afterAll(async () => {
    stopLoad = true;
    await load;
    await teardown.unwind();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('v2-bad fails analysis, the rollout aborts, and no traffic reaches v2-bad afterwards', async () => {
    const proxy = platform.proxies.get('tabular')!;
    await platform.deployVersion('tabular', 'v2-bad');
    const degraded = await waitFor(() => events.some((e) => e.type === 'rollout' && e.phase === 'Degraded'), 30_000, 50);
    expect(degraded).toBe(true);
    const rollout = events.filter((e): e is Extract<PlatformEvent, { type: 'rollout' }> => e.type === 'rollout');
    expect(rollout.map((e) => e.phase)).toEqual(expect.arrayContaining(['Progressing', 'Paused', 'Degraded']));
    expect(rollout.at(-1)).toMatchObject({ phase: 'Degraded', weight: 0, version: 'v2-bad' });
    expect(rollout.some((e) => e.phase === 'Healthy')).toBe(false);
    const failed = events.filter((e) => e.type === 'analysis' && e.metric === 'model-accuracy' && e.result === 'Failed');
    // failureLimit 3: the fourth failure ends it (fewer only if a slow scrape made it error out).
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThanOrEqual(4);
    expect(rollout.at(-1)!.message).toMatch(/analysis (Failed|Error): rollout aborted/);

    // The canary did get its share while the rollout progressed ...
    expect(proxy.stats().byVersion['v2-bad'] ?? 0).toBeGreaterThan(0);
    expect(seen).toContain('v2-bad');
    // ... and nothing after the abort. The client sends one request at a time: a request the
    // proxy sent to v2-bad before the weight went to 0 may still be answered just after the
    // abort (it is counted when answered), so the count is taken two answers later.
    await platform.rollout('tabular').done;
    expect(platform.supervisor!.replicas('tabular').map((r) => r.version)).toEqual(['v1', 'v1']);
    const settled = seen.length;
    await waitFor(() => seen.length >= settled + 2, 15_000);
    const reachedBad = proxy.stats().byVersion['v2-bad'] ?? 0;
    const mark = seen.length;
    await waitFor(() => seen.length >= mark + 30, 15_000);
    expect(seen.slice(mark).filter((v) => v === 'v2-bad')).toEqual([]);
    expect(proxy.stats().byVersion['v2-bad'] ?? 0).toBe(reachedBad);
    expect(proxy.weight).toBe(0);
  });

  it('a good version passes every step and is promoted to stable; the autoscaler leaves the surge alone', async () => {
    const from = events.length;
    const before = platform.supervisor!.replicas('tabular', 'stable').map((r) => r.id);
    await platform.deployVersion('tabular', 'v1');
    expect(await platform.rollout('tabular').done).toBe('Healthy');
    // The two surged replicas replaced the old two; none was scaled in while starting.
    const after = platform.supervisor!.replicas('tabular', 'stable').map((r) => r.id);
    expect(after).toHaveLength(2);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(events.slice(from).filter((e) => e.type === 'replicas' || e.type === 'replica-failed')).toEqual([]);
    const rollout = events.slice(from).filter((e): e is Extract<PlatformEvent, { type: 'rollout' }> => e.type === 'rollout');
    expect(rollout.filter((e) => e.phase === 'Paused').map((e) => e.weight)).toEqual([20, 40, 60, 80]);
    expect(rollout.at(-1)).toMatchObject({ phase: 'Healthy', weight: 100, version: 'v1' });
    expect(events.slice(from).some((e) => e.type === 'analysis' && e.result === 'Failed')).toBe(false);
    const tabular = (await platform.status()).services.find((s) => s.name === 'tabular')!;
    expect(tabular).toMatchObject({ replicas: 2, ready: 2, version: 'v1' });
  });
});
