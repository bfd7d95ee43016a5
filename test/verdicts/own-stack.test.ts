/**
 * Issue 17's proof on a stack nobody designed for peakready: the flask-stack fixture (a Flask
 * app in the style of the seed's app.py under gunicorn, its primary model behind a Python
 * model server, its fallback model in-process, Redis as its prediction cache; PyPI packages
 * and scikit-learn models built by its setup.sh) described in test/fixtures/flask-stack/stack.ts
 * and run with the seed's mix while the model server is frozen, then slowed past 500 ms, then
 * Redis is taken away. It passes; with the app's fallback switched off it fails naming the SLOs.
 * A flash sale scales the app out with the stack's own HPA; without it, the run fails.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFailsNaming, failedSlos, REPO, runCli } from './run-cli.js';

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
    expect(j.slos).toHaveLength(7);
    expect(j.faults.map((f) => [f.id, f.target, f.notInjected])).toEqual([
      ['model-frozen', 'model-server', undefined],
      ['model-slow', 'model-server', undefined],
      ['redis-gone', 'redis', undefined],
    ]);
    // Classified from the answers' JSON: the app said "fallback" in model_type for part of the run, "primary" for the rest.
    const predict = j.endpoints.find((e) => e.endpoint === 'predict')!;
    expect(predict.modelType.fallback).toBeGreaterThan(50);
    expect(predict.modelType.primary).toBeGreaterThan(predict.modelType.fallback!);
    expect(leftovers()).toEqual([]);
  });

  it("fails with the app's fallback switched off (the stack's switch), naming the SLOs", async () => {
    const run = await runCli(['run', 'test/fixtures/flask-stack/readiness.ts', '--disable', 'fallback', '--out', '$OUT', '--quiet']);
    expectFailsNaming(run, 'every answer is a prediction');
    expectFailsNaming(run, 'fallback carries the frozen model server');
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

  it('refuses a switch the stack does not have, before anything starts (exit 2)', async () => {
    const run = await runCli(['run', 'test/fixtures/flask-stack/readiness.ts', '--disable', 'breaker', '--out', '$OUT', '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--disable: expected one of fallback, autoscaler (the switches of stack flask-seed), got "breaker"');
    expect(leftovers()).toEqual([]);
  });
});
