/**
 * Real processes for the gateway's integration tests: stack services from the repository's
 * dist/, Debian's redis-server, all on loopback
 * ephemeral ports, every one registered for cleanup before it starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A started child process with its port. */
export interface Proc {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly output: string[];
}

/** Owns every process a test file starts (from the repository's dist/, built by the global setup). */
export class ProcessGroup {
  /** Every child from the moment it is spawned, so a failed start still gets cleaned up. */
  private readonly children = new Set<ChildProcess>();
  /** Starts `stack/<service>/main.js`, waits for its "listening" line and, if given, a 200 on `readyPath`. */
  async service(service: string, args: string[], opts: { port?: number; readyPath?: string; name?: string } = {}): Promise<Proc> {
    const entry = join(ROOT, 'dist', 'stack', service, 'main.js');
    const child = spawn(process.execPath, [entry, '--port', String(opts.port ?? 0), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // LOG_LEVEL must stay at info: the "listening" line is an info log.
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    const output: string[] = [];
    const exited = this.track(child);
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`${service} did not announce a port in 20 s:\n${output.join('\n')}`)), 20_000);
      child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        try {
          const j = JSON.parse(line) as { msg?: string; port?: number };
          if (j.msg === 'listening' && typeof j.port === 'number') {
            clearTimeout(timer);
            resolvePort(j.port);
          }
        } catch {
          // not a log line
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${service} exited with ${code} before listening:\n${output.join('\n')}`));
      });
    });
    const proc: Proc = { name: opts.name ?? service, port, url: `http://127.0.0.1:${port}`, child, exited, output };
    if (opts.readyPath) await waitFor200(`${proc.url}${opts.readyPath}`, 30_000);
    return proc;
  }

  /** Debian's redis-server, no persistence, on a free loopback port. */
  async redis(port?: number): Promise<Proc> {
    const p = port ?? (await freePort());
    const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const exited = this.track(child);
    await new Promise<void>((ok, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready in 10 s:\n${output.join('')}`)), 10_000);
      child.stdout!.on('data', (d: Buffer) => {
        output.push(d.toString());
        if (output.join('').includes('Ready to accept connections')) {
          clearTimeout(timer);
          ok();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output.join('')}`));
      });
    });
    return { name: 'redis', port: p, url: `redis://127.0.0.1:${p}`, child, exited, output };
  }

  private track(child: ChildProcess): Promise<void> {
    this.children.add(child);
    return new Promise<void>((r) =>
      child.once('exit', () => {
        this.children.delete(child);
        r();
      }),
    );
  }

  /** SIGKILLs one process (or sends `signal`) and waits until it is gone. */
  async kill(proc: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
    await proc.exited;
  }

  /** Kills everything still running (SIGCONT first: a paused child cannot die) */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.children].map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null || c.signalCode !== null) return r();
            c.once('exit', () => r());
            c.kill('SIGCONT');
            c.kill('SIGKILL');
          }),
      ),
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((ok, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => ok(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function waitFor200(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
      last = `${r.status} ${await r.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not 200 within ${timeoutMs} ms (last: ${last})`);
}

/** A gateway answer as the tests read it. */
export interface GatewayReply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
  readonly ms: number;
}

export async function post(url: string, body: unknown): Promise<GatewayReply> {
  const t0 = performance.now();
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: r.status, headers: r.headers, json, ms: performance.now() - t0 };
}

/** Reads one sample value from a Prometheus text exposition (`name{labels}`), 0 when absent. */
export async function metric(baseUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

export function features(seed: number, n = 10): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(((Math.sin(seed * 13.7 + i) + 1) / 2) * 1000) / 1000);
}
