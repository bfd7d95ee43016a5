/**
 * `peakready capacity` against a service whose capacity is known: the triton simulator with
 * the capacity-triton-4x50ms profile (batching off, 4 instances, 50 ms each → 80 req/s per
 * replica). Runs the built CLI on the local platform the way a user does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapacityResult } from '../../src/capacity/types.js';
import { waitFor } from '../fixtures/local/process-check.js';

const CLI = resolve('dist/cli/main.js');
const PROFILE = 'capacity-triton-4x50ms';
const THEORETICAL_RPS = 4 / 0.05;
mkdirSync(resolve('tmp'), { recursive: true });
const out = mkdtempSync(join(resolve('tmp'), 'capacity-triton-'));
let child: ChildProcess | undefined;

/** Processes started with the capacity profile (only this test uses it). */
function profileProcesses(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${PROFILE}.json`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM'); // the CLI reverts and stops its stack on the first signal
    if (!(await waitFor(() => child!.exitCode !== null, 15_000))) child.kill('SIGKILL');
  }
  rmSync(out, { recursive: true, force: true });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    let stdout = '';
    let stderr = '';
    child = spawn(process.execPath, [CLI, ...args], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

describe('peakready capacity on a service of known capacity', () => {
  it('finds the sustainable rate within 10% of 80 req/s, marks the break and the knee, and leaves nothing running', async () => {
    const { code, stdout, stderr } = await runCli([
      'capacity', 'scenarios/ci-smoke.ts',
      '--service', 'triton', '--profile', PROFILE,
      '--slo', 'p99<250ms', '--slo', 'errors<1%',
      '--start-rate', '30', '--warmup', '1s', '--step-duration', '2s',
      '--peak', '400rps', '--headroom', '25%',
      '--out', out,
    ]);
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);

    const r = JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8')) as CapacityResult;
    expect(r.outcome).toBe('found');
    expect(r.route).toMatchObject({ mode: 'direct', endpoints: ['detailed'] });
    expect(r.sustainablePerReplica!).toBeGreaterThanOrEqual(THEORETICAL_RPS * 0.9);
    expect(r.sustainablePerReplica!).toBeLessThanOrEqual(THEORETICAL_RPS * 1.1);
    expect(r.breakingRps!).toBeGreaterThan(r.sustainableRps!);
    expect(r.breakingReason).toBeTruthy();
    // Below capacity the simulator answers in about its 50 ms compute time.
    const lowest = r.steps.find((s) => s.rate === 30)!;
    expect(lowest.ok).toBe(true);
    expect(lowest.p50).toBeGreaterThanOrEqual(49);
    expect(r.steps.some((s) => s.phase === 'bisect')).toBe(true);
    expect(r.knee).not.toBeNull();
    expect(r.knee!.rate).toBeLessThanOrEqual(r.breakingRps!);
    expect(r.recommendation!.replicas).toBe(Math.ceil((400 * 1.25) / r.sustainablePerReplica! - 1e-9));

    expect(stdout).toMatch(/triton: [\d.]+ rps per replica within the SLOs/);
    const md = readFileSync(join(out, 'capacity.md'), 'utf8');
    expect(md).toContain('| Breaking point |');
    const html = readFileSync(join(out, 'capacity.html'), 'utf8');
    for (const m of ['sustainable', 'breaking', 'knee']) expect(html).toContain(`data-marker="${m}"`);
    expect(existsSync(join(out, 'capacity.json'))).toBe(true);

    expect(await waitFor(() => profileProcesses().length === 0, 5000)).toBe(true);
  }, 90_000);
});
