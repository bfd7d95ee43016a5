/**
 * A game day on a team's own stack, with the built CLI and real processes: the flask-stack
 * fixture (gunicorn + Flask app, a Python model server, redis-server; its setup.sh builds a
 * PyPI venv on first use) started by `peakready stack up --stack <file> --detach`, inspected
 * with `stack status`, its model server frozen with `chaos inject unavailable` (the app's JSON
 * then says model_type "fallback"), reverted, and stopped with `stack down`; afterwards no
 * gunicorn, model_server.py or redis-server of that run and no run-state file is left. Bad
 * input is refused before anything starts (exit 2). The console of the own stack (`--dashboard`)
 * offers the stack's targets, sends the seed mix to the entry, classifies the answers by the
 * stack's classifier and shows no gateway Prometheus view.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { alive, listening, waitFor } from '../fixtures/local/process-check.js';
import { REPO_DIST } from '../fixtures/local/repo-dist.js';

const run = promisify(execFile);
const REPO = join(REPO_DIST, '..');
const FIXTURE = join(REPO, 'test', 'fixtures', 'flask-stack');
const STACK = 'test/fixtures/flask-stack/stack.ts';
let stateDir = '';
let venv = '';
const children: ChildProcess[] = [];
const dirs: string[] = [];

interface StateFile {
  harnessPid: number;
  adminUrl?: string;
  gatewayUrl?: string;
  processes: { pid: number; label: string; port?: number }[];
  tempDirs: string[];
}

const env = () => ({ ...process.env, PEAKREADY_STATE_DIR: stateDir, NO_COLOR: '1' });

async function cli(args: string[], timeout = 90_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(REPO_DIST, 'cli', 'main.js'), ...args], { cwd: REPO, env: env(), timeout });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Every descendant of `pid` with its command line (to tell a reused pid apart). */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=']).toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (p: number) => rows.filter(([, pp]) => pp === p).forEach(([c]) => (found.push(c), walk(c)));
  walk(pid);
  return found.map((p) => ({ pid: p, cmd: existsSync(`/proc/${p}/cmdline`) ? readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ') : '' }));
}

const stillThere = (p: { pid: number; cmd: string }): boolean =>
  alive(p.pid) && existsSync(`/proc/${p.pid}/cmdline`) && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replaceAll('\0', ' ') === p.cmd;

const stateFiles = () => readdirSync(stateDir).filter((f) => f.endsWith('.json'));

/** One seed-style prediction against the entry: the app's JSON answer. */
async function predict(entry: string, i: number): Promise<{ status: number; body: { model_type?: string } }> {
  const features = Array.from({ length: 10 }, (_, k) => Math.round(((i * 7 + k * 13) % 100) * 10) / 1000);
  const res = await fetch(`${entry}/api/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }), signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as { model_type?: string } };
}

/** Sends predictions until one answers with `modelType` (or `max` were sent); returns it, or undefined. */
async function predictUntil(entry: string, modelType: string, max: number): Promise<{ status: number; body: { model_type?: string } } | undefined> {
  for (let i = 0; i < max; i++) {
    const r = await predict(entry, i).catch(() => undefined);
    if (r?.status === 200 && r.body.model_type === modelType) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  return undefined;
}

beforeAll(() => {
  // The fixture's Python environment from PyPI and its trained models (cached after the first time).
  const line = execFileSync('bash', [join(FIXTURE, 'setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  venv = join((JSON.parse(line) as { python: string }).python, '..', '..');
  stateDir = mkdtempSync(join(tmpdir(), 'peakready-own-stack-state-'));
  dirs.push(stateDir);
}, 900_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGINT');
  await waitFor(() => children.every((c) => c.exitCode !== null || c.signalCode !== null), 20_000, 100);
  if (stateFiles().length > 0) await cli(['clean', '--force']);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 60_000);

describe('stack up --stack: a game day on a team\'s own stack (flask-stack fixture, built CLI)', () => {
  it('refuses bad input before anything starts (exit 2), naming the flags and the stack', async () => {
    const bad = await cli(['stack', 'up', '--stack', STACK, '--detach', '--replicas', 'web=2', '--autoscale', 'app=1:4', '--no-fallback', '--disable', 'breaker', '--services', 'app']);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toContain('invalid input, nothing was started (5 problems):');
    for (const line of [
      `--autoscale: the stack flask-seed (${STACK}) declares its HPAs in its stack file (services.<name>.autoscaling); leave --autoscale out (--disable autoscaler switches them off)`,
      "--no-fallback: switches the reference gateway's fallback; with --stack use --disable <mechanism>, one of fallback, autoscaler, analysis",
      '--replicas: expected services of the stack flask-seed (app, model-server), got "web"',
      '--disable: expected one of fallback, autoscaler, analysis (the switches of stack flask-seed), got "breaker"',
      `--services: app needs model-server ({{model-server.url}} in services.app.env.MODEL_SERVER_URL of ${STACK}); add model-server, or leave --services out`,
    ]) {
      expect(bad.stderr).toContain(line);
    }
    // Nothing started: no background stack, no log, no run-state file.
    expect(readdirSync(stateDir)).toEqual([]);
    const missing = await cli(['stack', 'up', '--stack', 'stacks/nope.ts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--stack: stacks/nope.ts: stack file not found');
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it('up --detach, status, chaos inject unavailable on model-server (the fallback answers), revert, down: nothing left', async () => {
    const t0 = performance.now();
    const up = await cli(['stack', 'up', '--stack', STACK, '--detach']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const entry = /^entry app (http:\/\/127\.0\.0\.1:\d+)$/m.exec(up.stdout)?.[1] ?? '';
    expect(entry, up.stdout).not.toBe('');
    expect(up.stdout).not.toMatch(/^gateway /m);
    console.log(`own stack up --detach in ${Math.round(performance.now() - t0)} ms`);
    const [file] = stateFiles();
    const state = JSON.parse(readFileSync(join(stateDir, file!), 'utf8')) as StateFile;
    expect(state.gatewayUrl).toBe(entry);
    expect(state.processes.map((p) => p.label).sort()).toEqual(['app-v1-0', 'model-server-v1-0', 'prometheus', 'redis']);

    const status = await cli(['stack', 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^stack flask-seed \\(${STACK.replaceAll('/', '\\/').replaceAll('.', '\\.')}\\)$`, 'm'));
    expect(status.stdout).toMatch(/^app\s+1\/1\s+0\s+v1\s+http:\/\/127\.0\.0\.1:\d+ \(app-v1-0\)$/m);
    expect(status.stdout).toMatch(/^model-server\s+1\/1\s+0\s+v1\s+http:\/\/127\.0\.0\.1:\d+ \(model-server-v1-0\)$/m);
    expect(status.stdout).toMatch(/^redis\s+1\/1\s+0\s+-\s+127\.0\.0\.1:\d+$/m);
    expect(status.stdout).toContain('active faults: none');
    expect(status.stdout).toContain(`entry app ${entry}\n`);
    expect(status.stdout).not.toMatch(/^gateway /m);

    expect((await predictUntil(entry, 'primary', 20))?.body.model_type).toBe('primary');

    // A target the stack does not have: exit 2 naming the stack's targets; nothing injected.
    const wrong = await cli(['chaos', 'inject', 'unavailable', '--target', 'tabular']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--target: expected one of app, model-server, redis (what unavailable acts on in the stack flask-seed), got "tabular"');
    const noRedisKill = await cli(['chaos', 'inject', 'errors', '--target', 'redis']);
    expect(noRedisKill.code).toBe(2);
    expect(noRedisKill.stderr).toContain('--target: expected one of app, model-server (what errors acts on in the stack flask-seed), got "redis"');
    expect((await cli(['chaos', 'list'])).stdout).toContain('no active faults');

    const inject = await cli(['chaos', 'inject', 'unavailable', '--target', 'model-server']);
    expect(inject.code, inject.stderr).toBe(0);
    expect(inject.stdout).toContain('injected unavailable-model-server');
    expect((await cli(['stack', 'status'])).stdout).toMatch(/^ {2}unavailable-model-server {2}unavailable on model-server, \d+ s$/m);
    // The frozen model server costs the app its 0.5 s timeout, then its in-process fallback answers.
    const fallback = await predictUntil(entry, 'fallback', 20);
    expect(fallback?.status).toBe(200);
    expect(fallback?.body.model_type).toBe('fallback');

    const revert = await cli(['chaos', 'clear']);
    expect(revert.stdout).toContain('reverted unavailable-model-server');
    expect((await cli(['chaos', 'list'])).stdout).toContain('no active faults');
    // Thawed: the model server is ready again, and the app goes back to it once its error window clears.
    expect(await waitFor(async () => /^model-server\s+1\/1/m.test((await cli(['stack', 'status'])).stdout), 10_000, 250)).toBe(true);
    expect((await predictUntil(entry, 'primary', 100))?.body.model_type).toBe('primary');

    // Everything the harness runs: gunicorn (master and worker), model_server.py, redis-server, prometheus.
    const procs = descendants(state.harnessPid);
    for (const name of ['gunicorn', 'model_server.py', 'redis-server', 'prometheus']) expect(procs.some((p) => p.cmd.includes(name)), `${name} in ${procs.map((p) => p.cmd).join('\n')}`).toBe(true);
    expect(procs.filter((p) => p.cmd.includes(venv)).length).toBeGreaterThanOrEqual(3);
    const ports = [Number(new URL(entry).port), Number(new URL(state.adminUrl!).port), ...state.processes.flatMap((p) => (p.port ? [p.port] : []))];

    const down = await cli(['stack', 'down']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('stack stopped');
    expect(alive(state.harnessPid)).toBe(false);
    expect(await waitFor(() => procs.every((p) => !stillThere(p)), 5000, 100), procs.filter(stillThere).map((p) => p.cmd).join('\n')).toBe(true);
    expect((await Promise.all(ports.map(listening))).filter(Boolean)).toHaveLength(0);
    expect(state.tempDirs.filter((d) => existsSync(d))).toEqual([]);
    expect(stateFiles()).toEqual([]);
    const none = await cli(['stack', 'status']);
    expect(none.code).toBe(3);
  }, 180_000);

  it("the console of the own stack: the stack's targets, the seed mix to its entry classified by model_type, no gateway Prometheus view", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peakready-own-console-'));
    dirs.push(dir);
    const child = spawn(process.execPath, [join(REPO_DIST, 'cli', 'main.js'), 'stack', 'up', '--stack', STACK, '--dashboard', '--dashboard-out', join(dir, 'game-day')], { cwd: REPO, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    const url = (label: string): string => new RegExp(`^${label} (http://127\\.0\\.0\\.1:\\d+/?)$`, 'm').exec(out)?.[1] ?? '';
    expect(await waitFor(() => url('dashboard') !== '' || child.exitCode !== null, 60_000, 100), out).toBe(true);
    expect(child.exitCode, out).toBeNull();
    const dashboard = url('dashboard');
    const entry = url('entry app');
    expect(entry, out).not.toBe('');
    const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
      const res = await fetch(new URL(path, dashboard), { method, headers: { 'content-type': 'application/json', 'x-peakready-console': '1' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, json: (await res.json()) as T };
    };
    type Point = { t: number; requests: number; fallbackShare?: number | null };
    type State = { points: Point[]; gateway: unknown[]; status: { services: { name: string }[] } };

    // The fault form's targets are the stack's; the page learns which stack, its entry and classifier.
    const catalogue = await api<{ targets: string[]; traffic: { mix: string; target: string }; stack: { name: string; entry: string; classifier: { fallback: string; cache?: string } } }>('GET', '/api/catalogue');
    expect(catalogue.json.targets).toEqual(['app', 'model-server', 'redis']);
    expect(catalogue.json.traffic).toEqual({ mix: 'seed mix', target: 'app' });
    expect(catalogue.json.stack).toMatchObject({ name: 'flask-seed', entry: 'app', classifier: { fallback: 'JSON model_type = "fallback"', cache: 'JSON cached' } });
    expect((await api<{ error: { message: string } }>('POST', '/api/faults', { kind: 'errors', target: 'redis' })).json.error.message).toBe('target: errors acts on app, model-server, got "redis"');

    // The page: the stack's targets in the form, the gateway view replaced by what the console does read.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(dashboard, { waitUntil: 'load' });
      await expect.poll(() => page.locator('#f-target option').allTextContents(), { timeout: 10_000 }).toEqual(['app', 'model-server', 'redis']);
      await expect.poll(() => page.locator('#own-view').isVisible(), { timeout: 5000 }).toBe(true);
      expect(await page.locator('#gw-tiles').isVisible()).toBe(false);
      expect(await page.locator('#gw-caption').isVisible()).toBe(false);
      expect(await page.locator('#entry-note').textContent()).toContain('The entry is not read from Prometheus');
      expect(await page.locator('#chart-fallback figcaption').textContent()).toBe('fallback share (JSON model_type = "fallback")');
      await page.locator('#traffic-start').click();
      expect(await page.locator('#confirm-text').textContent()).toMatch(/^Start background traffic \(seed mix\) at 20 req\/s against app\?$/);
      await page.locator('#confirm-no').click();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }

    // The seed mix to the entry; answers classified by the app's JSON model_type (the reference headers would say nothing).
    expect((await api('POST', '/api/traffic', { rate: 12 })).status).toBe(200);
    const classified = async (check: (share: number) => boolean) => {
      const s = (await api<State>('GET', '/api/state')).json;
      return s.points.slice(-2).some((p) => p.requests > 0 && typeof p.fallbackShare === 'number' && check(p.fallbackShare));
    };
    expect(await waitFor(() => classified((f) => f === 0), 15_000, 250)).toBe(true);
    expect((await api('POST', '/api/faults', { kind: 'unavailable', target: 'model-server', for: '6s' })).status).toBe(201);
    expect(await waitFor(() => classified((f) => f > 0.5), 15_000, 250)).toBe(true);
    const state = (await api<State>('GET', '/api/state')).json;
    expect(state.gateway).toEqual([]);
    expect(state.status.services.map((s) => s.name)).toEqual(['app', 'model-server', 'redis', 'prometheus']);
    expect((await api('POST', '/api/halt')).status).toBe(200);

    const procs = descendants(child.pid!);
    expect(procs.some((p) => p.cmd.includes('gunicorn'))).toBe(true);
    child.kill('SIGINT');
    expect(await waitFor(() => child.exitCode !== null, 30_000, 100), out).toBe(true);
    expect(child.exitCode).toBe(130);
    expect(await waitFor(() => procs.every((p) => !stillThere(p)), 5000, 100), procs.filter(stillThere).map((p) => p.cmd).join('\n')).toBe(true);
    expect(stateFiles()).toEqual([]);

    // The game day's journal: the seed mix's endpoints counted by the stack's classifier, the fault on the timeline, no gateway series.
    const gd = join(dir, 'game-day');
    const journal = JSON.parse(readFileSync(join(gd, 'journal.json'), 'utf8')) as Journal;
    const predictResult = journal.endpoints.find((e) => e.endpoint === 'predict')!;
    expect(predictResult.modelType.primary).toBeGreaterThan(0);
    expect(predictResult.modelType.fallback).toBeGreaterThan(0);
    expect(journal.faults.map((f) => [f.id, f.kind, f.target])).toEqual([['unavailable-model-server', 'unavailable', 'model-server']]);
    expect(journal.events.find((e) => e.type === 'traffic')?.message).toBe('background traffic started at 12 req/s (seed mix) against app');
    expect(readFileSync(join(gd, 'events.ndjson'), 'utf8')).not.toContain('gateway-prometheus');
  }, 180_000);
});
