import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { transform } from 'esbuild';
import { loadScenarioFile } from '../../../src/scenario/load-file.js';
import { bundleK6 } from '../../../src/load/k6-bundle.js';
import { k6Manifests, testRunProblems } from '../../../src/load/k6-testrun.js';

const CRD = resolve('deploy/crds/k6-operator/testruns.yaml');
mkdirSync(resolve('tmp'), { recursive: true });
const dir = mkdtempSync(join(resolve('tmp'), 'k6-bundle-'));
const index = relative(dir, resolve('src/index.js')).replace(/\\/g, '/');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sent {
  method: string;
  url: string;
  body: string | null;
  params: { headers: Record<string, string>; tags: { endpoint: string }; timeout: string };
}

/** Runs a k6 script in a Node vm with stub k6 modules; returns its options and `n` iterations' requests. */
async function runInStubK6(script: string, n: number, env: Record<string, string> = {}): Promise<{ options: Record<string, unknown>; sent: Sent[]; slept: number[] }> {
  const imports = [...script.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
  expect(imports.every((m) => m === 'k6' || m!.startsWith('k6/'))).toBe(true);
  const cjs = (await transform(script, { format: 'cjs', loader: 'js' })).code;
  const sent: Sent[] = [];
  const slept: number[] = [];
  const modules: Record<string, unknown> = {
    'k6/http': { request: (method: string, url: string, body: string | null, params: Sent['params']) => sent.push({ method, url, body, params }) },
    k6: { sleep: (s: number) => slept.push(s) },
    'k6/execution': { scenario: { startTime: Date.now() } },
  };
  const module = { exports: {} as { options: Record<string, unknown>; default: () => void } };
  runInNewContext(cjs, {
    module,
    exports: module.exports,
    require: (m: string) => {
      if (!(m in modules)) throw new Error(`the script required '${m}', which k6 does not have`);
      return modules[m];
    },
    __ENV: env,
    __VU: 1,
    Date,
    Math,
    JSON,
    Object,
    Number,
    String,
    Array,
    Float64Array,
    RangeError,
  });
  for (let i = 0; i < n; i++) module.exports.default();
  return { options: module.exports.options, sent, slept };
}

describe('peakready bundle: the k6 script', () => {
  it('turns holiday-peak into a k6 script whose requests follow the seed mix', async () => {
    const s = await loadScenarioFile('scenarios/holiday-peak.ts');
    const b = await bundleK6(s, { baseUrl: 'http://gateway:8080', seed: 7 });
    const { options, sent } = await runInStubK6(b.script, 2000);
    expect(options).toMatchObject({ scenarios: { 'holiday-peak': { executor: 'ramping-arrival-rate', timeUnit: '1s', startRate: 40, maxVUs: 400, preAllocatedVUs: 50 } } });
    const stages = (options.scenarios as Record<string, { stages: { target: number; duration: string }[] }>)['holiday-peak']!.stages;
    expect(stages).toEqual([
      { target: 40, duration: '30s' },
      { target: 80, duration: '40s' },
      { target: 150, duration: '10s' },
      { target: 150, duration: '30s' },
      { target: 90, duration: '10s' },
      { target: 90, duration: '1m' },
      { target: 30, duration: '50s' },
    ]);
    const by = (e: string) => sent.filter((r) => r.params.tags.endpoint === e);
    expect(sent.length).toBe(2000);
    expect(by('predict').length / 2000).toBeGreaterThan(0.63);
    expect(by('detailed').length / 2000).toBeGreaterThan(0.16);
    expect(by('batch').length / 2000).toBeGreaterThan(0.07);
    expect(by('generate').length).toBeGreaterThan(20);
    const p = by('predict')[0]!;
    expect(p.method).toBe('POST');
    expect(p.url).toBe('http://gateway:8080/api/v1/predict');
    expect(p.params.headers['Content-Type']).toBe('application/json');
    expect(p.params.timeout).toBe('10000ms');
    const predictBodies = by('predict').map((r) => JSON.parse(r.body!) as { features: number[]; options: object });
    expect(predictBodies.every((x) => x.features.length === 10)).toBe(true);
    expect(predictBodies[0]!.options).toEqual({ return_probabilities: true });
    // 40% of predictions repeat one of 50 popular products.
    expect(new Set(predictBodies.map((x) => x.features.join(','))).size).toBeLessThan(predictBodies.length * 0.7);
    const d = JSON.parse(by('detailed')[0]!.body!) as { features: number[]; options: object };
    expect(d.features.length).toBe(20);
    expect(d.options).toEqual({ return_probabilities: true, explanation: true });
    const sizes = by('batch').map((r) => (JSON.parse(r.body!) as { instances: unknown[] }).instances.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    expect(JSON.parse(by('generate')[0]!.body!)).toMatchObject({ max_tokens: 32, prompt: expect.any(String) });
    // BASE_URL from the environment wins.
    const again = await runInStubK6(b.script, 1, { BASE_URL: 'http://other:9000/' });
    expect(again.sent[0]!.url).toMatch(/^http:\/\/other:9000\/api\/v1\//);
  });

  it('writes thresholds for the SLOs k6 can express and lists the others', async () => {
    const p = join(dir, 'slos.ts');
    writeFileSync(
      p,
      `import { defineScenario, seedMix } from '${index}';
export default defineScenario({
  name: 'slos',
  traffic: { executor: 'arrival-rate', stages: [{ name: 'base', duration: '10s', rate: 10 }, { name: 'peak', duration: '5s', rate: 25.5, shape: 'ramp' }] },
  mix: seedMix(),
  slos: [
    { metric: { kind: 'latency', percentile: 99, endpoint: 'predict' }, op: '<', threshold: 250 },
    { metric: { kind: 'latency', percentile: 95 }, op: '<=', threshold: 400, window: { kind: 'run' } },
    { metric: { kind: 'error-rate' }, op: '<', threshold: 0.01 },
    { metric: { kind: 'dropped' }, op: '==', threshold: 0 },
    { name: 'peak latency', metric: { kind: 'latency', percentile: 99 }, op: '<', threshold: 300, window: { kind: 'phase', phase: 'peak' } },
    { metric: { kind: 'fallback-share' }, op: '<', threshold: 0.1 },
  ],
});
`,
    );
    const b = await bundleK6(await loadScenarioFile(p), { baseUrl: 'http://gw', seed: 1 });
    expect(b.options.thresholds).toEqual({
      'http_req_duration{endpoint:predict}': ['p(99)<250'],
      http_req_duration: ['p(95)<=400'],
      http_req_failed: ['rate<0.01'],
      dropped_iterations: ['count==0'],
    });
    expect(b.skipped).toEqual([
      { slo: 'peak latency', reason: 'k6 thresholds cover the whole run, not a phase window' },
      { slo: 'slos[5] (fallback-share < 0.1)', reason: 'k6 has no client metric for fallback-share' },
    ]);
    // A fractional per-second rate is expressed per minute, with a 0s step where a stage jumps.
    const sc = b.options.scenarios.slos as { timeUnit: string; stages: unknown[] };
    expect(sc.timeUnit).toBe('1m');
    expect(sc.stages).toEqual([{ target: 600, duration: '10s' }, { target: 1530, duration: '5s' }]);
  });

  it('refuses a mix that needs Node modules at run time', async () => {
    const p = join(dir, 'node-only.ts');
    writeFileSync(
      p,
      `import { defineScenario } from '${index}';
import { hostname } from 'node:os';
export default defineScenario({ name: 'n', traffic: { executor: 'vus', vus: 1, duration: '1s' }, mix: { a: { weight: 1, request: () => ({ path: '/' + hostname() }) } } });
`,
    );
    await expect(bundleK6(await loadScenarioFile(p), { baseUrl: 'http://gw', seed: 1 })).rejects.toMatchObject({
      problems: [expect.stringMatching(/node-only\.ts: imports 'node:os' at run time; k6 scripts may import only k6 modules/)],
    });
  });
});

describe('the k6-operator TestRun', () => {
  const base = { scenario: 'Holiday Peak!', scriptFile: 'holiday-peak.k6.js', script: '// k6', parallelism: 2, baseUrl: 'http://gateway.shop:8080', seed: 3, namespace: 'load' };

  it('references the script ConfigMap and validates against the CRD', () => {
    const { configMap, testRun } = k6Manifests(base);
    expect(configMap).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'peakready-holiday-peak-script', namespace: 'load' }, data: { 'holiday-peak.k6.js': '// k6' } });
    expect(testRun).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', spec: { parallelism: 2, script: { configMap: { name: 'peakready-holiday-peak-script', file: 'holiday-peak.k6.js' } } } });
    expect(testRunProblems(testRun, CRD)).toEqual([]);
  });

  it('reports what a broken TestRun gets wrong', () => {
    const { testRun } = k6Manifests(base);
    const spec = testRun.spec as Record<string, unknown>;
    const broken = { ...testRun, spec: { ...spec, parallelism: 'two', cleanup: 'always', script: undefined, paralelism: 3 } };
    const problems = testRunProblems(JSON.parse(JSON.stringify(broken)), CRD);
    expect(problems).toEqual(
      expect.arrayContaining([
        "TestRun.spec: must have required property 'script'",
        'TestRun.spec.parallelism: must be integer',
        'TestRun.spec.cleanup: must be equal to one of the allowed values',
        'TestRun.spec: must NOT have additional properties (paralelism)',
      ]),
    );
  });
});
