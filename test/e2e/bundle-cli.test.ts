import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const CLI = resolve('dist/cli/main.js');
mkdirSync(resolve('tmp'), { recursive: true });
const dir = mkdtempSync(join(resolve('tmp'), 'bundle-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd: resolve('.'), timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('peakready bundle', () => {
  it('writes a k6 script, a ConfigMap and a TestRun that validates against the k6-operator CRD', async () => {
    const out = join(dir, 'ci');
    const r = await cli(['bundle', 'scenarios/ci-smoke.ts', '--out', out, '--namespace', 'shop', '--parallelism', '2', '--base-url', 'http://gateway.shop:8080']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/TestRun:\s+.*testrun\.yaml \(valid against the k6-operator CRD\)/);
    const script = readFileSync(join(out, 'ci-smoke.k6.js'), 'utf8');
    expect([...script.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]).sort()).toEqual(['k6', 'k6/execution', 'k6/http']);
    expect(script).toContain('"executor": "ramping-arrival-rate"');
    const testRun = parse(readFileSync(join(out, 'testrun.yaml'), 'utf8')) as { kind: string; metadata: { namespace: string }; spec: { parallelism: number; script: { configMap: { name: string; file: string } }; runner: { env: { name: string; value: string }[] } } };
    expect(testRun.kind).toBe('TestRun');
    expect(testRun.metadata.namespace).toBe('shop');
    expect(testRun.spec.parallelism).toBe(2);
    expect(testRun.spec.script.configMap).toEqual({ name: 'peakready-ci-smoke-script', file: 'ci-smoke.k6.js' });
    expect(testRun.spec.runner.env).toContainEqual({ name: 'BASE_URL', value: 'http://gateway.shop:8080' });
    const cm = parse(readFileSync(join(out, 'configmap.yaml'), 'utf8')) as { metadata: { name: string }; data: Record<string, string> };
    expect(cm.metadata.name).toBe('peakready-ci-smoke-script');
    expect(cm.data['ci-smoke.k6.js']).toBe(script);
  });

  it('refuses an invalid scenario or flag with exit code 2', async () => {
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, `export default { name: 'b', traffic: { executor: 'vus', vus: 0, duration: '1m' }, mix: { a: { weight: 1, request: () => ({ path: '/' }) } } };\n`);
    const r = await cli(['bundle', bad, '--out', join(dir, 'b')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/traffic\.vus: expected an integer >= 1, got 0/);
    expect(existsSync(join(dir, 'b'))).toBe(false);
    const p = await cli(['bundle', 'scenarios/ci-smoke.ts', '--out', join(dir, 'p'), '--parallelism', '0']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--parallelism: expected an integer > 0, got "0"/);
  });
});
