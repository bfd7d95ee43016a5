/**
 * peakready as users get it: `npm pack` of this repository, installed into an empty project
 * in a temporary folder, driven only through `npx peakready` and `import … from 'peakready'`.
 * Then the CI examples of docs/ci.md, step by step as written there.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Journal } from '../../src/contract/journal.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'peakready-package-'));
let tarball = '';

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sh(script: string, cwd: string, env: Record<string, string> = {}, timeoutMs = 240_000): Promise<Result> {
  return new Promise((res) => {
    execFile('bash', ['-eo', 'pipefail', '-c', script], { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** An empty npm project with peakready installed from the tarball. */
async function project(name: string): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2));
  return dir;
}

/** The fenced block of docs/ci.md whose info string is `lang name`. */
function docBlock(name: string): string {
  const doc = readFileSync(join(REPO, 'docs', 'ci.md'), 'utf8');
  const m = new RegExp('```\\w+ ' + name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '\\n([\\s\\S]*?)```').exec(doc);
  if (!m?.[1]) throw new Error(`docs/ci.md has no block named ${name}`);
  return m[1];
}

/** The one substitution the examples get: the published package spec becomes the tarball; `sudo` goes when we are root without it. */
function localize(step: string): string {
  let s = step.replaceAll('peakready@0.1.0', tarball);
  const noSudo = spawnSync('bash', ['-c', 'command -v sudo']).status !== 0;
  if (process.getuid?.() === 0 && noSudo) s = s.replace(/(^|\n)(\s*)sudo /g, '$1$2');
  return s;
}

function journalIn(dir: string): Journal {
  return JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')) as Journal;
}

