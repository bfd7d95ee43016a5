/**
 * Issue 17's proof on a stack nobody designed for peakready: the flask-stack fixture (a Flask
 * app in the style of the seed's app.py under gunicorn, its primary model behind a Python
 * model server, its fallback model in-process, Redis as its prediction cache; PyPI packages
 * and scikit-learn models built by its setup.sh) described in test/fixtures/flask-stack/stack.ts
 * and run with the seed's mix while the model server is frozen, then slowed past 500 ms, then
 * Redis is taken away. It passes; with the app's fallback switched off it fails naming the SLOs.
 * A flash sale scales the app out with the stack's own HPA, and a canary of a bad model version
 * is rolled back by the stack's own analysis; without either, the run fails naming the SLO.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../fixtures/local/process-check.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, expectFailsNaming, failedSlos, REPO, runCli } from './run-cli.js';

const FIXTURE = join(REPO, 'test', 'fixtures', 'flask-stack');
let venv = '';
let before = new Set<string>();

/** Processes of the fixture's venv running now. */
function venvProcesses(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => venv !== '' && l.includes(venv));
}

/** Processes of the fixture's venv a run left behind (none may outlive it). */
function leftovers(): string[] {
  return venvProcesses().filter((l) => !before.has(l));
}

beforeAll(() => {
  // The Python environment from PyPI and the trained models (cached after the first time).
  const line = execFileSync('bash', [join(FIXTURE, 'setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  venv = join((JSON.parse(line) as { python: string }).python, '..', '..');
  // Someone else's server from this venv (a developer's, by hand) is not ours to judge.
  before = new Set(venvProcesses());
}, 900_000);

describe("a team's own stack: the seed's Flask app described in a stack file", () => {
  it('passes the readiness scenario: every fault injected into its processes, the fallback read from model_type', async () => {
    const run = await runCli(['run', 'test/fixtures/flask-stack/readiness.ts', '--out', '$OUT', '--quiet']);
    const j = run.journal();
    expect(failedSlos(j), run.stderr.slice(-2000)).toEqual([]);
    expect(j.verdict).toBe('pass');
    expect(run.code).toBe(0);
    expect(j.slos).toHaveLength(8);
    // The default steady state of a stack definition: its entry answers its readiness path (not the reference gateway's routes).
    expect(j.steadyState.before.map((p) => [p.name, p.ok])).toEqual([['app ready', true]]);
    expect(j.steadyState.after.map((p) => [p.name, p.ok])).toEqual([['app ready', true]]);
    expect(j.faults.map((f) => [f.id, f.target, f.notInjected])).toEqual([
      ['model-frozen', 'model-server', undefined],
      ['model-slow', 'model-server', undefined],
      ['redis-gone', 'redis', undefined],
    ]);
    // Classified from the answers' JSON: the app said "fallback" in model_type for part of the run, "primary" for the rest.
    const predict = j.endpoints.find((e) => e.endpoint === 'predict')!;
    expect(predict.modelType.fallback).toBeGreaterThan(50);
    expect(predict.modelType.primary).toBeGreaterThan(predict.modelType.fallback!);
    // The breaker chart's series, sampled each second by the stack's PromQL: closed, open while the model server was frozen, closed again.
    const breaker = j.series.find((s) => s.name === 'breaker:model-server')!.points.map(([, v]) => v);
    expect(breaker[0]).toBe(0);
    expect(breaker).toContain(2);
    expect(breaker.at(-1)).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it("fails with the app's fallback switched off (the stack's switch), naming the SLOs", async () => {
    const run = await runCli(['run', 'test/fixtures/flask-stack/readiness.ts', '--disable', 'fallback', '--out', '$OUT', '--quiet']);
    expectFailsNaming(run, 'every answer is a prediction');
    expectFailsNaming(run, 'fallback carries the frozen model server');
    // The app's breaker (its fallback decision, read by the stack's own PromQL) never opens without a fallback.
    expectFailsNaming(run, "the app's breaker to the model server opens when it freezes");
    expect(leftovers()).toEqual([]);
  });

  it("scales the app out for a flash sale with the stack's own HPA (its request-rate metric); --disable autoscaler fails naming it", async () => {
    const run = await runCli(['run', 'test/fixtures/flask-stack/flash-sale.ts', '--out', '$OUT', '--quiet']);
    const j = run.journal();
    expect(failedSlos(j), run.stderr.slice(-2000)).toEqual([]);
    expect(run.code).toBe(0);
    const scaled = j.events.filter((e) => e.type === 'replicas');
    expect(scaled.length).toBeGreaterThan(0);
    expect(scaled[0]!.message).toMatch(/^app scaled 1 → [23] \(predictions_per_second /);
    expect(leftovers()).toEqual([]);
    const off = await runCli(['run', 'test/fixtures/flask-stack/flash-sale.ts', '--disable', 'autoscaler', '--out', '$OUT', '--quiet']);
    expectFailsNaming(off, 'the app scales out for the flash sale');
    expect(off.journal().events.filter((e) => e.type === 'replicas')).toEqual([]);
    expect(leftovers()).toEqual([]);
  });

  it("rolls a bad model version out as a canary and back on the stack's own analysis; --disable analysis fails naming the rollback", async () => {
    const run = await runCli(['run', 'test/fixtures/flask-stack/canary.ts', '--out', '$OUT', '--quiet']);
    const j = run.journal();
    expect(failedSlos(j), run.stderr.slice(-2000)).toEqual([]);
    expect(run.code).toBe(0);
    // Argo's phases as the local controller reports them: the canary served, its analysis failed, it was aborted.
    const phases = j.events.filter((e) => e.type === 'rollout').map((e) => e.message);
    expect(phases[0]).toMatch(/^model-server rollout Progressing at weight 0% \(v2-bad\)/);
    expect(phases.at(-1)).toMatch(/^model-server rollout Degraded at weight 0% \(v2-bad\): analysis Failed/);
    expect(j.events.filter((e) => e.type === 'analysis').map((e) => e.message)).toContain('model-server analysis model-accuracy: Failed (0)');
    expect(leftovers()).toEqual([]);
    const off = await runCli(['run', 'test/fixtures/flask-stack/canary.ts', '--disable', 'analysis', '--out', '$OUT', '--quiet']);
    expectFailsNaming(off, 'v2-bad rolled back within 15s');
    expectFailsNaming(off, 'no answer from v2-bad after the rollback');
    expect(leftovers()).toEqual([]);
  });

  it('kill -9 of peakready mid-run, with the model server frozen, leaves no process of the stack behind (gunicorn workers included)', async () => {
    const child = spawn(process.execPath, [CLI, 'run', 'test/fixtures/flask-stack/readiness.ts', '--out', mkdtempSync(join(tmpdir(), 'peakready-kill9-'))], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const closed = new Promise((r) => child.on('close', r));
    expect(await waitFor(() => /fault model-frozen started/.test(stderr), 60_000, 100), stderr.slice(-2000)).toBe(true);
    // gunicorn's master and its worker, and the (frozen) model server.
    expect(leftovers().length).toBeGreaterThanOrEqual(3);
    child.kill('SIGKILL');
    await closed;
    expect(await waitFor(() => leftovers().length === 0, 15_000, 200), leftovers().join('\n')).toBe(true);
  });

  it('refuses a switch the stack does not have, before anything starts (exit 2)', async () => {
    const run = await runCli(['run', 'test/fixtures/flask-stack/readiness.ts', '--disable', 'breaker', '--out', '$OUT', '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--disable: expected one of fallback, autoscaler, analysis (the switches of stack flask-seed), got "breaker"');
    expect(leftovers()).toEqual([]);
  });
});
