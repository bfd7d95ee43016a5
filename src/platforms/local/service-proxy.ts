/**
 * A service proxy (the local stand-in for a Kubernetes Service plus Toxiproxy): one loopback
 * port per service, round-robin over *ready* replicas, the canary split between stable and
 * canary replicas by weight, and toxics that faults add and remove at run time.
 *
 * Failures show as a Service would show them. kube-proxy forwards connections, it never
 * retries a request: a replica that dies with requests in flight resets their connections,
 * and the client sees that reset (here: the client's connection is reset too, never a quiet
 * retry on another replica, which hid every kill-replica failure of a POST). The one retry
 * kept is a connection *refused* before any byte of the request left: the request never
 * reached a replica, which on Kubernetes means the endpoint is already gone from the Service
 * (or kube-proxy's next sync removes it); it goes to another ready replica and is counted in
 * `stats().retries`, so a run can see how many requests needed it. So is a request that met a
 * reused keep-alive connection the replica had just closed as idle (gunicorn closes idle
 * connections after 2 s, often exactly when the proxy reuses one): when the replica's process
 * is still running, nothing failed but the proxy's own pooling, which a Service does not add,
 * and the request goes again on a fresh connection.
 *
 * Request bodies are buffered (they are small JSON) so a refused connection can be retried
 * elsewhere; responses are streamed (SSE from the generative service passes straight through).
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { latencyFor, type Toxic } from '../../faults/toxic.js';
import { ByteRateLimiter, Throttle } from './throttle.js';

export interface Backend {
  readonly id: string;
  readonly version: string;
  readonly port: number;
}

export interface ProxyStats {
  /** Requests forwarded, per upstream version. */
  readonly byVersion: Readonly<Record<string, number>>;
  /** Requests answered by a toxic or with no replica available. */
  readonly injected: number;
  readonly noBackend: number;
  /** Requests sent again: to another replica after a refused connect (nothing had been sent), or on a fresh connection after a reused one turned out closed by its running replica. */
  readonly retries: number;
  /** Requests whose replica failed after the request was sent: the client saw a reset or 502. */
  readonly upstreamFailures: number;
}

