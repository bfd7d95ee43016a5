/**
 * Checked before anything starts, through the built CLI: a plan that would fail mid-run or
 * verify nothing exits 2, lists every problem with file and dotted field, and starts nothing
 * (no run-state file, no journal, no process left). `peakready validate` reports the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'peakready-preflight-'));
// Its own run-state folder: other test files start stacks meanwhile, and only what this file starts counts.
const STATE_DIR = join(dir, 'run-state');
const IMPORT = JSON.stringify(join(REPO, 'src', 'index.ts'));

function scenario(name: string, body: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `import { defineScenario, seedMix, slo } from ${IMPORT};\nexport default defineScenario(${body});\n`);
  return file;
}

const stateFiles = () => (existsSync(STATE_DIR) ? readdirSync(STATE_DIR) : []);

function cli(args: string[]) {
  const before = stateFiles();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PEAKREADY_STATE_DIR: STATE_DIR } });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, created: stateFiles().filter((f) => !before.includes(f)) };
}

const TRAFFIC = `{ executor: 'arrival-rate', stages: [{ name: 'a', duration: '5s', rate: 5 }] }`;

describe('peakready run and validate: checked before anything starts', () => {
  const bad = scenario(
    'bad-plan',
    `{ name: 'bad plan', traffic: ${TRAFFIC}, mix: seedMix(),
       faults: [
         { id: 'slow-cache', kind: 'errors', target: 'redis', at: '1s', for: '2s' },
         { id: 'nowhere', kind: 'latency', target: 'checkout', at: '1s', for: '2s', params: { latency: '100ms', rate: 5 } },
         { id: 'forever', kind: 'partition', target: 'triton', at: '1s' },
       ],
       events: [{ kind: 'deploy', service: 'triton', version: 'v2', at: '2s' }],
       stack: { replicas: { tabluar: 3 }, autoscaling: { tabular: { min: 4, max: 2 } }, rollout: { steps: [50, 20], pause: 'soon' },
                gateway: { fallbackPolicy: { maxAvgLatencyMs: -1 }, retries: 3 } },
       slos: [slo.errorRate().below('1%')] }`,
  );
  const expected = [
    'faults[0].target: errors on the local platform supports gateway, tabular, fallback, triton, generative; got "redis"',
    'faults[1].target: latency on the local platform supports gateway, tabular, fallback, triton, generative, redis; got "checkout"',
    'faults[1].params.rate: latency does not read "rate"; it reads latency, jitter, fraction',
    'faults[2].for: partition needs a duration like "30s"',
    'events[0].service: only tabular rolls out model versions, got "triton"',
    'stack.replicas.tabluar: unknown service, expected one of gateway, tabular, fallback, triton, generative',
    'stack.autoscaling.tabular.max: expected an integer >= min (4), got 2',
    'stack.rollout.steps[1]: expected a weight above the step before (50), got 20',
    'stack.rollout.pause: expected a duration > 0 like "30s", got "soon"',
    'stack.gateway.fallbackPolicy.maxAvgLatencyMs:',
    'stack.gateway: unknown option retries',
  ];

  it('run: exit 2, every problem with the file and the dotted field, nothing started', () => {
    const out = join(dir, 'bad-out');
    const r = cli(['run', bad, '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    for (const line of expected) expect(r.stderr).toContain(line);
    expect(r.stderr).toContain('bad-plan.ts: faults[0].target');
    expect(r.stderr).not.toMatch(/starting the stack/);
    expect(r.created).toEqual([]);
    expect(existsSync(join(out, 'journal.json'))).toBe(false);
  });

  it('validate reports the same problems (exit 2); on kubernetes kill-replica may target redis', () => {
    const r = cli(['validate', bad]);
    expect(r.code).toBe(2);
    for (const line of expected) expect(r.stderr).toContain(line);
    const redisKill = scenario('redis-kill', `{ name: 'rk', traffic: ${TRAFFIC}, mix: seedMix(), faults: [{ kind: 'kill-replica', target: 'redis', at: '1s' }], slos: [slo.errorRate().below('1%')] }`);
    expect(cli(['validate', redisKill]).stderr).toContain('faults[0].target: kill-replica on the local platform supports gateway, tabular, fallback, triton, generative; got "redis"');
    const k8s = cli(['validate', '--platform', 'kubernetes', redisKill]);
    expect(k8s.stderr).toBe('');
    expect(k8s.code).toBe(0);
  });

  it('a latency fault on redis is a valid plan now', () => {
    const ok = scenario('redis-latency', `{ name: 'rl', traffic: ${TRAFFIC}, mix: seedMix(), faults: [{ kind: 'latency', target: 'redis', at: '1s', for: '2s', params: { latency: '50ms' } }], slos: [slo.errorRate().below('1%')] }`);
    const r = cli(['validate', ok]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('run with no SLO: exit 2 "nothing to verify", points at peakready load, starts nothing', () => {
    const none = scenario('no-slos', `{ name: 'no slos', traffic: ${TRAFFIC}, mix: seedMix() }`);
    const out = join(dir, 'none-out');
    const r = cli(['run', none, '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-slos.ts: slos: nothing to verify');
    expect(r.stderr).toContain('peakready load');
    expect(r.created).toEqual([]);
    expect(existsSync(join(out, 'journal.json'))).toBe(false);
  });

  it('validate checks a stack file as a stack, and run --stack refuses a bad one before anything starts', () => {
    expect(cli(['validate', 'stacks/reference.ts'])).toMatchObject({ code: 0, stdout: 'ok  stacks/reference.ts\n' });
    const stack = join(dir, 'bad-stack.ts');
    writeFileSync(stack, `import { defineStack } from ${IMPORT};\nexport default defineStack({ name: 'shop', entry: 'web', redis: true, services: { api: { command: ['node', 'api.js'], port: { env: 'PORT' }, ready: '/ready', env: { DB: '{{db.url}}' } } } });\n`);
    const v = cli(['validate', stack]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('bad-stack.ts: entry: expected one of the stack\'s services (api), got "web"');
    expect(v.stderr).toContain('bad-stack.ts: services.api.env.DB: {{db.url}} names no service of the stack (it has api, redis)');
    const ok = scenario('on-shop', `{ name: 'shop', traffic: ${TRAFFIC}, mix: seedMix(), slos: [slo.errorRate().below('1%')] }`);
    const out = join(dir, 'shop-out');
    const r = cli(['run', ok, '--stack', stack, '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad-stack.ts: entry: expected one of');
    expect(r.created).toEqual([]);
    expect(existsSync(join(out, 'journal.json'))).toBe(false);
  });
});
