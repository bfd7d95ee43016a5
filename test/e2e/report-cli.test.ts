/** `peakready report` as a user runs it: the built CLI over a finished run, a crashed run, and bad input. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { JsonReporter } from '../../src/report/json-reporter.js';
import { NdjsonWriter } from '../../src/report/ndjson-writer.js';
import { buildSampleJournal } from '../unit/report/fixtures/sample-journal.js';

const CLI = join(process.cwd(), 'dist/cli/main.js');

function peakready(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let root: string;
let journal: Journal;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'peakready-report-cli-'));
  journal = await buildSampleJournal();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('peakready report', () => {
  it('re-renders every report next to a journal.json without rewriting it', async () => {
    const dir = join(root, 'finished');
    new JsonReporter(dir).onEnd(journal);
    const before = statSync(join(dir, 'journal.json')).mtimeMs;
    const r = await peakready(['report', join(dir, 'journal.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const met = journal.slos.filter((s) => s.status === 'pass').length;
    expect(r.stdout.split('\n')[0]).toBe(`holiday-peak: FAIL · ${met}/${journal.slos.length} SLOs met · resilience score ${journal.resilienceScore.toFixed(1)}`);
    for (const f of ['junit.xml', 'summary.md', 'report.html']) expect(r.stdout).toContain(`wrote ${join(dir, f)}`);
    expect(statSync(join(dir, 'journal.json')).mtimeMs).toBe(before);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8').split('\n')[0]).toBe('## ❌ FAIL — holiday-peak');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<h1 id="scenario-name">holiday-peak</h1>');
  });

  it('writes into --out, journal included', async () => {
    const dir = join(root, 'finished-2');
    new JsonReporter(dir).onEnd(journal);
    const out = join(root, 'rendered');
    const r = await peakready(['report', dir, '--out', out]);
    expect(r.code).toBe(0);
    for (const f of ['journal.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')).runId).toBe(journal.runId);
  });

  it('renders a crashed run from events.ndjson, marked aborted in every report', async () => {
    const dir = join(root, 'crashed');
    const w = new NdjsonWriter(dir);
    w.onBegin({ type: 'begin', schema: 'peakready.events/v1', runId: 'crash-1', scenario: journal.scenario, platform: 'local', seed: 7, timeScale: 1, startedAt: journal.startedAt, tool: journal.tool });
    w.onEvent({ type: 'traffic-start', epochMs: journal.trafficStartEpochMs! });
    for (const p of journal.phases) w.onEvent({ type: 'phase', phase: p });
    w.onEvent({ type: 'fault', edge: 'start', fault: journal.faults[0]! });
    for (const s of journal.timeline.filter((x) => x.t < 25)) w.onEvent({ type: 'second', sample: s });
    w.close(); // the process died here: no end record, no journal.json
    const r = await peakready(['report', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('holiday-peak: FAIL (aborted) · 0/0 SLOs met · resilience score 0.0');
    expect(r.stdout).toMatch(/rebuilt from .*events\.ndjson: the run did not finish/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8').split('\n')[0]).toBe('## ⚠️ FAIL (ABORTED) — holiday-peak');
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<error message="run aborted: the run did not finish;');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('id="run-status">ABORTED<');
    const rebuilt = JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')) as Journal;
    expect(rebuilt.status).toBe('aborted');
    expect(rebuilt.faults.map((f) => f.id)).toEqual(['kill-tabular']);
  });

  it('exits 2 for input that is not a run, saying what was expected', async () => {
    const missing = await peakready(['report', join(root, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`peakready: ${join(root, 'nope')}: expected a journal.json file or a run folder, got nothing at that path`);
    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{"schema":"peakready.journal/v0"}');
    const r = await peakready(['report', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: schema: expected "peakready.journal/v1", got "peakready.journal/v0"`);
    expect(r.stderr).toContain(`${bad}: runId: expected a value, got nothing`);
    const flag = await peakready(['report', bad, '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--colour'");
  });
});
