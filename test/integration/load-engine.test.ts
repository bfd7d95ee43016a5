import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { runLoad } from '../../src/load/run-load.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import type { LiveSecond } from '../../src/load/live.js';
import type { Scenario } from '../../src/scenario/types.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: (Server | NetServer)[] = [];

/** A real HTTP server on 127.0.0.1 whose behaviour each test sets. */
async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, res, body));
  });
  server.keepAliveTimeout = 30_000;
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => { if ('closeAllConnections' in s) s.closeAllConnections(); s.close(() => r()); })));
});

function arrival(rate: number, duration: string, extra: Partial<Scenario> & { maxInFlight?: number; timeout?: string } = {}): Scenario {
  return {
    name: 't',
    traffic: { executor: 'arrival-rate', stages: [{ name: 'steady', duration, rate }], ...(extra.maxInFlight ? { maxInFlight: extra.maxInFlight, preAllocated: Math.min(50, extra.maxInFlight) } : {}), ...(extra.timeout ? { timeout: extra.timeout } : {}) },
    mix: extra.mix ?? { root: { weight: 1, request: () => ({ path: '/' }) } },
    ...(extra.drift ? { drift: extra.drift } : {}),
  };
}

describe('runLoad against a real HTTP server', () => {
  it('sends the steady rate every second (within 1%) and the server receives every request', async () => {
    let received = 0;
    const url = await serve((_req, res) => {
      received++;
      res.end('ok');
    });
    const result = await runLoad(resolveScenario(arrival(400, '4s')), { target: url, seed: 1 });
    const perSecond = result.timeline().filter((s) => s.endpoint === '*');
    expect(perSecond.length).toBe(4);
    for (const s of perSecond) expect(Math.abs(s.requests - 400)).toBeLessThanOrEqual(4);
    expect(result.totals()).toMatchObject({ requests: 1600, errors: 0, dropped: 0, targetRps: 400 });
    expect(received).toBe(1600);
    expect(result.schedulingLag()?.count).toBe(1600);
  });

  it('shows a 1 s server stall in the latencies of requests scheduled during it (no coordinated omission)', async () => {
    let first: number | undefined;
    const url = await serve((_req, res) => {
      const now = performance.now();
      first ??= now;
      const since = now - first;
      // The server stalls between 1 s and 2 s after the first request: answers wait for the stall to end.
      if (since >= 1000 && since < 2000) setTimeout(() => res.end('late'), 2000 - since);
      else res.end('ok');
    });
    const result = await runLoad(resolveScenario(arrival(100, '3s')), { target: url, seed: 1 });
    const before = result.window(0, 1000)!;
    const during = result.window(1000, 2000)!;
    // Every scheduled request was sent during the stall: 100, not the handful a closed-model tool would send.
    expect(during.requests).toBe(100);
    expect(during.dropped).toBe(0);
    // A request scheduled x ms into the stall waits about 1000 - x ms: median about 500 ms, the worst about 1 s.
    expect(during.latency.p50).toBeGreaterThan(300);
    expect(during.latency.p50).toBeLessThan(800);
    expect(during.latency.max).toBeGreaterThan(850);
    expect(during.latency.p50).toBeGreaterThan(before.latency.p50 + 250);
  });

  it('counts an arrival that finds every in-flight slot busy as dropped, never delays it', async () => {
    const url = await serve((_req, res) => setTimeout(() => res.end('slow'), 1200));
    const result = await runLoad(resolveScenario(arrival(100, '1s', { maxInFlight: 5 })), { target: url, seed: 1 });
    const t = result.totals();
    expect(t.requests).toBe(5);
    expect(t.dropped).toBe(95);
    expect(result.window(0, 1000)!.latency.min).toBeGreaterThan(1100);
  });

  it('records status codes, error kinds and the x-model-type, x-model-version and x-cache headers per endpoint', async () => {
    let n = 0;
    const url = await serve((req, res) => {
      n++;
      if (req.url === '/fail') {
        res.statusCode = n % 2 === 0 ? 503 : 404;
        return res.end('no');
      }
      res.setHeader('X-Model-Type', n % 4 === 0 ? 'fallback' : 'primary');
      res.setHeader('X-Model-Version', 'v1');
      res.setHeader('X-Cache', n % 2 === 0 ? 'HIT' : 'MISS');
      res.end('{}');
    });
    const s = arrival(200, '1s', {
      mix: { predict: { weight: 3, request: () => ({ path: '/ok' }) }, broken: { weight: 1, request: () => ({ path: '/fail' }) } },
    });
    const result = await runLoad(resolveScenario(s), { target: url, seed: 3 });
    const [predict, broken] = result.endpointResults();
    expect(predict!.requests + broken!.requests).toBe(200);
    expect(predict!.errors).toBe(0);
    expect(predict!.modelVersion).toEqual({ v1: predict!.requests });
    expect((predict!.modelType.primary ?? 0) + (predict!.modelType.fallback ?? 0)).toBe(predict!.requests);
    expect((predict!.cache.hit ?? 0) + (predict!.cache.miss ?? 0)).toBe(predict!.requests);
    expect(predict!.modelType.fallback).toBeGreaterThan(0);
    expect(broken!.errors).toBe(broken!.requests);
    expect((broken!.errorKinds.http_5xx ?? 0) + (broken!.errorKinds.http_4xx ?? 0)).toBe(broken!.requests);
    expect(Object.keys(broken!.status).sort()).toEqual(['404', '503']);
  });

  it("classifies answers by a stack's own classifier: a JSON field of the body and its own header names", async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n++;
      // Chunked JSON, split mid-field, so the body is read across data events.
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Served-By', n % 2 === 0 ? 'v7' : 'v8');
      const body = JSON.stringify({ prediction: [1], model_type: n % 5 === 0 ? 'backup' : 'main', cached: n % 3 === 0 });
      res.write(body.slice(0, 20));
      setTimeout(() => res.end(body.slice(20)), 1);
    });
    const classify = { modelType: { json: 'model_type' }, fallbackValue: 'backup', cache: { json: 'cached' }, version: { header: 'X-Served-By' } };
    const result = await runLoad(resolveScenario(arrival(200, '1s')), { target: url, seed: 1, classify });
    const [root] = result.endpointResults();
    expect(root!.requests).toBe(200);
    // Exactly the answers the server marked: every fifth is the fallback, every third a cache hit.
    expect(root!.modelType).toEqual({ fallback: 40, main: 160 });
    expect(root!.cache).toEqual({ hit: 66, miss: 134 });
    expect(root!.modelVersion).toEqual({ v7: 100, v8: 100 });
    // The reference headers mean nothing to this classifier, and a scenario's stack.classify is used when no option is given.
    const byScenario = await runLoad(resolveScenario({ ...arrival(50, '1s'), stack: { classify: { modelType: { json: 'prediction' } } } }), { target: url, seed: 1 });
    expect(byScenario.endpointResults()[0]!.modelType).toEqual({ '1': 50 });
    // A classifier function sees the status, every header (lower case) and the parsed body.
    const seen = new Set<string>();
    const byFunction = await runLoad(resolveScenario(arrival(100, '1s')), {
      target: url,
      seed: 1,
      classify: ({ status, headers, body }) => {
        seen.add(`${status} ${headers['content-type']}`);
        const b = body as { model_type: string; cached: boolean };
        return { modelType: b.model_type === 'backup' ? 'fallback' : 'primary', cache: b.cached ? 'hit' : 'miss', version: headers['x-served-by'] };
      },
    });
    const f = byFunction.endpointResults()[0]!;
    expect(f.requests).toBe(100);
    expect(f.modelType).toEqual({ fallback: 20, primary: 80 });
    expect((f.cache.hit ?? 0) + (f.cache.miss ?? 0)).toBe(100);
    expect(f.modelVersion).toEqual({ v7: 50, v8: 50 });
    expect([...seen]).toEqual(['200 application/json']);
  });

  it('classifies refused connections, resets and timeouts', async () => {
    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await runLoad(resolveScenario(arrival(20, '500ms')), { target: `http://127.0.0.1:${port}`, seed: 1 });
    expect(refused.totals().errors).toBe(10);
    expect(refused.window(0, 1000)!.errorKinds).toEqual({ refused: 10 });

    const resetUrl = await serve((req) => req.socket.destroy());
    const reset = await runLoad(resolveScenario(arrival(20, '500ms')), { target: resetUrl, seed: 1 });
    expect(reset.window(0, 1000)!.errorKinds).toEqual({ reset: 10 });

    const hangUrl = await serve(() => undefined);
    const timeout = await runLoad(resolveScenario(arrival(10, '300ms', { timeout: '200ms' })), { target: hangUrl, seed: 1 });
    expect(timeout.window(0, 1000)!.errorKinds).toEqual({ timeout: 3 });
  });

  it('builds requests from the seeded mix: JSON bodies, drift, same seed same traffic', async () => {
    const bodies: string[] = [];
    const url = await serve((req, res, body) => {
      bodies.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
      res.end('{}');
    });
    const s = arrival(100, '1s', {
      mix: { predict: { weight: 1, request: (ctx) => ({ method: 'POST', path: '/api/v1/predict', body: { features: ctx.features(3), i: ctx.iteration } }) } },
      drift: { startAt: '500ms', shift: 10 },
    });
    await runLoad(resolveScenario(s), { target: `${url}/base`, seed: 42 });
    const firstRun = [...bodies].sort();
    expect(firstRun.length).toBe(100);
    expect(firstRun[0]).toMatch(/^POST \/base\/api\/v1\/predict application\/json \{"features":\[/);
    const parsed = bodies.map((b) => JSON.parse(b.slice(b.indexOf('{'))) as { features: number[]; i: number });
    expect(new Set(parsed.map((p) => p.i)).size).toBe(100);
    // Drift shifts every feature by 10 after 500 ms: half the requests.
    expect(parsed.filter((p) => p.features.every((f) => f >= 10)).length).toBe(50);
    bodies.length = 0;
    await runLoad(resolveScenario(s), { target: `${url}/base`, seed: 42 });
    expect([...bodies].sort()).toEqual(firstRun);
    bodies.length = 0;
    await runLoad(resolveScenario(s), { target: `${url}/base`, seed: 43 });
    expect([...bodies].sort()).not.toEqual(firstRun);
  });

  it('closed model: each virtual user has one request in flight; live stats arrive every second', async () => {
    let active = 0;
    let peak = 0;
    const url = await serve((_req, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.end('ok');
      }, 5);
    });
    const live: LiveSecond[] = [];
    const s: Scenario = { name: 'v', traffic: { executor: 'vus', vus: 4, duration: '2500ms' }, mix: { a: { weight: 1, request: () => ({ path: '/' }) } } };
    const result = await runLoad(resolveScenario(s), { target: url, seed: 1, onSecond: (x) => live.push(x) });
    expect(peak).toBeLessThanOrEqual(4);
    expect(result.totals().requests).toBeGreaterThan(50);
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(live[0]!.rate).toBeGreaterThan(0);
    expect(live[0]!.endpoints.a!.requests).toBe(live[0]!.requests);
  });

  it('stops early when aborted and says so', async () => {
    const url = await serve((_req, res) => res.end('ok'));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 600);
    const t0 = Date.now();
    const result = await runLoad(resolveScenario(arrival(50, '20s')), { target: url, seed: 1, signal: ac.signal });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(result.aborted).toBe(true);
    expect(result.totals().requests).toBeLessThan(100);
  });

  it('refuses a non-loopback target unless allowed', async () => {
    await expect(runLoad(resolveScenario(arrival(1, '1s')), { target: 'http://192.0.2.1:80', seed: 1 })).rejects.toThrow(/non-loopback/);
  });
});
