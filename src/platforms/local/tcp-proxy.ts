/**
 * A TCP-level proxy for Redis (RESP is not HTTP). The redis-outage fault goes through it:
 * existing connections are cut and new ones are closed at once, as if the server vanished,
 * while redis-server itself keeps running (its data survives the outage, like a network fault).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private outage = false;

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
    if (on) for (const s of this.sockets) s.resetAndDestroy();
  }

  get inOutage(): boolean {
    return this.outage;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private handle(client: Socket): void {
    if (this.outage) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.upstreamPort() });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const cleanup = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cleanup).on('close', cleanup);
    upstream.on('error', cleanup).on('close', cleanup);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
