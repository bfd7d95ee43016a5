/**
 * The game-day console's HTTP server, loopback only:
 *   GET  /                     the page (one self-contained HTML file)
 *   GET  /api/state            live state (polled by the page once a second)
 *   GET  /api/catalogue        fault kinds, targets and their parameters; what the traffic is
 *                              and, for a team's own stack, which stack and classifier
 *   POST /api/faults           {kind,target,for?,params?}     inject
 *   DELETE /api/faults[/<id>]  clear all / one
 *   POST /api/traffic {rate} · DELETE /api/traffic              background traffic
 *   POST /api/halt             revert everything, write the reports
 * Changing requests must carry `x-peakready-console: 1` (a header a foreign web page cannot
 * send without a CORS preflight this server never grants), and the Host header must name
 * the loopback address, so another site in the operator's browser cannot inject faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PeakreadyError } from '../contract/errors.js';
import { LOCAL_FAULTS } from '../faults/registry.js';
import { kindTargets } from '../faults/catalogue.js';
import { FAULT_KINDS, type FaultKind } from '../scenario/fault-spec.js';
import type { FaultRequest } from '../platforms/capabilities.js';
import { FAULT_PARAMS } from './fault-catalogue.js';
import type { GameDay } from './game-day.js';
import { CONSOLE_PAGE } from './console-page.js';
import type { ClassifierLabel } from './classifier-label.js';

/** What the page says about the stack and its traffic (GET /api/catalogue). */
export interface ConsoleView {
  /** The background traffic: its mix ("seed mix", "mix of x.ts") and where it goes ("the gateway", or the entry service). */
  readonly traffic: { readonly mix: string; readonly target: string };
  /**
   * A team's own stack: the page then hides the gateway's Prometheus view (the entry is not
   * read from Prometheus) and names the stack's classifier. Absent for the reference stack.
   */
  readonly stack?: { readonly name: string; readonly file: string; readonly entry: string; readonly classifier: ClassifierLabel };
}

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface ConsoleServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Fault targets offered in the page. */
  readonly targets: readonly string[];
  /** Default: the reference stack with the seed mix. */
  readonly view?: ConsoleView;
}

/** Serves the console for `gameDay` on 127.0.0.1. */
export async function startConsoleServer(gameDay: GameDay, opts: ConsoleServerOptions): Promise<ConsoleServer> {
  let port = opts.port ?? 0;
  const server: Server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      const status = err instanceof PeakreadyError && err.code === 'INVALID_INPUT' ? 400 : 500;
      send(res, status, { error: { code: err instanceof PeakreadyError ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) } });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(res, 421, { error: { code: 'HOST', message: `expected Host 127.0.0.1:${port}, got ${JSON.stringify(host)}` } });
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    if (method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        // Nothing leaves the page but calls to this server.
        'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
      });
      res.end(CONSOLE_PAGE);
      return;
    }
    if (method === 'GET' && path === '/api/state') return send(res, 200, await gameDay.snapshot());
    if (method === 'GET' && path === '/api/catalogue') {
      const view = opts.view ?? { traffic: { mix: 'seed mix', target: 'the gateway' } };
      return send(res, 200, { kinds: Object.values(LOCAL_FAULTS).map((f) => ({ kind: f.kind, description: f.description, params: FAULT_PARAMS[f.kind] })), targets: opts.targets, ...view });
    }
    if (method === 'GET') return send(res, 404, { error: { code: 'NOT_FOUND', message: `no page ${path}` } });
    if (req.headers['x-peakready-console'] !== '1') return send(res, 403, { error: { code: 'FORBIDDEN', message: 'changing requests need the header x-peakready-console: 1' } });
    if (method === 'POST' && path === '/api/faults') {
      const fault = (await readJson(req)) as FaultRequest;
      checkTarget(fault, opts.targets);
      return send(res, 201, await gameDay.inject(fault));
    }
    if (method === 'DELETE' && path === '/api/faults') return send(res, 200, { cleared: await gameDay.clear() });
    if (method === 'DELETE' && path.startsWith('/api/faults/')) return send(res, 200, { cleared: await gameDay.clear(decodeURIComponent(path.slice('/api/faults/'.length))) });
    if (method === 'POST' && path === '/api/traffic') {
      const body = (await readJson(req)) as { rate?: unknown };
      return send(res, 200, await gameDay.startTraffic(Number(body.rate)));
    }
    if (method === 'DELETE' && path === '/api/traffic') {
      await gameDay.stopTraffic();
      return send(res, 200, { stopped: true });
    }
    if (method === 'POST' && path === '/api/halt') return send(res, 200, await gameDay.halt());
    send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${method} ${path}` } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PeakreadyError('ENVIRONMENT', `--dashboard-port: port ${port} on 127.0.0.1 is in use`, { hint: 'pick another port or leave the flag out for a free one' }) : err),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** INVALID_INPUT (400) unless the target is one the kind acts on among the console's targets (the fault catalogue's rule). */
function checkTarget(fault: FaultRequest, offered: readonly string[]): void {
  if (!(FAULT_KINDS as readonly string[]).includes(fault.kind)) return; // the game day names a wrong kind
  const targets = kindTargets(fault.kind as FaultKind, 'local', { services: offered.filter((t) => t !== 'redis'), redis: offered.includes('redis') });
  if (targets.includes(fault.target)) return;
  throw new PeakreadyError('INVALID_INPUT', `target: ${fault.kind} acts on ${targets.length ? targets.join(', ') : 'no target of this stack'}, got ${JSON.stringify(fault.target)}`);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 65_536) throw new PeakreadyError('INVALID_INPUT', 'console API: request body larger than 64 KiB');
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new PeakreadyError('INVALID_INPUT', 'console API: request body is not JSON');
  }
}
