/**
 * `peakready capacity` on a team's own stack (issue 17): the flask-stack fixture (gunicorn +
 * Flask app, a Python model server, redis-server; PyPI venv and models from its setup.sh)
 * described by test/fixtures/flask-stack/stack.ts, searched through the built CLI with the
 * seed's mix sent unchanged to its entry service, the app pinned to one replica, its HPA
 * off and its fallback switched off with the stack's own switch. Real processes only; none
 * of them may outlive the search. The run's processes are found by a marker in the CLI's
 * environment, which they inherit, so another stack running on the machine does not count.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapacityResult } from '../../src/capacity/types.js';

const CLI = resolve('dist/cli/main.js');
const FIXTURE = resolve('test/fixtures/flask-stack');
const out = mkdtempSync(join(tmpdir(), 'peakready-cap-own-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let venv = '';

/**
 * Runs the built CLI with a marker in its environment, which every process it starts
 * inherits: `seen` is what carried the marker while it ran (sampled every 300 ms), so the
 * processes of this run are told apart from any other stack on the machine.
 */
function cli(args: string[], timeout = 150_000): Promise<{ code: number; stdout: string; stderr: string; seen: Set<string>; mark: string }> {
  const mark = `capacity-own-stack-${randomBytes(6).toString('hex')}`;
  const seen = new Set<string>();
  const poll = setInterval(() => {
    for (const cmd of marked(mark)) seen.add(cmd);
  }, 300);
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd: resolve('.'), timeout, env: { ...process.env, NO_COLOR: '1', PEAKREADY_TEST_MARK: mark } }, (err, stdout, stderr) => {
      clearInterval(poll);
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, seen, mark });
    });
  });
}

/** Command lines of the running processes whose environment carries `mark`. */
function marked(mark: string): string[] {
  const needle = `PEAKREADY_TEST_MARK=${mark}`;
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(needle)) continue;
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim());
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

beforeAll(() => {
  // The Python environment from PyPI and the trained models (cached after the first time, about 20 s before).
  const line = execFileSync('bash', [join(FIXTURE, 'setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  venv = join((JSON.parse(line) as { python: string }).python, '..', '..');
}, 900_000);

describe("peakready capacity on a team's own stack (the flask fixture's stack file)", () => {
  it('refuses a service the stack does not have, --profile, a local-only stack file on kubernetes and --disable there, before anything starts (exit 2)', async () => {
    const r = await cli(['capacity', 'test/fixtures/flask-stack/capacity.ts', '--service', 'gateway', '--platform', 'kubernetes', '--profile', 'capacity-triton-4x50ms', '--disable', 'breaker'], 60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid input, nothing was started (9 problems)');
    expect(r.stderr).toContain('--service: expected one of app, model-server (the services of stack flask-seed, test/fixtures/flask-stack/stack.ts), got "gateway"');
    // The local stack file says nothing of where the stack lives on a cluster (stack.kubernetes.ts does).
    expect(r.stderr).toContain('test/fixtures/flask-stack/stack.ts: services.app.kubernetes: required on the kubernetes platform');
    expect(r.stderr).toContain("--profile: only for the reference stack's simulators (triton, generative); stack flask-seed (test/fixtures/flask-stack/stack.ts)");
    expect(r.stderr).toContain('--disable breaker: on the kubernetes platform peakready does not reconfigure stack flask-seed (test/fixtures/flask-stack/stack.ts)');
    // Loading the stack file runs its setup.sh; no service, Redis or Prometheus may start.
    expect([...r.seen].filter((c) => /gunicorn|model_server\.py|redis-server|prometheus/.test(c))).toEqual([]);
    expect(marked(r.mark)).toEqual([]);
  });

  it('finds how many requests/s one app replica sustains with its fallback off, names the stack in capacity.json, and leaves no process behind', async () => {
    const dir = join(out, 'app');
    const r = await cli([
      'capacity', 'test/fixtures/flask-stack/capacity.ts',
      '--service', 'app', '--disable', 'fallback',
      '--step-duration', '2s', '--warmup', '1s', '--repeats', '1', '--start-rate', '5', '--max-rate', '200', '--precision', '20%',
      '--out', dir,
    ]);
    const files = ['capacity.json', 'capacity.md', 'capacity.html'];
    for (const f of files) expect(existsSync(join(dir, f)), `${f}\n${r.stderr.slice(-3000)}`).toBe(true);
    const j = JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')) as CapacityResult;

    // Exit code as the command defines it: 1 only when not even the lowest rate met the SLOs.
    expect(['found', 'no-break', 'none-sustainable'], r.stderr.slice(-3000)).toContain(j.outcome);
    expect(r.code).toBe(j.outcome === 'none-sustainable' ? 1 : 0);

    // The stack and the service, and how the traffic reached it.
    expect(j.stack).toEqual({ name: 'flask-seed', file: 'test/fixtures/flask-stack/stack.ts', entry: 'app' });
    expect(j.service).toBe('app');
    expect(j.platform).toBe('local');
    expect(j.route.mode).toBe('entry');
    expect(j.route.endpoints).toEqual(['predict', 'detailed', 'batch']);
    expect(j.disabled).toEqual(['autoscaler', 'fallback']);
    expect(j.settings.replicas).toBe(1);
    expect(r.stderr).toContain('starting stack flask-seed (test/fixtures/flask-stack/stack.ts) with app ×1 on the local platform, autoscaler, fallback off');

    // A breaking point with its reason, or the max rate reached without one.
    expect(j.steps.length).toBeGreaterThan(0);
    expect(j.steps.every((s) => s.requests > 0)).toBe(true);
    if (j.breakingRps !== null) {
      expect(j.breakingReason).toMatch(/p99 < 250ms|error_rate < 1%|backlog grew/);
      expect(r.stdout).toContain(`breaking point ${j.breakingRps} rps: ${j.breakingReason}`);
    } else {
      expect(j.outcome).toBe('no-break');
      expect(r.stdout).toContain('no SLO broke up to 200 rps');
    }
    expect(r.stdout).toContain('stack flask-seed (test/fixtures/flask-stack/stack.ts): traffic to its entry service app; switched off: autoscaler, fallback');
    const md = readFileSync(join(dir, 'capacity.md'), 'utf8');
    expect(md).toContain('stack **flask-seed** (`test/fixtures/flask-stack/stack.ts`) · local platform · 1 replica of app');
    expect(readFileSync(join(dir, 'capacity.html'), 'utf8')).toContain('stack <strong>flask-seed</strong>');

    // The stack's real processes ran (gunicorn and its worker, model_server.py),
    // and every one of them is gone with the search.
    const ran = [...r.seen];
    expect(ran.some((c) => c.includes(venv) && c.includes('gunicorn') && c.includes('app:app')), ran.join('\n')).toBe(true);
    expect(ran.some((c) => c.includes(venv) && c.includes('model_server.py')), ran.join('\n')).toBe(true);
    expect(marked(r.mark)).toEqual([]);
  }, 150_000);
});
