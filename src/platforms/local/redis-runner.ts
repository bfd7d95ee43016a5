/**
 * Debian's redis-server on a free loopback port, no persistence, in a temp dir removed on
 * stop; started under `setpriv --pdeathsig KILL` so it dies with the harness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import type { RunState } from './run-state.js';

export interface RunningBinary {
  readonly port: number;
  readonly process: ManagedProcess;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts redis-server and waits for PONG. */
export async function startRedis(runState?: RunState): Promise<RunningBinary> {
  const bin = requireBinary('redis-server');
  requireBinary('setpriv');
  const dir = mkdtempSync(join(tmpdir(), 'peakready-redis-'));
  runState?.trackTempDir(dir);
  const port = await freePort();
  const proc = new ManagedProcess(
    'redis',
    {
      command: bin,
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'],
      deathLink: 'pdeathsig',
      port,
      ready: { probe: (p) => redisPing(p) },
      stopTimeoutMs: 2000,
    },
    { onSpawn: (pid) => runState?.trackProcess(pid, 'redis', port), onExit: (pid) => runState?.untrackProcess(pid) },
  );
  await proc.start(10_000);
  return {
    port,
    process: proc,
    dir,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
      runState?.untrackTempDir(dir);
    },
  };
}

/** True when Redis answers PING with PONG. */
export function redisPing(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
