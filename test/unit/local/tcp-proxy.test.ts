import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../../src/platforms/local/tcp-proxy.js';

/** A TCP server that answers "<n>\n" with n bytes (a stand-in for Redis' answers). */
let upstream: Server;
let proxy: TcpProxy;

beforeAll(async () => {
  upstream = createServer((s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const n = Number(buf.slice(0, i));
        buf = buf.slice(i + 1);
        s.write(Buffer.alloc(n, 97));
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const port = (upstream.address() as { port: number }).port;
  proxy = new TcpProxy(() => port);
  await proxy.start();
});

afterAll(async () => {
  await proxy.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

async function connect(): Promise<Socket> {
  const s = createConnection({ host: '127.0.0.1', port: proxy.port });
  await new Promise<void>((r, j) => s.once('connect', r).once('error', j));
  return s;
}

/** Asks for n bytes; resolves with the ms until all arrived. */
function ask(s: Socket, n: number): Promise<number> {
  const t0 = performance.now();
  let got = 0;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      got += d.length;
      if (got >= n) {
        s.off('data', onData);
        resolve(performance.now() - t0);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write(`${n}\n`);
  });
}

describe('the Redis TCP proxy toxics', () => {
  it('bandwidth limits the total throughput: a 300 B answer takes ~29 ms at 10,240 B/s, two concurrent 2 KiB answers share the rate', async () => {
    const a = await connect();
    const b = await connect();
    expect(await ask(a, 300)).toBeLessThan(20); // no toxic yet
    const remove = proxy.addToxic('bw', { kind: 'bandwidth', bytesPerSecond: 10_240 });
    const small = await ask(a, 300);
    expect(small).toBeGreaterThanOrEqual(27);
    const [ta, tb] = await Promise.all([ask(a, 2048), ask(b, 2048)]);
    // 4096 B over one 10,240 B/s link: the later finishes after ~400 ms, not ~200 ms each.
    expect(Math.max(ta, tb)).toBeGreaterThanOrEqual(380);
    remove();
    expect(await ask(a, 2048)).toBeLessThan(50);
    a.destroy();
    b.destroy();
  });

  it('latency holds answers by latency, in order', async () => {
    const s = await connect();
    const remove = proxy.addToxic('lat', { kind: 'latency', latencyMs: 80, jitterMs: 0, fraction: 1 });
    const t = await ask(s, 10);
    remove();
    expect(t).toBeGreaterThanOrEqual(78);
    expect(await ask(s, 10)).toBeLessThan(40);
    s.destroy();
  });

  it('partition: commands go unanswered; when it heals the connection that lost data is closed, a new one works', async () => {
    const s = await connect();
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    const remove = proxy.addToxic('part', { kind: 'partition' });
    const answered = await Promise.race([ask(s, 10).then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
    expect(answered).toBe(false);
    remove();
    await closed;
    const fresh = await connect();
    expect(await ask(fresh, 10)).toBeLessThan(40);
    fresh.destroy();
  });

  it('reset (fraction 1): the next command gets a connection reset', async () => {
    const s = await connect();
    const remove = proxy.addToxic('rst', { kind: 'reset', fraction: 1 });
    // Connections open when the toxic came were reset at once.
    const err = await new Promise<NodeJS.ErrnoException | undefined>((r) => {
      s.once('error', (e) => r(e));
      s.once('close', () => r(undefined));
      s.write('10\n');
    });
    remove();
    expect(err?.code).toBe('ECONNRESET');
  });

  it('refuses an HTTP errors toxic: Redis speaks RESP', () => {
    expect(() => proxy.addToxic('e', { kind: 'errors', status: 503, fraction: 1 })).toThrow(/RESP/);
  });
});
