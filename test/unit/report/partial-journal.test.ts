import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../../src/contract/errors.js';
import type { Journal } from '../../../src/contract/journal.js';
import { NdjsonWriter, readPartialJournal } from '../../../src/report/ndjson-writer.js';
import { readJournalInput } from '../../../src/report/journal-input.js';
import { renderHtml } from '../../../src/report/html-reporter.js';
import { renderJunit } from '../../../src/report/junit-reporter.js';
import { renderMarkdown } from '../../../src/report/markdown-reporter.js';
import { buildSampleJournal } from './fixtures/sample-journal.js';
import { exitCode } from '../../../src/contract/exit-code.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'peakready-partial-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Replays a journal through the live writer up to `untilT` seconds, as a run that crashes then would leave it. */
function replay(dir: string, j: Journal, untilT: number): NdjsonWriter {
  const w = new NdjsonWriter(dir);
  w.onBegin({ type: 'begin', schema: 'peakready.events/v1', runId: j.runId, scenario: j.scenario, platform: j.platform, seed: j.seed, timeScale: j.timeScale, startedAt: j.startedAt, tool: j.tool, targetRps: 30 });
  w.onEvent({ type: 'traffic-start', epochMs: j.trafficStartEpochMs! });
  for (const p of j.phases) w.onEvent({ type: 'phase', phase: p });
  for (const p of j.steadyState.before) w.onEvent({ type: 'probe', stage: 'before', probe: p });
  for (let t = 0; t < untilT; t++) {
    for (const f of j.faults) if (Math.floor(f.startMs / 1000) === t) w.onEvent({ type: 'fault', edge: 'start', fault: f });
    for (const e of j.events) if (Math.floor(e.atMs / 1000) === t) w.onEvent({ type: 'event', event: e });
    for (const s of j.timeline.filter((x) => x.t === t)) w.onEvent({ type: 'second', sample: s });
    for (const s of j.series) for (const [pt, v] of s.points) if (pt === t) w.onEvent({ type: 'series', name: s.name, unit: s.unit, t: pt, value: v });
  }
  return w;
}

describe('events.ndjson and the partial journal', () => {
  it('writes one JSON line per event as it happens (readable before the run ends)', async () => {
    const j = await buildSampleJournal();
    const dir = tmp();
    const w = replay(dir, j, 10);
    // Not closed, not ended: what a crash leaves.
    const lines = readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n');
    const types = lines.map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types[0]).toBe('begin');
    expect(types.filter((t) => t === 'second')).toHaveLength(j.timeline.filter((s) => s.t < 10).length);
    expect(lines.every((l) => typeof (JSON.parse(l) as { ts: unknown }).ts === 'number')).toBe(true);
    w.close();
  });

  it('rebuilds an aborted journal from a crashed run, ignoring the half-written last line', async () => {
    const j = await buildSampleJournal();
    const dir = tmp();
    replay(dir, j, 42).close();
    appendFileSync(join(dir, 'events.ndjson'), '{"type":"second","sample":{"t":42,"endp');
    const p = readPartialJournal(dir);
    expect(p.status).toBe('aborted');
    expect(p.verdict).toBe('fail');
    expect(p.reason).toMatch(/^the run did not finish; rebuilt from events\.ndjson \(\d+ records, 1 unreadable line skipped, last at /);
    expect(p.runId).toBe(j.runId);
    expect(p.scenario).toEqual(j.scenario);
    expect(p.faults.map((f) => f.id)).toEqual(['kill-tabular', 'latency-triton']);
    expect(p.events).toHaveLength(0); // the deploy at 45 s never happened before the crash
    expect(Math.max(...p.timeline.map((s) => s.t))).toBe(41);
    const requestsBefore42 = j.timeline.filter((s) => s.endpoint === '*' && s.t < 42).reduce((a, s) => a + s.requests, 0);
    expect(p.totals.requests).toBe(requestsBefore42);
    expect(p.totals.targetRps).toBe(30);
    expect(p.series.find((s) => s.name === 'replicas:tabular')!.points).toEqual([[0, 2], [32, 3], [38, 4]]);
    expect(p.steadyState.before).toEqual(j.steadyState.before);
    expect(p.slos).toEqual([]);
  });

  it('renders the partial journal marked aborted in every report', async () => {
    const j = await buildSampleJournal();
    const dir = tmp();
    replay(dir, j, 30).close();
    const input = readJournalInput(dir);
    expect(input.from).toBe('events');
    expect(renderMarkdown(input.journal)).toMatch(/^## ⚠️ FAIL \(ABORTED\)/);
    expect(renderJunit(input.journal)).toContain('<error message="run aborted: the run did not finish;');
    const html = renderHtml(input.journal);
    expect(html).toContain('<span class="status" id="run-status">ABORTED</span>');
    expect(html).toContain('id="aborted-banner"');
  });

  it('refuses folders and files that hold no run, naming the file and what was expected', () => {
    const dir = tmp();
    expect(() => readJournalInput(dir)).toThrow(/expected journal\.json or events\.ndjson in this folder, found neither/);
    writeFileSync(join(dir, 'events.ndjson'), '{"type":"second"}\n');
    expect(() => readJournalInput(dir)).toThrow(/events\.ndjson: expected a first line with \{"type":"begin",\.\.\.\}, got "second"/);
    const bad = join(dir, 'journal.json');
    writeFileSync(bad, JSON.stringify({ schema: 'other/v9', runId: 'x' }));
    try {
      readJournalInput(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PeakreadyError);
      expect(exitCode({ kind: 'error', error: e })).toBe(2);
      expect((e as PeakreadyError).problems[0]).toBe(`${bad}: schema: expected "peakready.journal/v1", got "other/v9"`);
    }
  });
});
