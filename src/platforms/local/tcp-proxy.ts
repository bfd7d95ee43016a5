/**
 * A TCP-level proxy for Redis (RESP is not HTTP): the gateway reaches Redis only through it,
 * so the network faults on `redis` act here, as NetworkChaos would on the Redis pod:
 *
 * - outage (redis-outage): existing connections are cut and new ones refused, while
 *   redis-server keeps running (its data survives, like a network fault);
 * - latency: Redis's answers are held `latency ± jitter` (order kept per connection);
 * - reset: a share of connections is reset (TCP RST) at their next command;
 * - partition: commands vanish unanswered; when it heals, the connections that lost data
 *   are closed (their protocol state is gone) and clients reconnect;
 * - bandwidth: Redis's answers share one link of `bytesPerSecond`, over all connections.
 *
 * Toxics are applied as they are added: `addToxic` returning is the acknowledgement.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { latencyFor, type Toxic } from '../../faults/toxic.js';

/** Slices of a limited link are released every ~10 ms of link time (no burst at the start). */
const SLICE_SECONDS = 0.01;

interface Connection {
  readonly client: Socket;
  readonly upstream: Socket;
  /** When the last delayed answer chunk of this connection is released (performance.now() ms). */
  lastDownAt: number;
  /** Lost data to a partition: closed when it heals. */
  blackholed: boolean;
}

export class TcpProxy {
  port = 0;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly toxics = new Map<string, Toxic>();
  private outage = false;
  /** The shared link of the bandwidth toxic: free again at (performance.now() ms). */
  private linkFreeAt = 0;

  constructor(private readonly upstreamPort: () => number) {}

  async start(): Promise<number> {
    const server = createServer((client) => this.handle(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this.port;
  }

  /** Starts (true) or ends (false) an outage. */
  setOutage(on: boolean): void {
    this.outage = on;
    if (on) for (const c of this.connections) this.reset(c);
  }

  get inOutage(): boolean {
    return this.outage;
  }

  /** Adds a toxic (latency, reset, partition, bandwidth; HTTP errors do not apply to RESP); returns its removal. */
  addToxic(id: string, toxic: Toxic): () => void {
    if (toxic.kind === 'errors') throw new Error('the Redis proxy cannot answer HTTP errors: Redis speaks RESP');
    if (this.toxics.has(id)) throw new Error(`a toxic with id ${id} is already on the Redis proxy`);
    this.toxics.set(id, toxic);
    if (toxic.kind === 'reset') for (const c of [...this.connections]) if (Math.random() < toxic.fraction) this.reset(c);
    return () => {
      if (!this.toxics.delete(id)) return;
      if (toxic.kind === 'partition' && !this.has('partition')) {
        for (const c of [...this.connections]) if (c.blackholed) this.drop(c);
      }
    };
  }

  async close(): Promise<void> {
    for (const c of [...this.connections]) this.drop(c);
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private has<K extends Toxic['kind']>(kind: K): Extract<Toxic, { kind: K }> | undefined {
    for (const t of this.toxics.values()) if (t.kind === kind) return t as Extract<Toxic, { kind: K }>;
    return undefined;
  }

  private handle(client: Socket): void {
    if (this.outage) {
      client.resetAndDestroy();
      return;
    }
    const reset = this.has('reset');
    if (reset && Math.random() < reset.fraction) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.upstreamPort() });
    const conn: Connection = { client, upstream, lastDownAt: 0, blackholed: false };
    this.connections.add(conn);
    const cleanup = () => this.drop(conn);
    client.on('error', cleanup).on('close', cleanup);
    upstream.on('error', cleanup).on('close', cleanup);
    client.on('data', (chunk: Buffer) => this.up(conn, chunk));
    upstream.on('data', (chunk: Buffer) => this.down(conn, chunk));
  }

  /** A command from the gateway towards Redis. */
  private up(conn: Connection, chunk: Buffer): void {
    const reset = this.has('reset');
    if (reset && Math.random() < reset.fraction) return this.reset(conn);
    if (this.has('partition')) {
      conn.blackholed = true; // dropped: no answer will come
      return;
    }
    if (!conn.upstream.write(chunk)) {
      conn.client.pause();
      conn.upstream.once('drain', () => conn.client.resume());
    }
  }

  /** An answer from Redis towards the gateway, through the latency and bandwidth toxics. */
  private down(conn: Connection, chunk: Buffer): void {
    const latency = this.has('latency');
    const bandwidth = this.has('bandwidth');
    if (!latency && !bandwidth && conn.lastDownAt <= performance.now()) {
      conn.client.write(chunk);
      return;
    }
    const now = performance.now();
    const delay = latency && Math.random() < latency.fraction ? latencyFor(latency) : 0;
    if (!bandwidth) return this.release(conn, chunk, Math.max(now + delay, conn.lastDownAt));
    // One link for every connection: each slice leaves when its transmission would end.
    const slice = Math.max(1, Math.floor(bandwidth.bytesPerSecond * SLICE_SECONDS));
    for (let off = 0; off < chunk.length; off += slice) {
      const part = chunk.subarray(off, off + slice);
      this.linkFreeAt = Math.max(now + delay, this.linkFreeAt) + (part.length / bandwidth.bytesPerSecond) * 1000;
      this.release(conn, part, Math.max(this.linkFreeAt, conn.lastDownAt));
    }
  }

  private release(conn: Connection, chunk: Buffer, at: number): void {
    conn.lastDownAt = at;
    setTimeout(() => {
      if (!conn.client.destroyed) conn.client.write(chunk);
    }, Math.max(0, at - performance.now()));
  }

  private reset(conn: Connection): void {
    this.connections.delete(conn);
    conn.client.resetAndDestroy();
    conn.upstream.destroy();
  }

  private drop(conn: Connection): void {
    this.connections.delete(conn);
    conn.client.destroy();
    conn.upstream.destroy();
  }
}
