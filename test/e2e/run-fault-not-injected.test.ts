/**
 * A planned fault that the platform cannot inject aborts the run through the built CLI:
 * exit 3, the faults already on are reverted, the load stops, and every report says which
 * fault was not injected and why. The run never passes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'peakready-not-injected-'));
const IMPORT = JSON.stringify(join(REPO, 'src', 'index.ts'));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr })));
}

describe('peakready run: a fault that cannot be injected', () => {
  it('aborts with exit 3, reverts the fault already on, stops the load and names the fault in summary.md, junit.xml and report.html', async () => {
    // Passes validation, fails at injection: there is no triton replica to kill.
    const file = join(dir, 'kill-nothing.ts');
    writeFileSync(
      file,
      `import { defineScenario, seedMix, slo } from ${IMPORT};
export default defineScenario({ name: 'kill-nothing', traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '30s', rate: 10 }] }, mix: seedMix(),
  stack: { replicas: { triton: 0 } },
  faults: [
    { id: 'slow-gateway', kind: 'latency', target: 'gateway', at: '1s', for: '60s', params: { latency: '50ms' } },
    { id: 'kill-triton', kind: 'kill-replica', target: 'triton', at: '3s' },
  ],
  slos: [slo.errorRate().below('50%')] });\n`,
    );
    const out = join(dir, 'out');
    const r = await run([file, '--out', out, '--quiet']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/ERROR \(fault-not-injected\)/);
    const message = 'fault kill-triton was not injected: faults.kill-triton: triton has no running replica to kill';
    for (const report of ['summary.md', 'junit.xml', 'report.html']) expect(readFileSync(join(out, report), 'utf8'), report).toContain(message);
    const j = JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')) as Journal;
    expect(j.status).toBe('fault-not-injected');
    expect(j.verdict).toBe('error');
    expect(j.resilienceScore).toBe(0);
    const slow = j.faults.find((f) => f.id === 'slow-gateway')!;
    const kill = j.faults.find((f) => f.id === 'kill-triton')!;
    expect(kill.notInjected).toMatch(/no running replica/);
    // The latency planned for 60 s was reverted when the run aborted, about 3 s in.
    expect(slow.endMs).toBeLessThan(8000);
    // The load stopped: a 30 s stage at 10 req/s would have sent ~300 requests.
    expect(j.totals.requests).toBeLessThan(120);
  }, 60_000);
});
