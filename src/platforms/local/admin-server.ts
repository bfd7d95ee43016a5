/**
 * The loopback admin API of a running `peakready stack up`, recorded in its run-state file,
 * through which `stack status|down` and `chaos inject|list|clear` reach the live stack:
 *   GET /status · GET /faults · POST /faults {kind,target,for?,id?,params?} · DELETE /faults · POST /down
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PeakreadyError } from '../../contract/errors.js';
import type { AdminServer, FaultRequest } from '../capabilities.js';
import type { Revert, StackEndpoints } from '../platform.js';
import type { LocalPlatform } from './local-platform.js';
import { injectTimed, resolveFaultRequest } from './timed-fault.js';

/** Serves the admin API for `platform`; `onDown` is called (once) when POST /down arrives. */
export async function startAdminServer(platform: LocalPlatform, endpoints: StackEndpoints, onDown: () => void): Promise<AdminServer> {
  const reverts = new Map<string, Revert>();
  const server: Server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      const status = err instanceof PeakreadyError && err.code === 'INVALID_INPUT' ? 400 : 500;
      send(res, status, { error: { code: err instanceof PeakreadyError ? err.code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) } });
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = `${req.method} ${req.url}`;
    if (key === 'GET /status') return send(res, 200, { ...(await platform.status()), endpoints, upMs: platform.upMs });
    if (key === 'GET /faults') return send(res, 200, (await platform.status()).activeFaults);
    if (key === 'POST /faults') {
      const fault = resolveFaultRequest((await readJson(req)) as FaultRequest);
      reverts.set(fault.id, await injectTimed(platform, fault));
      return send(res, 201, { id: fault.id, durationMs: fault.durationMs });
    }
    if (key === 'DELETE /faults') {
      const ids = (await platform.status()).activeFaults.map((f) => f.id);
      await platform.clearFaults();
      reverts.clear();
      return send(res, 200, { cleared: ids });
    }
    if (key === 'POST /down') {
      send(res, 202, { stopping: true });
      onDown();
      return;
    }
    send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${key}` } });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new PeakreadyError('INVALID_INPUT', 'admin API: request body is not JSON');
  }
}
