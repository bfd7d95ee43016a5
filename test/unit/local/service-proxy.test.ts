import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import { ServiceProxy, type Backend } from '../../../src/platforms/local/service-proxy.js';

/** A real HTTP backend on loopback answering with its own name. */
async function backend(name: string, version = 'v1'): Promise<{ server: Server; b: Backend }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ name, version, body: req.headers['content-length'] })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { server, b: { id: name, version, port } };
}

async function call(proxy: ServiceProxy, path = '/x'): Promise<{ status: number; name?: string; version?: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${proxy.url}${path}`, { method: 'POST', body: '{"a":1}' });
  const text = await res.text();
  const json = res.status === 200 ? (JSON.parse(text) as { name: string; version: string }) : {};
  return { status: res.status, ...json, ms: performance.now() - t0 };
}

describe('ServiceProxy', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(n: number, version = 'v1') {
    const proxy = new ServiceProxy('svc');
    await proxy.start();
    cleanups.push(() => proxy.close());
    const backends = [];
    for (let i = 0; i < n; i++) {
      const x = await backend(`r${i}`, version);
      cleanups.push(() => new Promise<void>((r) => { x.server.closeAllConnections(); x.server.close(() => r()); }));
      backends.push(x);
    }
    proxy.setBackends(backends.map((x) => x.b));
    return { proxy, backends };
  }

  it('spreads requests round-robin over ready replicas and passes the body on', async () => {
    const { proxy } = await setup(2);
    const names = [];
    for (let i = 0; i < 6; i++) names.push((await call(proxy)).name);
    expect(new Set(names)).toEqual(new Set(['r0', 'r1']));
    expect(names.filter((n) => n === 'r0')).toHaveLength(3);
  });

  it("sends a request again on a fresh connection when a running replica had closed the reused keep-alive one; a stopped replica's reset reaches the client", async () => {
    // A server that, like gunicorn after its 2 s keep-alive, drops a connection when a second
    // request arrives on it: the proxy's pooled socket is dead on reuse.
    const server = createServer((req, res) => {
      const s = req.socket as typeof req.socket & { served?: number };
      s.served = (s.served ?? 0) + 1;
      if (s.served > 1) return req.socket.destroy();
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ name: 'r0', version: 'v1' })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const b = { id: 'r0', version: 'v1', port: (server.address() as { port: number }).port };
    let running = true;
    const proxy = new ServiceProxy('svc', (id) => id === 'r0' && running);
    await proxy.start();
    cleanups.push(() => proxy.close());
    proxy.setBackends([b]);
    for (let i = 0; i < 5; i++) expect((await call(proxy)).status).toBe(200);
    const { retries } = proxy.stats();
    expect(retries).toBeGreaterThan(0);
    expect(proxy.stats().upstreamFailures).toBe(0);
    // The same reset from a replica whose process is gone is a failure the client must see.
    running = false;
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await call(proxy).then((r) => r.status, () => 'reset'));
    expect(outcomes).toContain('reset');
    expect(proxy.stats()).toMatchObject({ retries, upstreamFailures: outcomes.filter((o) => o === 'reset').length });
  });

  it('routes around a replica that refuses connections', async () => {
    const { proxy, backends } = await setup(2);
    await new Promise<void>((r) => { backends[0]!.server.closeAllConnections(); backends[0]!.server.close(() => r()); });
    const results = await Promise.all(Array.from({ length: 10 }, () => call(proxy)));
    expect(results.every((r) => r.status === 200 && r.name === 'r1')).toBe(true);
  });

  it('answers 503 when no replica is ready', async () => {
    const { proxy } = await setup(0);
    expect((await call(proxy)).status).toBe(503);
  });

  it('latency toxic delays answers until it is removed', async () => {
    const { proxy } = await setup(1);
    const remove = proxy.addToxic('lat', { kind: 'latency', latencyMs: 300, jitterMs: 0, fraction: 1 });
    expect((await call(proxy)).ms).toBeGreaterThanOrEqual(290);
    remove();
    expect((await call(proxy)).ms).toBeLessThan(290);
  });

  it('errors toxic answers the configured status for the configured share', async () => {
    const { proxy } = await setup(1);
    proxy.addToxic('err', { kind: 'errors', status: 500, fraction: 1 });
    expect((await call(proxy)).status).toBe(500);
    proxy.removeToxic('err');
    expect((await call(proxy)).status).toBe(200);
  });

  it('reset toxic resets the connection', async () => {
    const { proxy } = await setup(1);
    proxy.addToxic('rst', { kind: 'reset', fraction: 1 });
    await expect(call(proxy)).rejects.toThrow();
  });

  it('partition holds requests unanswered until it heals', async () => {
    const { proxy } = await setup(1);
    proxy.addToxic('part', { kind: 'partition' });
    const pending = call(proxy).then(() => 'answered', () => 'closed');
    const early = await Promise.race([pending, new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    expect(early).toBe('waiting');
    proxy.removeToxic('part');
    expect(await pending).toBe('closed');
    expect((await call(proxy)).status).toBe(200);
  });

  it('bandwidth toxic limits the byte rate of answers', async () => {
    const { proxy } = await setup(1);
    proxy.addToxic('bw', { kind: 'bandwidth', bytesPerSecond: 100 });
    const r = await call(proxy); // ~40-byte answer at 100 B/s
    expect(r.ms).toBeGreaterThanOrEqual(300);
  });

  it('streams answers through as they come (SSE is not buffered)', async () => {
    const proxy = new ServiceProxy('svc');
    await proxy.start();
    cleanups.push(() => proxy.close());
    const sse = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"t":1}\n\n');
      setTimeout(() => res.end('data: [DONE]\n\n'), 1000);
    });
    await new Promise<void>((r) => sse.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => { sse.closeAllConnections(); sse.close(() => r()); }));
    proxy.setBackends([{ id: 's', version: 'v1', port: (sse.address() as { port: number }).port }]);
    const t0 = performance.now();
    const res = await fetch(`${proxy.url}/v1/completions`, { method: 'POST', body: '{}' });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const firstMs = performance.now() - t0;
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(first).toContain('data: {"t":1}');
    expect(firstMs).toBeLessThan(900); // the end comes at 1000 ms: the first event was not held back
    expect(rest).toContain('[DONE]');
  });

  it('splits traffic to canary replicas by weight, and weight 0 sends none', async () => {
    const { proxy, backends } = await setup(1);
    const canary = await backend('c0', 'v2');
    cleanups.push(() => new Promise<void>((r) => { canary.server.closeAllConnections(); canary.server.close(() => r()); }));
    proxy.setBackends([backends[0]!.b], [canary.b]);
    proxy.setCanaryWeight(50);
    const versions = [];
    for (let i = 0; i < 60; i++) versions.push((await call(proxy)).version);
    const share = versions.filter((v) => v === 'v2').length / 60;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.8);
    proxy.setCanaryWeight(0);
    const before = proxy.stats().byVersion.v2;
    for (let i = 0; i < 20; i++) expect((await call(proxy)).version).toBe('v1');
    expect(proxy.stats().byVersion.v2).toBe(before);
  });

  /** A backend answering `size` bytes of body. */
  async function sized(size: number): Promise<Backend> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('x'.repeat(size)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    return { id: `sized-${size}`, version: 'v1', port: (server.address() as { port: number }).port };
  }

  async function timed(proxy: ServiceProxy): Promise<{ ms: number; bytes: number }> {
    const t0 = performance.now();
    const r = await fetch(`${proxy.url}/x`, { method: 'POST', body: '{}' });
    const bytes = (await r.arrayBuffer()).byteLength;
    return { ms: performance.now() - t0, bytes };
  }

  it('bandwidth: a 300-byte answer at 10,240 B/s takes about 29 ms, not its first twentieth at once', async () => {
    const proxy = new ServiceProxy('svc');
    await proxy.start();
    cleanups.push(() => proxy.close());
    proxy.setBackends([await sized(300)]);
    const unlimited = await timed(proxy);
    proxy.addToxic('bw', { kind: 'bandwidth', bytesPerSecond: 10_240 });
    const r = await timed(proxy);
    expect(r.bytes).toBe(300);
    // 300 / 10,240 s = 29.3 ms of link time on top of the unlimited answer.
    expect(r.ms).toBeGreaterThanOrEqual(28);
    expect(r.ms).toBeLessThan(29.3 + unlimited.ms + 40);
  });

  it('bandwidth: concurrent answers share the rate (the service is limited, not each answer)', async () => {
    const proxy = new ServiceProxy('svc');
    await proxy.start();
    cleanups.push(() => proxy.close());
    proxy.setBackends([await sized(2048)]);
    proxy.addToxic('bw', { kind: 'bandwidth', bytesPerSecond: 10_240 });
    const t0 = performance.now();
    const all = await Promise.all(Array.from({ length: 5 }, () => timed(proxy)));
    const wall = performance.now() - t0;
    // 5 × 2,048 B = 10,240 B: one second of the shared link (each alone would take 200 ms).
    expect(all.every((r) => r.bytes === 2048)).toBe(true);
    expect(wall).toBeGreaterThanOrEqual(980);
    expect(wall).toBeLessThan(1300);
    // Fair share: every answer progresses, so even the first to finish needed most of the second.
    expect(Math.min(...all.map((r) => r.ms))).toBeGreaterThan(700);
    // Removing the toxic gives the full speed back at once.
    proxy.removeToxic('bw');
    expect((await timed(proxy)).ms).toBeLessThan(100);
  });

  it('kill-replica: requests in flight on a SIGKILLed replica fail for the client; new ones go to the live replica', async () => {
    // Real processes: two replicas answering each POST after 300 ms.
    const script = `
      const http = require('node:http');
      const s = http.createServer((q, r) => { q.resume(); q.on('end', () => setTimeout(() => r.end(JSON.stringify({ pid: process.pid })), 300)); });
      s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
    const replicas = await Promise.all(
      [0, 1].map(async (i) => {
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        cleanups.push(() => { child.kill('SIGKILL'); });
        const port = await new Promise<number>((r) => createInterface({ input: child.stdout! }).once('line', (l) => r(Number(l))));
        return { child, b: { id: `p${i}`, version: 'v1', port } };
      }),
    );
    const proxy = new ServiceProxy('svc');
    await proxy.start();
    cleanups.push(() => proxy.close());
    proxy.setBackends(replicas.map((r) => r.b));
    const post = () =>
      fetch(`${proxy.url}/infer`, { method: 'POST', body: '{"a":1}' }).then(
        async (r) => (r.status === 200 ? ((await r.json()) as { pid: number }).pid : `status ${r.status}`),
        () => 'connection error',
      );
    const inflight = Array.from({ length: 10 }, post);
    await new Promise((r) => setTimeout(r, 100));
    replicas[0]!.child.kill('SIGKILL');
    const outcomes = await Promise.all(inflight);
    // Round-robin put 5 on each replica: those on the killed one fail, visibly, as through a Service.
    expect(outcomes.filter((o) => o === 'connection error')).toHaveLength(5);
    expect(outcomes.filter((o) => o === replicas[1]!.child.pid)).toHaveLength(5);
    expect(proxy.stats().upstreamFailures).toBe(5);
    // The failed replica is ejected for a second: new requests go straight to the live one.
    const soon = await Promise.all(Array.from({ length: 4 }, post));
    expect(soon.every((o) => o === replicas[1]!.child.pid)).toBe(true);
    expect(proxy.stats().retries).toBe(0);
    // Ejection over and the supervisor has not taken the dead replica out: a refused connect
    // (nothing sent) goes to the live replica, and is counted.
    await new Promise((r) => setTimeout(r, 1100));
    const after = await Promise.all(Array.from({ length: 6 }, post));
    expect(after.every((o) => o === replicas[1]!.child.pid)).toBe(true);
    expect(proxy.stats().retries).toBeGreaterThanOrEqual(1);
    expect(proxy.stats().upstreamFailures).toBe(5);
  });
});
