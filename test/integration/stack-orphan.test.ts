import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A service whose log reader has gone (the harness died, the pipe broke) must still obey
 * SIGTERM: before the fix the gateway hung forever inside process.exit(), flushing its log
 * into the broken pipe.
 */
const children = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

type Ending = 'SIGTERM' | 'lifeline';

async function orphanThen(role: string, closeReaderAt: 'first-line' | 'listening', ending: Ending = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stderr: string }> {
  const child = spawn(process.execPath, ['dist/stack/main.js', role, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...(ending === 'lifeline' ? { PEAKREADY_LIFELINE_FD: '3' } : {}) },
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${role} printed nothing in 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (closeReaderAt === 'first-line' || out.includes('"listening"')) {
        clearTimeout(timer);
        child.stdout!.destroy();
        resolve();
      }
    });
  });
  // Let the service write into the broken pipe (startup lines, the listening line).
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  if (ending === 'SIGTERM') child.kill('SIGTERM');
  else (child.stdio[3] as NodeJS.WritableStream & { destroy(): void }).destroy();
  const res = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 8000))]);
  children.delete(child);
  if (!res) {
    child.kill('SIGKILL');
    return { code: null, signal: null, ms: Date.now() - t0, stderr };
  }
  return { ...res, ms: Date.now() - t0, stderr };
}

describe('a service whose stdout reader has gone', () => {

  for (const role of ['gateway', 'tabular', 'fallback', 'triton', 'generative']) {
    it(`${role}: exits 0 within 5 s of SIGTERM`, async () => {
      const r = await orphanThen(role, 'listening');
      expect(r.stderr).toBe('');
      expect(r.code, `${role} did not exit (${r.ms} ms)`).toBe(0);
      expect(r.ms).toBeLessThan(5000);
    });
  }

  it('gateway: a reader gone before the listening line neither crashes the service nor blocks its exit', async () => {
    const r = await orphanThen('gateway', 'first-line');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
  });

  it('gateway: exits when its lifeline closes while its stdout reader is gone (the harness died)', async () => {
    const r = await orphanThen('gateway', 'listening', 'lifeline');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
  });
});
