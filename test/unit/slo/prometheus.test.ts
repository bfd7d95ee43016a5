/**
 * PromQL SLOs against a real Prometheus (Debian's binary) scraping a real prom-client
 * /metrics server every second, all on loopback ephemeral ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationContext } from '../../../src/slo/context.js';
import { evaluateSlos } from '../../../src/slo/evaluate.js';
import { parseSlo } from '../../../src/slo/parse.js';
import { HdrLoadWindows } from './fixtures/hdr-windows.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function promValue(url: string, query: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    const v = body.data?.result?.[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

let dir: string;
let prom: ChildProcess | undefined;
let metrics: Server | undefined;
let promUrl: string;
const registry = new Registry();
const breaker = new Gauge({ name: 'gateway_circuit_breaker_state', help: '0 closed, 1 half-open, 2 open', labelNames: ['upstream'], registers: [registry] });
const accuracy = new Gauge({ name: 'model_accuracy', help: 'accuracy', labelNames: ['model', 'version'], registers: [registry] });
let trafficStart = 0;
let faultStartMs = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peakready-slo-prom-'));
  breaker.set({ upstream: 'tabular' }, 0);
  accuracy.set({ model: 'tabular', version: 'v1' }, 0.93);
  accuracy.set({ model: 'tabular', version: 'v2-bad' }, 0.71);
  metrics = createServer((req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  });
  await new Promise<void>((r) => metrics!.listen(0, '127.0.0.1', r));
  const metricsPort = (metrics.address() as AddressInfo).port;
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: gateway\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`,
  );
  prom = spawn(
    '/usr/bin/prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  prom.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await until('the first scrape', () => promValue(promUrl, 'up{job="gateway"} == 1')).catch((e: Error) => {
    throw new Error(`${e.message}; prometheus said: ${stderr.slice(-2000)}`);
  });
  // Traffic "starts" now; the breaker opens 2 s later and Prometheus must see it.
  trafficStart = Date.now();
  await sleep(2000);
  faultStartMs = Date.now() - trafficStart;
  breaker.set({ upstream: 'tabular' }, 2);
  await until('the open breaker in Prometheus', () => promValue(promUrl, 'max(gateway_circuit_breaker_state) == 2'));
  await sleep(1200);
}, 60_000);

afterAll(async () => {
  if (prom && prom.exitCode === null) {
    const exited = new Promise((r) => prom!.once('exit', r));
    prom.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => prom!.kill('SIGKILL'))]);
  }
  await new Promise<void>((r) => (metrics ? metrics.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

function context(url = promUrl): EvaluationContext {
  const now = Date.now() - trafficStart;
  return {
    client: new HdrLoadWindows(['predict'], now),
    timeline: {
      phases: [{ name: 'before-fault', startMs: 0, endMs: faultStartMs - 1000 }],
      faults: [{ id: 'kill-tabular', kind: 'kill-replica', target: 'tabular', startMs: faultStartMs, endMs: faultStartMs, params: {} }],
      events: [],
    },
    platformEvents: [],
    trafficStartEpochMs: trafficStart,
    prometheus: { url, timeoutMs: 3000 },
  };
}

describe('PromQL SLOs against a real Prometheus', () => {
  it('times when the breaker opened after the fault started', async () => {
    const [r] = await evaluateSlos([parseSlo('breaker_state(tabular) == open within 10s after fault:kill-tabular start')], context());
    expect(r).toMatchObject({ status: 'pass', source: 'prometheus' });
    const secs = Number(/^after (\d+\.\d)s$/.exec(r!.observed)?.[1]);
    expect(secs).toBeGreaterThan(0);
    expect(secs).toBeLessThanOrEqual(4);
  });

  it('checks gauges over windows: the worst sample counts', async () => {
    const results = await evaluateSlos(
      [
        parseSlo('breaker_state(tabular) != open in phase:before-fault'),
        parseSlo('breaker_state(tabular) != open'),
        parseSlo('accuracy(v1) > 0.9'),
        parseSlo('accuracy(v2-bad) > 0.9'),
        parseSlo('replicas(gateway) >= 1'),
      ],
      context(),
    );
    expect(results.map((r) => [r.status, r.observed])).toEqual([
      ['pass', 'closed'],
      ['fail', 'open'],
      ['pass', '0.93'],
      ['fail', '0.71'],
      ['pass', '1'],
    ]);
    expect(results.every((r) => r.source === 'prometheus')).toBe(true);
  });

  it('reports no-data for a query without series and for an unreachable Prometheus', async () => {
    const [empty] = await evaluateSlos([parseSlo('promql("max(no_such_metric_peakready)") < 1')], context());
    expect(empty).toMatchObject({ status: 'no-data', detail: 'PromQL max(no_such_metric_peakready) returned no samples' });
    const [down] = await evaluateSlos([parseSlo('accuracy > 0.9')], context(`http://127.0.0.1:${await freePort()}`));
    expect(down!.status).toBe('no-data');
    expect(down!.detail).toMatch(/^could not be measured: Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer/);
  });
});
