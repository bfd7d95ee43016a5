import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaselineFlags } from '../../../src/baseline/baseline-options.js';
import { JsonReporter } from '../../../src/report/json-reporter.js';
import { simulatedJournal } from './fixtures/simulated-run.js';

let root: string;
let runDir: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'peakready-baseline-flags-'));
  runDir = join(root, 'release-41');
  new JsonReporter(runDir).onEnd(await simulatedJournal({ runId: 'release-41' }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('baseline flags', () => {
  it('reads a run folder or its journal.json, keeping the tolerances and --fail-on-regression', () => {
    for (const path of [runDir, join(runDir, 'journal.json')]) {
      const { options, problems } = parseBaselineFlags({ baseline: path, tolerance: ['p99=20%'], failOnRegression: true });
      expect(problems).toEqual([]);
      expect(options?.journal.runId).toBe('release-41');
      expect(options?.file).toBe(join(runDir, 'journal.json'));
      expect(options?.failOnRegression).toBe(true);
      expect(options?.tolerances.byKind.p99).toEqual({ mode: 'relative', fraction: 0.2 });
    }
  });

  it('no --baseline, no comparison', () => {
    expect(parseBaselineFlags({ tolerance: [] })).toEqual({ options: undefined, problems: [] });
  });

  it('names the file when the baseline is missing, not a journal, or a crashed run, together with bad tolerances', () => {
    const missing = join(root, 'nope.json');
    const r = parseBaselineFlags({ baseline: missing, tolerance: ['p99=fast'] });
    expect(r.options).toBeUndefined();
    expect(r.problems).toEqual([
      '--tolerance "p99=fast": p99: expected a percentage like "10%" or a duration like "25ms", got "fast"',
      `--baseline ${missing}: expected a journal.json file or a run folder, got nothing at that path`,
    ]);

    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{"schema":"peakready.journal/v0"}');
    const b = parseBaselineFlags({ baseline: bad });
    expect(b.problems).toContain(`--baseline ${bad}: schema: expected "peakready.journal/v1", got "peakready.journal/v0"`);

    const crashed = join(root, 'crashed');
    mkdirSync(crashed);
    writeFileSync(join(crashed, 'events.ndjson'), '');
    const c = parseBaselineFlags({ baseline: crashed });
    expect(c.problems).toEqual([`--baseline ${join(crashed, 'events.ndjson')}: expected a finished run's journal.json, got only the events.ndjson of a run that did not finish`]);
  });

  it('--tolerance and --fail-on-regression without --baseline are mistakes, not silently ignored', () => {
    const r = parseBaselineFlags({ tolerance: ['p99=5%'], failOnRegression: true });
    expect(r.problems).toEqual([
      '--tolerance: expected --baseline <journal.json|run-dir> as well, got no baseline to compare with',
      '--fail-on-regression: expected --baseline <journal.json|run-dir> as well, got no baseline to compare with',
    ]);
  });
});
