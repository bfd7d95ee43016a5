/**
 * The loopback admin API of a running `peakready stack up`, recorded in its run-state file,
 * through which `stack status|down` and `chaos inject|list|clear` reach the live stack:
 *   GET /status · GET /faults · POST /faults {kind,target,for?,id?,params?} · DELETE /faults · POST /down
 * GET /status echoes the endpoints `stack up` gave (for a team's own stack they also name
 * the stack and its entry). POST /faults checks the target against what the kind acts on in
 * the running stack (the reference stack's services, or a stack file's, and "redis" when it
 * has one) before anything changes: 400 naming the targets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PeakreadyError } from '../../contract/errors.js';
import type { AdminServer, FaultRequest } from '../capabilities.js';
import { kindTargets } from '../../faults/catalogue.js';
import type { ResolvedFault } from '../../scenario/fault-spec.js';
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
      checkTarget(fault, platform.services, endpoints);
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

/**
 * INVALID_INPUT (400) unless `fault.target` is one the kind acts on in the running stack:
 * its services where the kind acts on services, "redis" where it acts on Redis and the stack
 * runs one (the fault catalogue's rule, as a scenario is checked).
 */
export function checkTarget(fault: Pick<ResolvedFault, 'kind' | 'target'>, services: readonly string[], endpoints: StackEndpoints): void {
  const targets = kindTargets(fault.kind, 'local', { services, redis: 'redis' in endpoints.services });
  if (targets.includes(fault.target)) return;
  const name = (endpoints as StackEndpoints & { stack?: { name?: string } }).stack?.name;
  const stack = name ? `the stack ${name}` : 'the reference stack';
  throw new PeakreadyError(
    'INVALID_INPUT',
    targets.length
      ? `--target: expected one of ${targets.join(', ')} (what ${fault.kind} acts on in ${stack}), got ${JSON.stringify(fault.target)}`
      : `--target: ${fault.kind} acts on nothing in ${stack} (it runs no Redis), got ${JSON.stringify(fault.target)}`,
  );
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
