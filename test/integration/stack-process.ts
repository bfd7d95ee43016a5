/**
 * Starts a built stack service (dist/stack/<service>/main.js) as a real child process on an
 * ephemeral loopback port, waits for its "listening" log line, and stops it. Shared by the
 * stack-*.test.ts files; every process started here is killed by `stopAll()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Every stdout line seen so far (pino JSON). */
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<ChildProcess>();

export interface StartOptions {
  /** Pass a lifeline pipe as fd 3 (PEAKREADY_LIFELINE_FD=3). */
  readonly lifeline?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Start through the role dispatcher (dist/stack/main.js <service>) instead of the service's own main. */
  readonly dispatcher?: boolean;
}

export async function startService(service: string, args: string[] = [], opts: StartOptions = {}): Promise<ServiceProcess> {
  const entry = opts.dispatcher ? ['dist/stack/main.js', service] : [`dist/stack/${service}/main.js`];
  const child = spawn(process.execPath, [...entry, '--port', '0', ...args], {
    stdio: opts.lifeline ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env, ...(opts.lifeline ? { PEAKREADY_LIFELINE_FD: '3' } : {}) },
  });
  started.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${service} did not announce its port in 20 s; stderr: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      try {
        const msg = JSON.parse(line) as { msg?: string; port?: number };
        if (msg.msg === 'listening' && typeof msg.port === 'number') {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {
        // not JSON: ignore
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${service} exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  return { child, port, url: `http://127.0.0.1:${port}`, lines, exited };
}

/** Polls `url` until it answers 200 (e.g. /ready after the model loaded). */
export async function waitFor200(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills every service still running (afterAll, also after failures). */
export async function stopAll(): Promise<void> {
  const waits = [...started].map((c) => new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  }));
  await Promise.all(waits);
}

/** Reads one sample value of a metric from Prometheus text (labels matched as a substring). */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue;
    if (labels && !rest.includes(labels)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json, headers: r.headers };
}

/** Runs a built script to completion (e.g. the model pre-training). */
export async function runBuilt(script: string, args: string[] = []): Promise<string> {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
