/**
 * Bad input to `peakready run` exits 2, lists every problem, and starts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');

const dir = mkdtempSync(join(tmpdir(), 'peakready-bad-input-'));
// Its own run-state folder: other test files start stacks meanwhile, and only what this file starts counts.
const STATE_DIR = join(dir, 'run-state');
const IMPORT = JSON.stringify(join(REPO, 'src', 'index.js').replace(/\.js$/, '.ts'));

function scenario(name: string, body: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `import { defineScenario, seedMix, slo } from ${IMPORT};\nexport default defineScenario(${body});\n`);
  return file;
}

const GOOD_TRAFFIC = `{ executor: 'arrival-rate', stages: [{ name: 'a', duration: '5s', rate: 5 }] }`;

function stateFiles(): string[] {
  return existsSync(STATE_DIR) ? readdirSync(STATE_DIR) : [];
}

function run(args: string[]) {
  const before = stateFiles();
  const r = spawnSync(process.execPath, [CLI, 'run', ...args, '--out', join(dir, 'out'), '--quiet'], { cwd: REPO, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PEAKREADY_STATE_DIR: STATE_DIR } });
  const created = stateFiles().filter((f) => !before.includes(f));
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, created };
}

describe('peakready run with bad input', () => {
  it('a scenario with a syntax error: exit 2, the file and line named, nothing started', () => {
    const file = join(dir, 'syntax.ts');
    writeFileSync(file, `export default {\n  name: 'x',\n  traffic: { executor: 'arrival-rate' stages: [] },\n};\n`);
    const r = run([file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/syntax\.ts:3:\d+/);
    expect(r.stderr).not.toMatch(/starting the stack/);
    expect(r.created).toEqual([]);
    expect(existsSync(join(dir, 'out', 'journal.json'))).toBe(false);
  });

  it('an unknown fault kind, a negative rate and an SLO on an unknown endpoint: all listed at once', () => {
    const file = scenario(
      'several',
      `{
        name: 'several problems',
        traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '5s', rate: 5 }, { duration: '5s', rate: -5 }] },
        mix: seedMix(),
        faults: [{ kind: 'explode', target: 'tabular', at: '1s', for: '2s' }],
        slos: [slo.latency('checkout').p(99).below('250ms')],
      }`,
    );
    const r = run([file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('traffic.stages[1].rate: expected a number >= 0, got -5');
    expect(r.stderr).toMatch(/faults\[0\]\.kind: .*explode/);
    expect(r.stderr).toMatch(/slos\[0\].*checkout/);
    expect(r.stderr).toContain('several.ts');
    expect(r.created).toEqual([]);
  });

  it('an SLO on an unknown endpoint given on the command line', () => {
    const file = scenario('ok', `{ name: 'ok', traffic: ${GOOD_TRAFFIC}, mix: seedMix() }`);
    const r = run([file, '--slo', 'p99(checkout) < 250ms']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown endpoint "checkout"');
    expect(r.created).toEqual([]);
  });

  it('an unknown flag: exit 2', () => {
    const file = scenario('ok2', `{ name: 'ok', traffic: ${GOOD_TRAFFIC}, mix: seedMix() }`);
    const r = run([file, '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
    expect(r.created).toEqual([]);
  });

  it('bad flag values are listed together with scenario problems', () => {
    const file = scenario('neg', `{ name: 'neg', traffic: { executor: 'arrival-rate', stages: [{ duration: '5s', rate: -1 }] }, mix: seedMix() }`);
    const r = run([file, '--time-scale', '0', '--disable', 'everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--time-scale: expected a number > 0');
    expect(r.stderr).toContain('--disable: expected one of fallback, breaker, cache, autoscaler, analysis');
    expect(r.stderr).toContain('traffic.stages[0].rate: expected a number >= 0, got -1');
  });
});