/** How long after a reset on a reused connection the proxy looks whether the replica still runs. */
const STALE_CHECK_MS = 20;
/** A replica that refused is skipped for this long (passive outlier detection). */
const EJECT_MS = 1000;
/** Errors that mean the replica is gone (ejected for EJECT_MS); only a refused connect is retried. */
const REPLICA_GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export class ServiceProxy {
  port = 0;
  private server: Server | undefined;
  private stable: Backend[] = [];
  private canary: Backend[] = [];
  private canaryWeight = 0;
  private rr = 0;
  private readonly ejected = new Map<string, number>();
  private readonly toxics = new Map<string, Toxic>();
  private readonly held = new Set<Socket>();
  private readonly counts: Record<string, number> = {};
  private injected = 0;
  private noBackend = 0;
  private retries = 0;
  private upstreamFailures = 0;
  /** One shared link per bandwidth toxic: every answer of the service shares its rate. */
  private readonly links = new Map<string, ByteRateLimiter>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 1000 });

  /** `running(replicaId)`: whether the replica's process is still running (the supervisor knows). */
  constructor(
    readonly service: string,
    private readonly running?: (replicaId: string) => boolean,
  ) {}

  /** Listens on an ephemeral loopback port (or `port`). */
  async start(port = 0): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Replaces the ready backends (called whenever the supervisor's replicas change). */
  setBackends(stable: readonly Backend[], canary: readonly Backend[] = []): void {
    this.stable = [...stable];
    this.canary = [...canary];
  }

  /** Percent (0..100) of requests sent to canary replicas. */
  setCanaryWeight(weight: number): void {
    this.canaryWeight = Math.max(0, Math.min(100, weight));
  }

  get weight(): number {
    return this.canaryWeight;
  }

  /** Adds a toxic; returns its removal. */
  addToxic(id: string, toxic: Toxic): () => void {
    this.toxics.set(id, toxic);
    if (toxic.kind === 'bandwidth') this.links.set(id, new ByteRateLimiter(toxic.bytesPerSecond));
    return () => this.removeToxic(id);
  }

  removeToxic(id: string): void {
    const t = this.toxics.get(id);
    this.toxics.delete(id);
    this.links.delete(id);
    if (t?.kind === 'partition' && ![...this.toxics.values()].some((x) => x.kind === 'partition')) {
      // The partition heals: held requests were never answered; their connections now close.
      for (const s of this.held) s.destroy();
      this.held.clear();
    }
  }

  activeToxics(): string[] {
    return [...this.toxics.keys()];
  }

  stats(): ProxyStats {
    return { byVersion: { ...this.counts }, injected: this.injected, noBackend: this.noBackend, retries: this.retries, upstreamFailures: this.upstreamFailures };
  }

  async close(): Promise<void> {
    for (const s of this.held) s.destroy();
    this.held.clear();
    this.agent.destroy();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void this.route(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end();
      });
    });
    req.on('error', () => res.destroy());
  }

  private async route(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    let throttle: ByteRateLimiter | undefined;
    if (this.toxics.size > 0) {
      for (const [id, t] of this.toxics) {
        switch (t.kind) {
          case 'partition':
            this.injected++;
            this.held.add(req.socket);
            req.socket.once('close', () => this.held.delete(req.socket));
            return;
          case 'reset':
            if (Math.random() < t.fraction) {
              this.injected++;
              req.socket.resetAndDestroy();
              return;
            }
            break;
          case 'errors':
            if (Math.random() < t.fraction) {
              this.injected++;
              sendError(res, t.status, 'fault_injected', `${this.service}: error injected by peakready`);
              return;
            }
            break;
          case 'latency':
            if (Math.random() < t.fraction) await sleep(latencyFor(t));
            break;
          case 'bandwidth': {
            // Two bandwidth faults at once: the narrower link governs.
            const link = this.links.get(id);
            if (link && (throttle === undefined || link.bytesPerSecond < throttle.bytesPerSecond)) throttle = link;
            break;
          }
        }
      }
      if (req.socket.destroyed) return;
    }
    const tried = new Set<string>();
    for (;;) {
      const backend = this.pick(tried);
      if (!backend) {
        this.noBackend++;
        sendError(res, 503, 'no_ready_replicas', `${this.service}: no ready replica`);
        return;
      }
      tried.add(backend.id);
      let outcome = await this.forward(backend, req, res, body, throttle);
      if (outcome === 'stale') {
        // A replica that was killed resets its connections on its way out: give the kernel a
        // moment to finish the exit before asking whether the process still runs.
        await sleep(STALE_CHECK_MS);
        if (this.running?.(backend.id)) {
          this.retries++;
          outcome = await this.forward(backend, req, res, body, throttle, true);
        } else {
          this.upstreamFailures++;
          req.socket.resetAndDestroy();
          outcome = 'failed';
        }
      }
      if (outcome === 'done') return;
      this.ejected.set(backend.id, Date.now() + EJECT_MS);
      if (outcome === 'failed') return;
      this.retries++;
    }
  }

  /** Weighted choice of the track, then round-robin within it, skipping tried and ejected replicas. */
  private pick(tried: ReadonlySet<string>): Backend | undefined {
    const now = Date.now();
    const usable = (b: Backend) => !tried.has(b.id) && (this.ejected.get(b.id) ?? 0) <= now;
    let pool = this.canaryWeight > 0 && this.canary.length > 0 && Math.random() * 100 < this.canaryWeight ? this.canary : this.stable;
    let candidates = pool.filter(usable);
    if (candidates.length === 0) {
      // Route around: the other track (still ready) rather than failing the request.
      pool = pool === this.stable ? (this.canaryWeight > 0 ? this.canary : []) : this.stable;
      candidates = pool.filter(usable);
    }
    if (candidates.length === 0) {
      // Every replica was ejected recently: try any untried ready one before giving up.
      candidates = [...this.stable, ...(this.canaryWeight > 0 ? this.canary : [])].filter((b) => !tried.has(b.id));
    }
    if (candidates.length === 0) return undefined;
    this.rr = (this.rr + 1) % 1_000_000;
    return candidates[this.rr % candidates.length];
  }

  /**
   * One attempt on one replica: `retry` only when the connect was refused (no byte sent);
   * `failed` when the replica went away after the request left (the client's connection is
   * reset, as through a Service); `done` otherwise.
   */
  private forward(
    backend: Backend,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    throttle: ByteRateLimiter | undefined,
    fresh = false,
  ): Promise<'done' | 'retry' | 'failed' | 'stale'> {
    return new Promise((resolve) => {
      let connected = false;
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const up = request(
        { host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers, agent: fresh ? false : this.agent },
        (upRes) => {
          this.counts[backend.version] = (this.counts[backend.version] ?? 0) + 1;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          if (throttle !== undefined) upRes.pipe(new Throttle(throttle)).pipe(res);
          else upRes.pipe(res);
          upRes.on('error', () => res.destroy());
          resolve('done');
        },
      );
      // A reused keep-alive socket is connected already; a new one once its connect completes.
      up.on('socket', (sock: Socket) => {
        if (!sock.connecting) connected = true;
        else sock.once('connect', () => (connected = true));
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        if (res.headersSent) {
          this.upstreamFailures++;
          res.destroy();
          resolve('done');
        } else if (!connected && err.code === 'ECONNREFUSED') {
          resolve('retry');
        } else if (!fresh && this.running && up.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.message === 'socket hang up')) {
          // Maybe an idle keep-alive connection the replica closed as the proxy reused it (route() checks the replica).
          resolve('stale');
        } else if (REPLICA_GONE.has(err.code ?? '') || err.message === 'socket hang up') {
          // The request reached a replica that died: the client sees the reset a Service passes on.
          this.upstreamFailures++;
          req.socket.resetAndDestroy();
          resolve('failed');
        } else {
          sendError(res, 502, 'upstream_error', `${this.service}: ${err.message}`);
          resolve('done');
        }
      });
      // The client gave up: stop the upstream request too.
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
      });
      up.end(body);
    });
  }
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
