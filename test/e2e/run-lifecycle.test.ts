/**
 * The run order's guarantees, through the built CLI: the steady-state gate stops a run
 * before any fault, a halt condition aborts and reverts, and Ctrl-C leaves nothing behind.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { alive, listening, waitFor } from '../fixtures/local/process-check.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'peakready-lifecycle-'));
const IMPORT = JSON.stringify(join(REPO, 'src', 'index.ts'));

function scenario(name: string, body: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `import { defineScenario, seedMix, slo } from ${IMPORT};\nexport default defineScenario(${body});\n`);
  return file;
}

/** Every process below `pid` in the process tree, read from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

interface Started {
  readonly pid: number;
  readonly done: Promise<{ code: number | null; stderr: string }>;
  readonly stderr: () => string;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((r) => child.on('close', (code) => r({ code, stderr })));
  return { pid: child.pid!, done, stderr: () => stderr };
}

const journalOf = (out: string): Journal => JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')) as Journal;

describe('peakready run: gate, halt and interrupt', () => {
  it('an unhealthy system before any fault stops the run with exit 1 and says why', async () => {
    const file = scenario(
      'gate',
      `{ name: 'gate', traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '20s', rate: 5 }] }, mix: seedMix(),
         faults: [{ id: 'lat', kind: 'latency', target: 'triton', at: '1s', for: '5s', params: { latency: '100ms' } }],
         steadyState: [{ name: 'status page answers', http: { path: '/no-such-page', expectStatus: 200 } }],
         slos: [slo.errorRate().below('1%')] }`,
    );
    const out = join(dir, 'gate-out');
    const r = await start([file, '--out', out, '--quiet']).done;
    expect(r.code).toBe(1);
    const j = journalOf(out);
    expect(j.status).toBe('steady-state-failed');
    expect(j.reason).toMatch(/steady state not met before any fault: status page answers \(HTTP 404/);
    expect(j.faults).toEqual([]); // no fault was injected
    expect(j.totals.requests).toBe(0); // no traffic was sent
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('status page answers');
  });

  it('a halt condition aborts the run, reverts the fault and fails it', async () => {
    const file = scenario(
      'halt',
      `{ name: 'halt', traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '30s', rate: 20 }] }, mix: seedMix(),
         faults: [{ id: 'gateway-errors', kind: 'errors', target: 'gateway', at: '2s', for: '25s', params: { status: 503, fraction: 1 } }],
         safety: { halt: [{ name: 'error rate above 50% for 3s', metric: 'error-rate', above: 0.5, for: '3s' }] },
         slos: [slo.errorRate().below('1%')] }`,
    );
    const out = join(dir, 'halt-out');
    const r = await start([file, '--out', out, '--quiet']).done;
    expect(r.code).toBe(1);
    const j = journalOf(out);
    expect(j.status).toBe('aborted');
    expect(j.reason).toContain('error rate above 50% for 3s');
    expect(j.events.some((e) => e.type === 'halt')).toBe(true);
    const fault = j.faults.find((f) => f.id === 'gateway-errors')!;
    expect(fault.endMs).toBeLessThan(15_000); // reverted at the halt, not at its planned 27 s
    expect(j.timeline.filter((s) => s.endpoint === '*').length).toBeLessThan(15); // traffic stopped early
  });

  it('Ctrl-C mid-run reverts, tears down, exits 130 and leaves no process or port behind', async () => {
    const file = scenario(
      'interrupt',
      `{ name: 'interrupt', traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '60s', rate: 10 }] }, mix: seedMix(),
         faults: [{ id: 'freeze', kind: 'unavailable', target: 'tabular', at: '1s', for: '50s' }],
         slos: [slo.errorRate().below('50%')] }`,
    );
    const out = join(dir, 'interrupt-out');
    const run = start([file, '--out', out]);
    expect(await waitFor(() => /fault freeze started/.test(run.stderr()), 30_000, 100), run.stderr()).toBe(true);
    const children = descendants(run.pid);
    expect(children.length).toBeGreaterThan(5); // the stack's processes, one frozen by the fault
    const gatewayPort = Number(/gateway http:\/\/127\.0\.0\.1:(\d+)/.exec(run.stderr())?.[1]);
    process.kill(run.pid, 'SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(await waitFor(() => children.every((p) => !alive(p)), 5000)).toBe(true);
    expect(await listening(gatewayPort)).toBe(false);
    const j = journalOf(out);
    expect(j.status).toBe('interrupted');
    expect(existsSync(join(out, 'events.ndjson'))).toBe(true);
  });
});

describe('peakready run: the terminal goes away', () => {
  it('with its output pipe closed (a CI runner or `| head` gone), Ctrl-C still reverts, tears down and exits 130', async () => {
    const file = scenario(
      'orphan',
      `{ name: 'orphan', traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '60s', rate: 10 }] }, mix: seedMix(),
         faults: [{ id: 'freeze', kind: 'unavailable', target: 'tabular', at: '1s', for: '50s' }],
         slos: [slo.errorRate().below('50%')] }`,
    );
    const out = join(dir, 'orphan-out');
    const child = spawn(process.execPath, [CLI, 'run', file, '--out', out], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await waitFor(() => /fault freeze started/.test(stderr), 30_000, 100), stderr).toBe(true);
    const children = descendants(child.pid!);
    // Nobody reads its output any more: every later progress line fails with EPIPE.
    child.stdout.destroy();
    child.stderr.destroy();
    await new Promise((r) => setTimeout(r, 2500));
    process.kill(child.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 30 s'), 30_000))]);
    if (code === 'still running after 30 s') process.kill(child.pid!, 'SIGKILL');
    expect(code).toBe(130);
    expect(await waitFor(() => children.every((p) => !alive(p)), 5000)).toBe(true);
    expect(journalOf(out).status).toBe('interrupted');
  });
});
