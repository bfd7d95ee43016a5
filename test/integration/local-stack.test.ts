/**
 * The local platform with the real stack services, real Redis and real Prometheus:
 * startup, replica restarts behind the proxy, faults visible to clients, clean teardown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalPlatform, type LocalPlatform } from '../../src/platforms/local/local-platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { PlatformEvent, StackEndpoints } from '../../src/platforms/platform.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';
import { GATEWAY_NODE_FLAGS } from '../../src/stack/node-flags.js';
import { alive, listening, waitFor } from '../fixtures/local/process-check.js';

const features = (n: number) => Array.from({ length: n }, () => Math.random());

async function predict(gateway: string): Promise<{ status: number; ms: number; body: Record<string, unknown>; cache: string | null }> {
  const t0 = performance.now();
  const res = await fetch(`${gateway}/api/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ features: features(10) }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, ms: performance.now() - t0, body, cache: res.headers.get('x-cache') };
}

async function infer(url: string): Promise<number> {
  const res = await fetch(`${url}/v2/models/churn/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 10], datatype: 'FP32', data: features(10) }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

function fault(kind: ResolvedFault['kind'], target: string, params: ResolvedFault['params'] = {}, durationMs = 0): ResolvedFault {
  return { id: `${kind}-${target}-${Math.random().toString(36).slice(2, 6)}`, kind, target, atMs: 0, durationMs, params };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('local platform: the real stack', () => {
  let platform: LocalPlatform;
  let endpoints: StackEndpoints;
  let stateDir: string;
  const teardown = new TeardownStack();
  const events: PlatformEvent[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'peakready-state-'));
    const services = ['tabular', 'fallback', 'triton', 'generative', 'gateway'];
    platform = createLocalPlatform({ services, stateDir });
    platform.onEvent((e) => events.push(e));
    endpoints = await platform.up({ stack: {}, timeScale: 1, runId: 'it-local-stack', teardown });
    // The acceptance figure (not asserted: speed belongs to benchmarks).
    console.log(`local stack (${services.join(', ')}) all-ready in ${Math.round(platform.upMs!)} ms`);
  });

  afterAll(async () => {
    await teardown.unwind();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts every service ready, behind its proxy, with the seed default replica counts', async () => {
    const status = await platform.status();
    const tabular = status.services.find((s) => s.name === 'tabular')!;
    expect(tabular).toMatchObject({ replicas: 2, ready: 2, restarts: 0, version: 'v1' });
    expect(status.services.filter((s) => s.name === 'redis' || s.name === 'prometheus').every((s) => s.ready === 1)).toBe(true);
    const r = await predict(endpoints.gateway);
    expect(r.status).toBe(200);
    expect(r.body.model_type).toBe('primary');
    expect(status.breakers?.tabular).toBe('closed');
  });

  it('runs the gateway with the stack\'s node flags (GC kept off helper threads), other services without', () => {
    const cmdline = (service: string) => readFileSync(`/proc/${platform.supervisor!.replicas(service)[0]!.process.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline('gateway')).toEqual(expect.arrayContaining([...GATEWAY_NODE_FLAGS]));
    expect(cmdline('gateway').indexOf(GATEWAY_NODE_FLAGS[0]!)).toBeLessThan(cmdline('gateway').findIndex((a) => a.endsWith('main.js')));
    expect(cmdline('tabular').some((a) => a.startsWith('--single-threaded'))).toBe(false);
  });

  it('Prometheus scrapes every replica with service, replica and version labels', async () => {
    const ok = await waitFor(async () => {
      const res = await fetch(`${endpoints.prometheus}/api/v1/query?query=${encodeURIComponent('up{service="tabular"}')}`);
      const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      return body.data.result.length === 2 && body.data.result.every((r) => r.value[1] === '1' && r.metric.version === 'v1' && r.metric.replica);
    }, 10_000, 250);
    expect(ok).toBe(true);
  });

  it('restarts a killed replica while the proxy routes around it', async () => {
    const before = (await platform.status()).services.find((s) => s.name === 'tabular')!.restarts;
    const statuses: number[] = [];
    let stop = false;
    const load = (async () => {
      // 0 = the connection was reset: a request in flight on the killed replica fails, as through a Service.
      while (!stop) statuses.push(await infer(endpoints.services.tabular!).catch(() => 0));
    })();
    await new Promise((r) => setTimeout(r, 200));
    await platform.inject(fault('kill-replica', 'tabular'));
    const restarted = await waitFor(() => events.some((e) => e.type === 'restart' && e.service === 'tabular'), 10_000);
    const readyAgain = await waitFor(async () => (await platform.status()).services.find((s) => s.name === 'tabular')!.ready === 2, 15_000);
    stop = true;
    await load;
    expect(restarted && readyAgain).toBe(true);
    expect((await platform.status()).services.find((s) => s.name === 'tabular')!.restarts).toBe(before + 1);
    expect(statuses.length).toBeGreaterThan(10);
    // One request at a time: at most the one in flight at the kill fails; every later one is routed around.
    expect(statuses.filter((s) => s !== 200).length).toBeLessThanOrEqual(1);
    expect(statuses.filter((s) => s !== 200 && s !== 0)).toEqual([]);
  });

  it('a latency fault shows in client latency and is gone when reverted', async () => {
    const base: number[] = [];
    for (let i = 0; i < 5; i++) base.push((await predict(endpoints.gateway)).ms);
    const revert = await platform.inject(fault('latency', 'gateway', { latency: '400ms', jitter: '20ms' }));
    expect((await platform.status()).activeFaults.map((f) => f.kind)).toContain('latency');
    const slow: number[] = [];
    for (let i = 0; i < 3; i++) slow.push((await predict(endpoints.gateway)).ms);
    await revert();
    const after: number[] = [];
    for (let i = 0; i < 5; i++) after.push((await predict(endpoints.gateway)).ms);
    expect(Math.min(...slow)).toBeGreaterThanOrEqual(375);
    expect(median(after)).toBeLessThan(median(slow) - 200); // the 400 ms are gone (noise allowed)
    expect((await platform.status()).activeFaults).toEqual([]);
    expect(events.filter((e) => e.type === 'fault' && e.kind === 'latency').map((e) => (e as { edge: string }).edge)).toEqual(['start', 'end']);
  });

  it('an errors fault on tabular sends gateway answers to the fallback model', async () => {
    const revert = await platform.inject(fault('errors', 'tabular', { status: 500 }));
    const r = await predict(endpoints.gateway);
    await revert();
    expect(r.status).toBe(200);
    expect(r.body.model_type).toBe('fallback');
  });

  it('during a Redis outage predictions still succeed and the cache reports errors', async () => {
    const revert = await platform.inject(fault('redis-outage', 'redis', {}, 60_000));
    const r = await predict(endpoints.gateway);
    await revert();
    expect(r.status).toBe(200);
    expect(r.cache).toBe('error');
  });

  it('unavailable freezes the replicas until reverted, then they are ready again', async () => {
    const revert = await platform.inject(fault('unavailable', 'fallback', {}, 60_000));
    const down = await waitFor(async () => (await platform.status()).services.find((s) => s.name === 'fallback')!.ready === 0, 5000);
    await revert();
    const up = await waitFor(async () => (await platform.status()).services.find((s) => s.name === 'fallback')!.ready === 1, 5000);
    expect(down && up).toBe(true);
  });

  it('rejects an unknown fault target naming the field, before changing anything', async () => {
    await expect(platform.inject(fault('latency', 'nope'))).rejects.toThrow(/target: expected one of/);
    expect((await platform.status()).activeFaults).toEqual([]);
  });

  it('down leaves no process, port, temp dir or run-state file behind', async () => {
    const pids = platform.supervisor!.all().map((r) => r.process.pid!);
    const state = platform.runState!.snapshot;
    const tracked = state.processes.map((p) => p.pid);
    const ports = [...platform.supervisor!.all().map((r) => r.process.port!), ...[...platform.proxies.values()].map((p) => p.port)];
    const dirs = [...state.tempDirs];
    const cpu = await platform.inject(fault('cpu-stress', 'tabular', { load: 20 }, 60_000));
    expect(cpu).toBeTypeOf('function');
    const allPids = [...new Set([...pids, ...platform.runState!.snapshot.processes.map((p) => p.pid), ...tracked])];
    expect(allPids.length).toBeGreaterThanOrEqual(pids.length + 3); // + redis, prometheus, cpu burner
    await teardown.unwind();
    expect(allPids.filter(alive)).toEqual([]);
    const open = await Promise.all(ports.map(listening));
    expect(open.filter(Boolean)).toHaveLength(0);
    expect(dirs.filter((d) => existsSync(d))).toEqual([]);
    expect(existsSync(platform.runState!.file)).toBe(false);
  });
});
