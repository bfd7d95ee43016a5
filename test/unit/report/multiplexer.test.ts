import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/contract/journal.js';
import { ReporterMultiplexer } from '../../../src/report/multiplexer.js';
import type { Reporter, ReporterFailure } from '../../../src/report/reporter.js';
import type { RunBegin, RunEvent } from '../../../src/contract/run-event.js';
import { REPORTERS, writeReports } from '../../../src/report/write-reports.js';
import { buildSampleJournal } from './fixtures/sample-journal.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'peakready-mux-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const begin: RunBegin = {
  type: 'begin',
  schema: 'peakready.events/v1',
  runId: 'r1',
  scenario: { name: 's', description: '', file: undefined },
  platform: 'local',
  seed: 1,
  timeScale: 1,
  startedAt: new Date(0).toISOString(),
  tool: { name: 'peakready', version: '0.1.0' },
};

class Recorder implements Reporter {
  readonly seen: string[] = [];
  constructor(readonly name: string) {}
  onBegin(): void {
    this.seen.push('begin');
  }
  onEvent(e: RunEvent): void {
    this.seen.push(e.type);
  }
  onEnd(): void {
    this.seen.push('end');
  }
}

class Broken implements Reporter {
  readonly name = 'broken';
  onBegin(): void {
    throw new Error('begin exploded');
  }
  async onEvent(): Promise<void> {
    throw new Error('event rejected');
  }
  onEnd(): void {
    throw new TypeError('cannot read properties of undefined');
  }
}

describe('reporter multiplexer', () => {
  it('keeps calling the other reporters when one throws or rejects, and records why', async () => {
    const a = new Recorder('a');
    const b = new Recorder('b');
    const seen: ReporterFailure[] = [];
    const mux = new ReporterMultiplexer([a, new Broken(), b], (f) => seen.push(f));
    await mux.onBegin(begin);
    await mux.onEvent({ type: 'traffic-start', epochMs: 1 });
    await mux.onEnd({} as Journal);
    expect(a.seen).toEqual(['begin', 'traffic-start', 'end']);
    expect(b.seen).toEqual(['begin', 'traffic-start', 'end']);
    expect(mux.failures.map((f) => `${f.reporter}.${f.hook}: ${(f.error as Error).message}`)).toEqual([
      'broken.onBegin: begin exploded',
      'broken.onEvent: event rejected',
      'broken.onEnd: cannot read properties of undefined',
    ]);
    expect(seen).toHaveLength(3);
  });

  it('survives a throwing error handler too', async () => {
    const a = new Recorder('a');
    const mux = new ReporterMultiplexer([new Broken(), a], () => {
      throw new Error('logger down');
    });
    await expect(mux.onBegin(begin)).resolves.toBeUndefined();
    expect(a.seen).toEqual(['begin']);
  });

  it('writeReports writes every file even when one reporter fails', async () => {
    const journal = await buildSampleJournal();
    const out = tmp();
    const reporters = [REPORTERS.json(out), new Broken(), REPORTERS.junit(out), REPORTERS.markdown(out), REPORTERS.html(out)];
    const r = await writeReports(journal, out, reporters);
    expect(r.failures.map((f) => f.reporter)).toEqual(['broken']);
    expect(r.files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['journal.json', 'junit.xml', 'report.html', 'summary.md']);
    for (const f of r.files) expect(existsSync(f)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(journal)));
  });
});
