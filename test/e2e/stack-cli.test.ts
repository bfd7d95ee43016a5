/**
 * The game-day commands as a user runs them: `peakready stack up` in the foreground,
 * `chaos inject|list|clear` and `stack status` against it, then Ctrl-C (SIGINT) or a hard
 * SIGKILL of the harness — after which nothing may be left (process table, ports, temp dirs),
 * with `peakready clean` reaping what a SIGKILL left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_DIST } from '../fixtures/local/repo-dist.js';
import { alive, listening, waitFor } from '../fixtures/local/process-check.js';

const run = promisify(execFile);

interface StateFile {
  harnessPid: number;
  adminUrl?: string;
  gatewayUrl?: string;
  processes: { pid: number; label: string; port?: number }[];
  tempDirs: string[];
}

describe('peakready stack / chaos / clean (built CLI)', () => {
  let stateDir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'peakready-cli-state-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await cli(['clean', '--force']).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, PEAKREADY_STATE_DIR: stateDir });

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(REPO_DIST, 'cli', 'main.js'), ...args], { env: env(), timeout: 30_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  async function stackUp(): Promise<{ child: ChildProcess; out: () => string; state: StateFile }> {
    const child = spawn(process.execPath, [join(REPO_DIST, 'cli', 'main.js'), 'stack', 'up', '--services', 'tabular,fallback,gateway'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    const ready = await waitFor(() => /admin http:\/\/127\.0\.0\.1:\d+/.test(out) || child.exitCode !== null, 30_000, 50);
    expect(ready && child.exitCode === null, out).toBe(true);
    console.log(out.split('\n')[0]); // "stack ready in N ms"
    const file = readdirSync(stateDir).find((f) => f.endsWith('.json') && readFileSync(join(stateDir, f), 'utf8').includes(`"harnessPid": ${child.pid}`))!;
    const state = JSON.parse(readFileSync(join(stateDir, file), 'utf8')) as StateFile;
    return { child, out: () => out, state };
  }

  const portOf = (url: string | undefined) => Number(new URL(url!).port);

  it('refuses unknown services (exit 2) and says there is no stack to talk to (exit 3)', async () => {
    const bad = await cli(['stack', 'up', '--services', 'tabular,payments']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--services: expected some of gateway, tabular, fallback, triton, generative, got "payments"');
    const none = await cli(['chaos', 'list']);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('no running local stack found');
  });

  it('serves chaos and status commands, and Ctrl-C leaves no process, port, fault or file behind', async () => {
    const { child, state } = await stackUp();
    const inject = await cli(['chaos', 'inject', 'latency', '--target', 'tabular', '--latency', '200ms', '--for', '1m']);
    expect(inject.stdout).toContain('injected latency-tabular for 60000 ms');
    expect((await cli(['chaos', 'list'])).stdout).toContain('latency-tabular  latency on tabular');
    const status = await cli(['stack', 'status']);
    expect(status.stdout).toMatch(/tabular\s+2\/2/);
    expect(status.stdout).toContain('breakers: tabular=closed');
    const bad = await cli(['chaos', 'inject', 'latency', '--target', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('target: expected one of');
    expect((await cli(['chaos', 'clear'])).stdout).toContain('reverted latency-tabular');
    expect((await cli(['chaos', 'list'])).stdout).toContain('no active faults');
    // A fault still active at Ctrl-C must be reverted with everything else.
    await cli(['chaos', 'inject', 'partition', '--target', 'fallback']);

    const pids = state.processes.map((p) => p.pid);
    const ports = [...state.processes.flatMap((p) => (p.port ? [p.port] : [])), portOf(state.adminUrl), portOf(state.gatewayUrl)];
    expect(pids.length).toBeGreaterThanOrEqual(6); // 4 replicas + redis + prometheus
    child.kill('SIGINT');
    const exited = await waitFor(() => child.exitCode !== null, 15_000);
    expect(exited).toBe(true);
    expect(child.exitCode).toBe(130);
    expect(pids.filter(alive)).toEqual([]);
    expect((await Promise.all(ports.map(listening))).filter(Boolean)).toHaveLength(0);
    expect(state.tempDirs.filter((d) => existsSync(d))).toEqual([]);
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('after SIGKILL of the harness every child dies with it and `peakready clean` reaps the rest', async () => {
    const { child, state } = await stackUp();
    const pids = state.processes.map((p) => p.pid);
    const ports = state.processes.flatMap((p) => (p.port ? [p.port] : []));
    // A replica frozen by a fault (SIGSTOP) cannot notice its lifeline: it must die too.
    expect((await cli(['chaos', 'inject', 'unavailable', '--target', 'fallback'])).stdout).toContain('injected unavailable-fallback');
    child.kill('SIGKILL');
    // Lifelines (node services) and pdeathsig (redis, prometheus): gone within ~2 s.
    expect(await waitFor(() => pids.every((p) => !alive(p)), 3000)).toBe(true);
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(state.tempDirs.some((d) => existsSync(d))).toBe(true);
    const clean = await cli(['clean']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/reaped run stack-.*: 0 process\(es\), \d+ temp dir/);
    expect(state.tempDirs.filter((d) => existsSync(d))).toEqual([]);
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
    expect((await Promise.all(ports.map(listening))).filter(Boolean)).toHaveLength(0);
  });

  it('`peakready clean` kills processes a dead run left running, and only those', async () => {
    const straggler = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(straggler);
    const procStart = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
    const dir = mkdtempSync(join(tmpdir(), 'peakready-leftover-'));
    writeFileSync(
      join(stateDir, 'crashed.json'),
      JSON.stringify({
        runId: 'crashed',
        harnessPid: 2 ** 22 + 7, // no such process: the harness is gone
        harnessStartTime: 1,
        createdAt: new Date().toISOString(),
        processes: [
          { pid: straggler.pid, startTime: procStart(straggler.pid!), label: 'tabular-v1-0' },
          { pid: process.pid, startTime: 1, label: 'recycled pid' }, // same PID, other process: spared
        ],
        tempDirs: [dir],
      }),
    );
    const clean = await cli(['clean']);
    expect(clean.stdout).toContain('reaped run crashed: 1 process(es) [tabular-v1-0');
    expect(await waitFor(() => !alive(straggler.pid!), 3000)).toBe(true);
    expect(alive(process.pid)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
