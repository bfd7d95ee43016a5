/**
 * `peakready report <journal.json|run-dir> [--out DIR]`: re-renders every report from a
 * journal, or from the events.ndjson a crashed run left (marked aborted in every report).
 * Exit 0 when the reports were written (the verdict is in them), 2 for an input that is
 * not a run, 1 when a reporter failed. With `--baseline` the reports also compare the run
 * with an earlier one, and `--fail-on-regression` exits 1 on a regression.
 */
import { resolve } from 'node:path';
import { parseBaselineFlags, withBaseline, type BaselineFlags } from '../../baseline/baseline-options.js';
import { describeComparison } from '../../baseline/describe-comparison.js';
import { invalidInput } from '../../contract/errors.js';
import { readJournalInput } from '../../report/journal-input.js';
import { FINAL_REPORTERS, REPORTERS, type ReporterName } from '../../report/write-reports.js';
import { writeReports } from '../../report/write-reports.js';
import type { RegisterCommand } from './types.js';

export const register: RegisterCommand = (program, exit) => {
  program
    .command('report')
    .description('re-render junit.xml, summary.md and report.html from a journal.json or a run folder (also a crashed run\'s events.ndjson)')
    .argument('<input>', 'journal.json, events.ndjson, or a run folder holding one of them')
    .option('--out <dir>', 'output folder (default: the input\'s folder)')
    .option('--baseline <journal>', 'compare with an earlier run (its journal.json or run folder); regressions show in every report')
    .option('--tolerance <figure=value>', 'allowed worsening vs the baseline, e.g. p99=10%, throughput=5%, fallback-share=2pp, rollback-time=10s, error-rate=0.5pp (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--fail-on-regression', 'exit 1 when a figure regressed beyond its tolerance (needs --baseline)')
    .action(async (input: string, opts: { out?: string } & BaselineFlags) => {
      const { options: baseline, problems } = parseBaselineFlags(opts);
      if (problems.length > 0) throw invalidInput(`invalid input, nothing was written (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, problems);
      const read = readJournalInput(input);
      const src = baseline ? { ...read, journal: withBaseline(read.journal, baseline) } : read;
      const outDir = opts.out ?? src.dir;
      // Never rewrite the journal that is being read; a rebuilt (partial) journal is worth keeping.
      const overwritesInput = src.from === 'journal' && resolve(outDir, 'journal.json') === resolve(src.file);
      const names: ReporterName[] = FINAL_REPORTERS.filter((n) => !(n === 'json' && overwritesInput));
      const { files, failures } = await writeReports(src.journal, outDir, names.map((n) => REPORTERS[n](outDir)));
      const j = src.journal;
      const met = j.slos.filter((s) => s.status === 'pass').length;
      process.stdout.write(
        `${j.scenario.name}: ${j.verdict.toUpperCase()}${j.status === 'completed' ? '' : ` (${j.status})`} · ${met}/${j.slos.length} SLOs met · resilience score ${j.resilienceScore.toFixed(1)}\n`,
      );
      if (src.from === 'events') process.stdout.write(`rebuilt from ${src.file}: ${j.reason ?? 'partial run'}\n`);
      for (const line of describeComparison(j)) process.stdout.write(`${line}\n`);
      for (const f of files) process.stdout.write(`wrote ${f}\n`);
      for (const f of failures) process.stderr.write(`peakready: reporter ${f.reporter} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}\n`);
      exit.outcome = { kind: 'report', journal: j, reporterFailures: failures.length };
    });
};