/** Processes whose command line points into `dir` (a leftover stack service, redis, prometheus). */
function processesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(dir)) out.push(`${d}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

beforeAll(async () => {
  // Exactly what a release does: npm pack runs prepack (build + type declarations).
  const r = await sh(`npm pack --pack-destination ${JSON.stringify(work)}`, REPO, {}, 300_000);
  expect(r.code, r.stderr.slice(-2000)).toBe(0);
  tarball = join(work, r.stdout.trim().split('\n').pop()!);
  expect(existsSync(tarball)).toBe(true);
}, 320_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the CLI, the library with its types, the stack, the manifests and the vendored CRDs, and no sources or tests', async () => {
    const r = await sh(`tar -tzf ${JSON.stringify(tarball)}`, work);
    const files = r.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const f of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/scenario/types.d.ts', 'dist/stack/main.js', 'dist/stack/gateway/main.js', 'deploy/overlays/kind/kustomization.yaml', 'deploy/crds/README.md', 'deploy/crds/chaos-mesh/podchaos.yaml', 'deploy/crds/k6-operator/testruns.yaml', 'chaos/pod-kill.yaml', 'scenarios/holiday-peak.ts']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/'))).toEqual([]);
  });

  it('installed into an empty project: a scenario importing peakready type-checks, runs and writes its verdict to ./reports', async () => {
    const dir = await project('shop-readiness');
    const install = await sh(`npm install --no-audit --no-fund --prefer-offline ${JSON.stringify(tarball)}`, dir);
    expect(install.code, install.stderr.slice(-2000)).toBe(0);

    mkdirSync(join(dir, 'readiness'));
    writeFileSync(join(dir, 'readiness', 'smoke.ts'), docBlock('readiness/smoke.ts'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true }, include: ['readiness'] }),
    );
    // The user's editor (TypeScript) sees the package's types: the scenario checks, and a
    // string where a rate belongs does not.
    const ok = await sh(`node ${JSON.stringify(TSC)} -p .`, dir);
    expect(ok.code, ok.stdout).toBe(0);
    writeFileSync(join(dir, 'readiness', 'typo.ts'), docBlock('readiness/smoke.ts').replace('rate: 20 }', "rate: 'fast' }"));
    const bad = await sh(`node ${JSON.stringify(TSC)} -p .`, dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/readiness\/typo\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    rmSync(join(dir, 'readiness', 'typo.ts'));

    const run = await sh('npx peakready run readiness/smoke.ts', dir);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stdout).toMatch(/ci-readiness-smoke: PASS/);
    const runs = readdirSync(join(dir, 'reports')).filter((d) => d.startsWith('ci-readiness-smoke-'));
    expect(runs).toHaveLength(1);
    const out = join(dir, 'reports', runs[0]!);
    const j = journalIn(out);
    expect(j.verdict).toBe('pass');
    expect(j.slos.map((s) => s.name)).toContain('no errors while tabular is down');
    expect(j.faults.map((f) => f.id)).toEqual(['tabular-outage']);
    for (const f of ['summary.md', 'junit.xml', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(processesUnder(dir)).toEqual([]);

    // validate: the shipped manifests by default, and the user's scenario.
    const validate = await sh('npx peakready validate && npx peakready validate readiness/smoke.ts', dir);
    expect(validate.code, validate.stderr.slice(-2000)).toBe(0);
    expect(validate.stdout).toMatch(/ok {2}.*node_modules\/peakready\/chaos\/pod-kill\.yaml/);
    expect(validate.stdout).toMatch(/ok {2}.*node_modules\/peakready\/deploy\/overlays\/kind \(\d+ objects\)/);

    // bundle: the same scenario as a k6 script and a TestRun checked against the vendored CRD.
    const bundle = await sh('npx peakready bundle readiness/smoke.ts --out k6', dir);
    expect(bundle.code, bundle.stderr.slice(-2000)).toBe(0);
    expect(bundle.stdout).toMatch(/valid against the k6-operator CRD/);
    const script = readFileSync(join(dir, 'k6', 'ci-readiness-smoke.k6.js'), 'utf8');
    expect([...script.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]).sort()).toEqual(['k6', 'k6/execution', 'k6/http']);
    expect((parse(readFileSync(join(dir, 'k6', 'testrun.yaml'), 'utf8')) as { kind: string }).kind).toBe('TestRun');

    // stack up|status|down: the reference stack from the installed package, and nothing left after.
    const up = await sh('npx peakready stack up --detach', dir);
    try {
      expect(up.code, up.stderr.slice(-2000)).toBe(0);
      const status = await sh('npx peakready stack status', dir);
      expect(status.code, status.stderr).toBe(0);
      for (const svc of ['gateway', 'tabular', 'fallback', 'triton', 'generative']) expect(status.stdout).toContain(svc);
      expect(processesUnder(join(dir, 'node_modules', 'peakready')).length).toBeGreaterThanOrEqual(6);
    } finally {
      const down = await sh('npx peakready stack down', dir);
      expect(down.code, down.stderr).toBe(0);
    }
    await expect.poll(() => processesUnder(dir), { timeout: 10_000 }).toEqual([]);
  }, 600_000);
});

describe('the CI examples of docs/ci.md, run as written', () => {
  it('GitHub Actions: the run steps install, gate on the verdict and append summary.md to the step summary', async () => {
    const dir = await project('gha');
    mkdirSync(join(dir, 'readiness'));
    writeFileSync(join(dir, 'readiness', 'smoke.ts'), docBlock('readiness/smoke.ts'));
    const workflow = parse(docBlock('github-actions')) as { jobs: Record<string, { steps: { run?: string; uses?: string; if?: string }[] }> };
    const job = Object.values(workflow.jobs)[0]!;
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, '');
    const runSteps = job.steps.filter((s) => s.run !== undefined);
    expect(runSteps.length).toBe(3);
    let failed = false;
    for (const step of runSteps) {
      if (failed && step.if !== 'always()') continue;
      const r = await sh(localize(step.run!), dir, { GITHUB_STEP_SUMMARY: summary, CI: 'true' });
      if (r.code !== 0) failed = true;
      expect(r.code, `${step.run}\n${r.stderr.slice(-2000)}`).toBe(0);
    }
    // What the other steps publish exists where they look for it.
    const junitStep = job.steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report')) as { with: { report_paths: string } } | undefined;
    expect(existsSync(join(dir, junitStep!.with.report_paths))).toBe(true);
    expect(readFileSync(join(dir, junitStep!.with.report_paths), 'utf8')).toMatch(/<testcase [^>]*name="no errors while tabular is down"/);
    expect(readFileSync(summary, 'utf8')).toMatch(/PASS/);
    expect(readFileSync(summary, 'utf8')).toContain('predict keeps answering');
  }, 600_000);

  it('GitLab CI: before_script and script pass, the junit report and summary are where the job says', async () => {
    const dir = await project('gitlab');
    mkdirSync(join(dir, 'readiness'));
    writeFileSync(join(dir, 'readiness', 'smoke.ts'), docBlock('readiness/smoke.ts'));
    const ci = parse(docBlock('gitlab-ci')) as Record<string, { before_script: string[]; script: string[]; after_script: string[]; artifacts: { reports: { junit: string } } }>;
    const job = Object.values(ci)[0]!;
    const main = await sh([...job.before_script, ...job.script].map(localize).join('\n'), dir, { CI: 'true', GITLAB_CI: 'true' });
    expect(main.code, main.stderr.slice(-2000)).toBe(0);
    const after = await sh(job.after_script.map(localize).join('\n'), dir);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/PASS/);
    expect(existsSync(join(dir, job.artifacts.reports.junit))).toBe(true);
    expect(dirname(job.artifacts.reports.junit)).toBe('reports/smoke');
  }, 600_000);
});
