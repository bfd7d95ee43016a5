/**
 * Comparing runs as a user does: `peakready report <run> --baseline <earlier run>` over two
 * journals on disk, `--fail-on-regression`, and bad flags to `report` and `run`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { JsonReporter } from '../../src/report/json-reporter.js';
import { simulatedJournal } from '../unit/baseline/fixtures/simulated-run.js';
import { findAll, parseXml } from '../unit/report/fixtures/mini-xml.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist/cli/main.js');

function peakready(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

let root: string;
let baseDir: string;
let slowerDir: string;
let sameDir: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'peakready-baseline-cli-'));
  baseDir = join(root, 'release-41');
  slowerDir = join(root, 'release-42');
  sameDir = join(root, 'release-42b');
  new JsonReporter(baseDir).onEnd(await simulatedJournal({ runId: 'release-41' }));
  new JsonReporter(slowerDir).onEnd(await simulatedJournal({ runId: 'release-42', extraLatencyMs: { predict: 100 }, fallbackUntilS: 45 }));
  new JsonReporter(sameDir).onEnd(await simulatedJournal({ runId: 'release-42b', seed: 8 }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('peakready report --baseline', () => {
  it('shows a regressed run in summary.md and junit.xml, and still exits 0 without --fail-on-regression', async () => {
    const out = join(root, 'compared');
    const r = await peakready(['report', slowerDir, '--baseline', baseDir, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`compared with baseline: 3 of 7 figures regressed beyond tolerance (not failing the run: no --fail-on-regression) — baseline run release-41`);
    expect(r.stdout).toMatch(/ {2}✗ p99 \(predict\): 458\.0ms → 558\.1ms \(\+21\.9% \(\+100\.1ms\), tolerance \+10%\)/);
    expect(r.stdout).toMatch(/ {2}✗ fallback share: 24\.83% → 4\d\.\d+% \(\+1\d\.\d+pp, tolerance \+2pp\)/);

    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('### Compared with baseline');
    expect(md).toContain(`from ${join(baseDir, 'journal.json')}`);
    expect(md.split('\n').filter((l) => l.startsWith('| ❌ regressed')).map((l) => l.split(' | ')[1])).toEqual(['p99 (all endpoints)', 'p99 (predict)', 'fallback share']);

    const junit = parseXml(readFileSync(join(out, 'junit.xml'), 'utf8'));
    const suite = findAll(junit, 'testsuite').find((s) => s.attrs['name'] === 'holiday-peak / compared with baseline')!;
    expect(suite.attrs).toMatchObject({ tests: '7', failures: '0', skipped: '3' });
    expect(readFileSync(join(out, 'report.html'), 'utf8').match(/<tr class="regressed">/g)).toHaveLength(3);
    // The re-rendered journal keeps the comparison for later readers.
    expect(JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')).baseline.regressions).toBe(3);
  });

  it('--fail-on-regression exits 1 with each regression a JUnit failure; a run within tolerance exits 0', async () => {
    const out = join(root, 'failing');
    const r = await peakready(['report', slowerDir, '--baseline', join(baseDir, 'journal.json'), '--fail-on-regression', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('3 of 7 figures regressed beyond tolerance (fails the run: --fail-on-regression)');
    const failures = findAll(parseXml(readFileSync(join(out, 'junit.xml'), 'utf8')), 'failure').filter((f) => f.attrs['type'] === 'regression');
    expect(failures).toHaveLength(3);

    const ok = await peakready(['report', sameDir, '--baseline', baseDir, '--fail-on-regression', '--out', join(root, 'same')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('compared with baseline: no regression beyond tolerance in 7 figures');
  });

  it('a looser --tolerance turns the same change into a pass', async () => {
    const r = await peakready(['report', slowerDir, '--baseline', baseDir, '--tolerance', 'p99=150ms', '--tolerance', 'fallback-share=20pp', '--fail-on-regression', '--out', join(root, 'loose')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no regression beyond tolerance in 7 figures');
  });

  it('bad --tolerance and a missing baseline exit 2, listing every problem, writing nothing', async () => {
    const out = join(root, 'never');
    const missing = join(root, 'nope');
    const r = await peakready(['report', slowerDir, '--baseline', missing, '--tolerance', 'p99=fast', '--tolerance', 'fallback-share=2%', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('peakready: invalid input, nothing was written (3 problems):');
    expect(r.stderr).toContain('  --tolerance "p99=fast": p99: expected a percentage like "10%" or a duration like "25ms", got "fast"');
    expect(r.stderr).toContain('  --tolerance "fallback-share=2%": fallback-share: expected percentage points like "2pp", got "2%"');
    expect(r.stderr).toContain(`  --baseline ${missing}: expected a journal.json file or a run folder, got nothing at that path`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('peakready run --baseline with bad input', () => {
  it('exits 2 before starting anything, naming the baseline file and the bad tolerance', async () => {
    const missing = join(root, 'missing-run');
    const out = join(root, 'run-out');
    const r = await peakready(['run', 'scenarios/ci-smoke.ts', '--baseline', missing, '--tolerance', 'throughput=5ms', '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('peakready: invalid input, nothing was started (2 problems):');
    expect(r.stderr).toContain('  --tolerance "throughput=5ms": throughput: expected a percentage like "5%" or a rate like "3rps", got "5ms"');
    expect(r.stderr).toContain(`  --baseline ${missing}: expected a journal.json file or a run folder, got nothing at that path`);
    expect(r.stderr).not.toContain('starting the stack');
    expect(existsSync(out)).toBe(false);

    const orphan = await peakready(['run', 'scenarios/ci-smoke.ts', '--fail-on-regression', '--out', out, '--quiet']);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain('--fail-on-regression: expected --baseline <journal.json|run-dir> as well, got no baseline to compare with');
  });
});

describe('peakready run --baseline on the local stack', () => {
  it('adds the comparison to journal.json and every report; a regression alone exits 1 under --fail-on-regression', async () => {
    // A 4 s run at 10 rps against a baseline that achieved 30 rps: throughput regresses for
    // certain, whatever the machine's load; the run's own SLO is met, so exit 1 is the regression's.
    const scenarioFile = join(root, 'tiny.ts');
    const api = JSON.stringify(join(REPO, 'src', 'index.ts'));
    writeFileSync(
      scenarioFile,
      `import { defineScenario, seedMix, slo } from ${api};\nexport default defineScenario({ name: 'tiny-baseline', traffic: { executor: 'arrival-rate', stages: [{ name: 'steady', duration: '4s', rate: 10 }] }, mix: seedMix(), slos: [slo.errorRate().below('50%')] });\n`,
    );
    const out = join(root, 'tiny-run');
    const r = await peakready(['run', scenarioFile, '--baseline', baseDir, '--fail-on-regression', '--out', out, '--quiet']);
    expect(r.stdout).toContain('tiny-baseline: PASS (completed)');
    expect(r.code, r.stderr.slice(-1500)).toBe(1);
    expect(r.stdout).toMatch(/ {2}✗ throughput: 30\.0 rps → \d+\.\d rps \(-\d+(\.\d)?% \(-\d+(\.\d)? rps\), tolerance -5%\)/);
    expect(r.stdout).toContain('  note: scenario differs: holiday-peak in the baseline, tiny-baseline now');

    const j = JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')) as Journal;
    expect(j.verdict).toBe('pass');
    expect(j.baseline?.baseline.runId).toBe('release-41');
    expect(j.baseline?.failOnRegression).toBe(true);
    expect(j.baseline?.figures.find((f) => f.kind === 'throughput')?.regressed).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\| ❌ regressed \| throughput \| 30\.0 rps \|/);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| ➖ not compared | rollback time (deploy-tabular-v2-bad) | 7s | – |');
    const failures = findAll(parseXml(readFileSync(join(out, 'junit.xml'), 'utf8')), 'failure').filter((f) => f.attrs['type'] === 'regression');
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('id="baseline"');
  });
});
