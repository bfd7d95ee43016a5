import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { runLoad } from '../../src/load/run-load.js';
import { bareScenario, fixedTraffic } from '../../src/load/fixed-scenario.js';
import { FixedSource } from '../../src/load/request-source.js';

const servers: (Server | NetServer)[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => { if ('closeAllConnections' in s) s.closeAllConnections(); s.close(() => r()); })));
});

async function listen<T extends Server | NetServer>(s: T): Promise<string> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

/** The wrk-like form with the lean client: closed model (connections) or open (rate). */
function load(url: string, o: { connections: number; ms: number; rate?: number; path?: string; timeoutMs?: number }) {
  const traffic = fixedTraffic({ connections: o.connections, durationMs: o.ms, timeoutMs: o.timeoutMs ?? 2000, ...(o.rate ? { rate: o.rate } : {}) });
  return runLoad(bareScenario('raw', traffic), { target: url, seed: 1, rawClient: true, source: new FixedSource(o.path ?? '/') });
}

describe('the lean HTTP/1.1 client (wrk-like form)', () => {
  it('frames Content-Length and chunked answers on kept-alive connections and counts the model headers', async () => {
    let n = 0;
    const sockets = new Set<unknown>();
    const url = await listen(
      createServer((req, res) => {
        sockets.add(req.socket);
        n++;
        res.setHeader('X-Model-Type', 'primary');
        res.setHeader('x-cache', n % 2 ? 'HIT' : 'MISS');
        if (req.url === '/chunked') {
          res.write('part one,');
          setImmediate(() => res.end('part two'));
        } else res.end('{"prediction":[1]}');
      }),
    );
    const fixed = await load(url, { connections: 4, ms: 800 });
    const chunked = await load(url, { connections: 4, ms: 800, path: '/chunked' });
    for (const r of [fixed, chunked]) {
      const [e] = r.endpointResults();
      expect(e!.requests).toBeGreaterThan(50);
      expect(e!.errors).toBe(0);
      expect(e!.status).toEqual({ '200': e!.requests });
      expect(e!.modelType).toEqual({ primary: e!.requests });
      expect((e!.cache.hit ?? 0) + (e!.cache.miss ?? 0)).toBe(e!.requests);
    }
    // Keep-alive: a handful of connections carried every request.
    expect(sockets.size).toBeLessThanOrEqual(8);
    expect(n).toBe(fixed.totals().requests + chunked.totals().requests);
  });

  it('handles answers delimited by closing the connection, and 204s', async () => {
    let count = 0;
    const url = await listen(
      createNetServer((sock) => {
        sock.once('data', () => {
          count++;
          sock.end('HTTP/1.1 200 OK\r\nConnection: close\r\nX-Model-Version: v2\r\n\r\nbody until close');
        });
      }),
    );
    const r = await load(url, { connections: 2, ms: 500 });
    const [e] = r.endpointResults();
    expect(e!.requests).toBe(count);
    expect(e!.requests).toBeGreaterThan(5);
    expect(e!.errors).toBe(0);
    expect(e!.modelVersion).toEqual({ v2: e!.requests });

    const empty = await listen(createServer((_req, res) => { res.statusCode = 204; res.end(); }));
    const r204 = await load(empty, { connections: 2, ms: 300 });
    expect(r204.endpointResults()[0]!.status).toEqual({ '204': r204.totals().requests });
  });

  it('reports 5xx, resets, refusals and timeouts like the undici path', async () => {
    const fail = await listen(createServer((_req, res) => { res.statusCode = 503; res.end('busy'); }));
    const r5 = await load(fail, { connections: 1, ms: 200, rate: 50 });
    expectOnly(r5, 'http_5xx', 10);

    const reset = await listen(createServer((req) => req.socket.destroy()));
    const rr = await load(reset, { connections: 4, ms: 200, rate: 50 });
    expectOnly(rr, 'reset', 10);

    const gone = createNetServer();
    const goneUrl = await listen(gone);
    await new Promise<void>((r) => gone.close(() => r()));
    servers.splice(servers.indexOf(gone), 1);
    const rf = await load(goneUrl, { connections: 4, ms: 200, rate: 50 });
    expectOnly(rf, 'refused', 10);

    const hang = await listen(createServer(() => undefined));
    const rt = await load(hang, { connections: 4, ms: 100, rate: 30, timeoutMs: 300 });
    expectOnly(rt, 'timeout', 3);
  });
});

/**
 * Every arrival ended as the expected error kind. On a loaded machine an arrival may find its
 * one connection still busy and be dropped instead (the open model never delays): errors of
 * that kind plus drops account for every arrival, and no other error kind appears.
 */
function expectOnly(r: { window(a: number, b: number): { errorKinds: Readonly<Record<string, number>>; dropped: number } | undefined }, kind: string, arrivals: number): void {
  const w = r.window(0, 1000)!;
  expect(Object.keys(w.errorKinds)).toEqual([kind]);
  expect(w.errorKinds[kind]! + w.dropped).toBe(arrivals);
  expect(w.errorKinds[kind]!).toBeGreaterThan(0);
}
