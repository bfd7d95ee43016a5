/**
 * The reports of a fixed journal, byte for byte. The fixture is a real `ci-smoke` run on the
 * local platform (its journal.json and events.ndjson, gzipped); the expected files were
 * rendered from it before the architecture moved (issue 16). A refactor that changes one
 * byte of summary.md, junit.xml, report.html or journal.json, or of the journal rebuilt from
 * the events log after a crash, fails here.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/contract/journal.js';
import { readJournalInput } from '../../../src/report/journal-input.js';
import { writeReports } from '../../../src/report/write-reports.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'golden');
const gunzip = (name: string) => gunzipSync(readFileSync(join(FIXTURES, name))).toString('utf8');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'peakready-golden-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('reports of a fixed journal', () => {
  it('a finished run: summary.md and junit.xml as recorded, report.html and journal.json to the byte', async () => {
    const journal = JSON.parse(gunzip('ci-smoke-journal.json.gz')) as Journal;
    expect(journal.verdict).toBe('pass');
    const out = tempDir();
    const { failures } = await writeReports(journal, out);
    expect(failures).toEqual([]);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'summary.md'), 'utf8'));
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'junit.xml'), 'utf8'));
    expect(sha256(join(out, 'report.html'))).toBe('7fb07efc0cd74b3f985720835569b77f2579fb08a378624f3d249b8659f0da38');
    expect(sha256(join(out, 'journal.json'))).toBe('f8bda7c01b8771938addd2739aae505a35ea121a90885fa5bf1c27d36c2ecf48');
  });

  it('a crashed run rebuilt from its events.ndjson: the same aborted journal and reports', async () => {
    const run = tempDir();
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'events.ndjson'), gunzip('ci-smoke-events.ndjson.gz'));
    const input = readJournalInput(run);
    expect(input.from).toBe('events');
    expect(input.journal.status).toBe('aborted');
    expect(input.journal.verdict).toBe('fail');
    const out = tempDir();
    const { failures } = await writeReports(input.journal, out);
    expect(failures).toEqual([]);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'partial-summary.md'), 'utf8'));
    expect(sha256(join(out, 'junit.xml'))).toBe('1a9c774301cfd5c1793c087bfed1736b1af31462524c8c71ecf3463c8a6ffcb6');
    expect(sha256(join(out, 'report.html'))).toBe('4980aea6f3948d457fb4d0da425e4170dc1270bff3f1b22a6c1988caf00b9443');
    expect(sha256(join(out, 'journal.json'))).toBe('b360eb76f9acd455ebb7caae7460915f4074490a0de62a599a3fbce52006bf4f');
  });
});
