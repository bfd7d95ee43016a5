/**
 * Distributed load, the runner side: `peakready load --scenario FILE --runners N
 * --runner-index I --emit-histograms` as a pod of the Indexed Job runs it (the scenario
 * bundled by the harness, on a read-only mount), and the harness-side merge of what the
 * runners print. kwok cannot run the image, so the runners run here, on loopback.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScenario } from '../../src/platforms/kubernetes/scenario-bundle.js';
import { mergeRunnerLoad, mergeRunnerResults, parseRunnerLog, RESULT_PREFIX } from '../../src/platforms/kubernetes/runner-results.js';

const CLI = resolve('dist/cli/main.js');
mkdirSync(resolve('tmp'), { recursive: true });
const dir = mkdtempSync(join(resolve('tmp'), 'load-runners-'));
// The runner's working folder: it must not get a reports/ folder (a pod has none to keep).
const cwd = mkdtempSync(join(tmpdir(), 'load-runner-cwd-'));
const mount = join(dir, 'scenario');
let server: Server;
let url = '';
let received = 0;

/** Root ignores file modes: then the runner runs as nobody, as the image's non-root user would. */
function cli(args: string[], runner = true): Promise<{ code: number; stdout: string; stderr: string }> {
  const asNobody = runner && process.getuid?.() === 0;
  const [cmd, argv] = asNobody ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  return new Promise((res) => {
    execFile(cmd, argv as string[], { cwd, timeout: 60_000, env: { ...process.env, JOB_COMPLETION_INDEX: '' } }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    req.resume();
    // Like the seed's app: its JSON answer says which model answered (the fallback for predict).
    req.on('end', () => res.setHeader('content-type', 'application/json').end(req.url === '/api/v1/predict' ? '{"model_type":"fallback","cached":false}' : '{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  chmodSync(dir, 0o755);
  chmodSync(cwd, 0o777);
  const index = relative(dir, resolve('src/index.js')).replace(/\\/g, '/');
  writeFileSync(
    join(dir, 'split.ts'),
    `import { defineScenario } from '${index}';
export default defineScenario({ name: 'split', traffic: { executor: 'arrival-rate', stages: [{ name: 'only', duration: '2s', rate: 40 }] },
  mix: { predict: { weight: 3, request: (c) => ({ method: 'POST', path: '/api/v1/predict', body: { features: c.features(10) } }) }, health: { weight: 1, request: () => ({ path: '/health' }) } } });
`,
  );
  // What the ConfigMap mount holds: the harness's bundle, read-only.
  mkdirSync(mount);
  writeFileSync(join(mount, 'scenario.mjs'), await bundleScenario(join(dir, 'split.ts')));
  chmodSync(join(mount, 'scenario.mjs'), 0o444);
  chmodSync(mount, 0o555);
});

afterAll(async () => {
  chmodSync(mount, 0o755);
  rmSync(dir, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const runnerArgs = (i: number, n = 2): string[] => ['load', '--scenario', join(mount, 'scenario.mjs'), '--target', url, '--runners', String(n), '--runner-index', String(i), '--seed', '5', '--emit-histograms'];

describe('peakready load as one of N runners', () => {
  it('the bundle keeps peakready external and inlines nothing of the harness', async () => {
    const text = await bundleScenario(join(dir, 'split.ts'));
    expect(text).toMatch(/from "peakready"/);
    expect(text).not.toMatch(/function defineScenario\(/);
  });

  it('each runner sends its share of the rate and ends with one result line; the merge counts every request once', async () => {
    received = 0;
    const [r0, r1] = await Promise.all([cli(runnerArgs(0)), cli(runnerArgs(1))]);
    expect(r0.stderr).toBe('');
    expect([r0.code, r1.code]).toEqual([0, 0]);
    const results = [r0, r1].map((r, i) => {
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.at(-1)!.startsWith(RESULT_PREFIX)).toBe(true);
      // The human table is still there, before the result line.
      expect(r.stdout).toMatch(/^endpoint\s+requests/m);
      return parseRunnerLog(r.stdout, `runner ${i}`);
    });
    expect(results.map((r) => r.index)).toEqual([0, 1]);
    const requestsOf = (r: (typeof results)[number]): number => Object.values(r.endpoints).reduce((s, e) => s + e.ok + e.errors, 0);
    // 40/s for 2 s split in two: 40 each, not 80 each.
    for (const r of results) expect(requestsOf(r)).toBe(40);
    expect(Object.keys(results[0]!.endpoints).sort()).toEqual(['health', 'predict']);
    // Different seeds per runner: the two runners' mixes are not the same stream.
    expect(results[0]!.endpoints.predict!.histogram).not.toBe(results[1]!.endpoints.predict!.histogram);

    const merged = mergeRunnerResults(results, 2);
    const all = merged.get('all')!;
    expect(all.ok + all.errors).toBe(received);
    expect(received).toBe(80);
    const load = mergeRunnerLoad(results, 2);
    expect(load.totals().requests).toBe(80);
    expect(load.endpointResults().map((e) => e.endpoint).sort()).toEqual(['health', 'predict']);
    // One percentile over both runners' samples, the same from either merge.
    expect(load.window(0, load.durationMs)!.percentile(99)).toBeCloseTo(all.histogram.getValueAtPercentile(99) / 1000, 1);
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });

  it("classifies answers by a stack file's fields given as --classify (a team's own stack), and refuses a malformed one", async () => {
    received = 0;
    const classify = JSON.stringify({ modelType: { json: 'model_type' }, cache: { json: 'cached' } });
    const r = await cli([...runnerArgs(0, 1), '--classify', classify]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const load = mergeRunnerLoad([parseRunnerLog(r.stdout, 'runner 0')], 1);
    const predict = load.endpointResults().find((e) => e.endpoint === 'predict')!;
    const stats = load.window(0, load.durationMs, 'predict')!;
    // Every predict answer said model_type "fallback" and cached false; /health said nothing.
    expect(stats.modelType).toEqual({ fallback: stats.requests });
    expect(stats.cache).toEqual({ miss: stats.requests });
    expect(stats.requests).toBeGreaterThan(40);
    expect(predict).toBeDefined();
    // Without --classify the reference headers are read: these answers carry none.
    const plain = mergeRunnerLoad([parseRunnerLog((await cli(runnerArgs(0, 1))).stdout, 'runner 0')], 1);
    expect(plain.window(0, plain.durationMs, 'predict')!.modelType).toEqual({});

    const bad = await cli([...runnerArgs(0, 1), '--classify', '{"modelType":{"body":"model_type"}}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--classify.modelType: expected { header: "x-name" } or { json: "field" }');
    const notJson = await cli([...runnerArgs(0, 1), '--classify', 'model_type']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--classify: expected JSON like {"modelType":{"json":"model_type"}}, got "model_type"');
  });

  it('refuses an index outside 0..N-1 and runners without a scenario, exit 2', async () => {
    const bad = await cli(runnerArgs(2));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--runner-index: expected an integer 0..1 (--runners 2), got 2');
    const noScenario = await cli(['load', '--target', url, '--runners', '2', '--runner-index', '0']);
    expect(noScenario.code).toBe(2);
    expect(noScenario.stderr).toContain('--runners: expected a scenario file (--scenario FILE) to split, got none');
  });

  it('`peakready run --load-runners` needs the kubernetes platform, exit 2 before anything starts', async () => {
    const r = await cli(['run', join(dir, 'split.ts'), '--load-runners', '2'], false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--load-runners: needs --platform kubernetes');
  });

  it('`--load-runner-lead` must be a duration from 1s to 10m, exit 2 before anything starts', async () => {
    const bad = await cli(['run', join(dir, 'split.ts'), '--platform', 'kubernetes', '--context', 'none', '--load-runners', '2', '--load-runner-lead', 'soon'], false);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--load-runner-lead');
    const short = await cli(['run', join(dir, 'split.ts'), '--platform', 'kubernetes', '--context', 'none', '--load-runners', '2', '--load-runner-lead', '200ms'], false);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--load-runner-lead: expected a duration from 1s to 10m, got "200ms"');
  });
});
