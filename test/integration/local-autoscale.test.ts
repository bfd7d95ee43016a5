/**
 * The local HPA with real traffic: the tabular service (real model, real Prometheus scraping
 * its inference_requests_per_second) scales out under load and back in after it stops, no
 * sooner than the scale-down stabilization window allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalPlatform, type LocalPlatform } from '../../src/platforms/local/local-platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { PlatformEvent, StackEndpoints } from '../../src/platforms/platform.js';
import { waitFor } from '../fixtures/local/process-check.js';

type ReplicasEvent = Extract<PlatformEvent, { type: 'replicas' }>;

describe('local platform: autoscaling on real traffic', () => {
  let platform: LocalPlatform;
  let endpoints: StackEndpoints;
  let stateDir: string;
  const teardown = new TeardownStack();
  const events: ReplicasEvent[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'peakready-state-'));
    platform = createLocalPlatform({ services: ['tabular'], stateDir, autoscalerSyncMs: 500 });
    platform.onEvent((e) => e.type === 'replicas' && events.push(e));
    endpoints = await platform.up({
      // Target 4 req/s per replica so a light load on a shared 2-core machine is "a lot".
      stack: { replicas: { tabular: 1 }, autoscaling: { tabular: { min: 1, max: 3, targetRps: 4, targetCpu: 1000 } } },
      timeScale: 0.01, // scale-down stabilization 300 s → 3 s
      runId: 'it-local-autoscale',
      teardown,
    });
  });

  afterAll(async () => {
    await teardown.unwind();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('scales out under load and back in after the stabilization window', async () => {
    const url = `${endpoints.services.tabular}/v2/models/churn/infer`;
    let stop = false;
    let sent = 0;
    // ~25 req/s, open loop.
    const timer = setInterval(() => {
      if (stop) return;
      sent++;
      void fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 10], datatype: 'FP32', data: Array.from({ length: 10 }, Math.random) }] }),
      }).then((r) => r.arrayBuffer(), () => undefined);
    }, 40);
    const scaledOut = await waitFor(() => events.some((e) => e.to > e.from), 25_000, 100);
    stop = true;
    clearInterval(timer);
    const loadStoppedAt = Date.now();
    expect(scaledOut).toBe(true);
    expect(sent).toBeGreaterThan(50);
    // replicas() counts ready replicas: the new one serves once its readiness probe passes.
    expect(await waitFor(async () => (await platform.replicas('tabular')) > 1, 10_000)).toBe(true);

    const scaledIn = await waitFor(() => events.some((e) => e.to < e.from), 45_000, 100);
    expect(scaledIn).toBe(true);
    const scaleIn = events.find((e) => e.to < e.from)!;
    expect(scaleIn.t).toBeGreaterThan(loadStoppedAt);
    // Stabilization: the last recommendation at or above the old count lies a full window back.
    const scaler = platform.autoscalers.get('tabular')!;
    const lastHigh = scaler.recommendations.filter((r) => r.t < scaleIn.t && r.replicas >= scaleIn.from).at(-1);
    expect(lastHigh).toBeDefined();
    expect(scaleIn.t - lastHigh!.t).toBeGreaterThanOrEqual(scaler.scaleDownWindowMs - 600);
    expect(await waitFor(async () => (await platform.replicas('tabular')) === scaleIn.to, 10_000)).toBe(true);
    expect(events.every((e) => e.reason.includes('inference_requests_per_second'))).toBe(true);
  });
});
