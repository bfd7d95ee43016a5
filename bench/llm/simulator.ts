/**
 * The generative simulator (vLLM-like, dist/stack/generative) for the LLM benchmarks: started
 * the way the tests and the local platform start it (node flags of src/stack/node-flags.ts,
 * the built entry in dist/, port 0, "listening" log line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { serviceNodeFlags } from '../../src/stack/node-flags.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Starts dist/stack/generative/main.js on a free loopback port; resolves with its base URL. */
export function startSimulator(profile: string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const entry = join(ROOT, 'dist', 'stack', 'generative', 'main.js');
  if (!existsSync(entry)) return Promise.reject(new Error(`${entry} is missing: build first (make build)`));
  const args = [...serviceNodeFlags('generative'), entry, '--port', '0', ...(profile ? ['--profile', resolve(profile)] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the simulator did not announce its port in 20 s; stderr: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { msg?: string; port?: number };
        if (msg.msg === 'listening' && typeof msg.port === 'number') {
          clearTimeout(timer);
          ok({ child, url: `http://127.0.0.1:${msg.port}` });
        }
      } catch {
        // not JSON
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the simulator exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

/** Polls /ready (the simulator's warm-up) until it answers 200. */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/ready`);
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/ready not 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

