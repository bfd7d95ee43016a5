/**
 * The baseline flags shared by `peakready run` and `peakready report`
 * (`--baseline`, `--tolerance`, `--fail-on-regression`): checked before anything starts,
 * every problem returned at once for the command's "invalid input" list.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Journal } from '../contract/journal.js';
import { JOURNAL_FILE } from '../report/json-reporter.js';
import { EVENTS_FILE } from '../contract/run-event.js';
import { readJournalInput } from '../report/journal-input.js';
import { compareWithBaseline } from './compare-baseline.js';
import { parseTolerances, type Tolerances } from './tolerance.js';

export interface BaselineFlags {
  readonly baseline?: string;
  readonly tolerance?: readonly string[];
  readonly failOnRegression?: boolean;
}

/** A baseline journal that was read and checked, with the tolerances to compare under. */
export interface BaselineOptions {
  readonly journal: Journal;
  /** The journal.json it was read from. */
  readonly file: string;
  readonly tolerances: Tolerances;
  readonly failOnRegression: boolean;
}

/**
 * Checks the flags and reads the baseline journal. `options` is undefined when no
 * `--baseline` was given or when there are problems.
 */
export function parseBaselineFlags(flags: BaselineFlags): { options: BaselineOptions | undefined; problems: string[] } {
  const { tolerances, problems } = parseTolerances(flags.tolerance ?? []);
  if (flags.baseline === undefined) {
    if ((flags.tolerance ?? []).length > 0) problems.push('--tolerance: expected --baseline <journal.json|run-dir> as well, got no baseline to compare with');
    if (flags.failOnRegression) problems.push('--fail-on-regression: expected --baseline <journal.json|run-dir> as well, got no baseline to compare with');
    return { options: undefined, problems };
  }
  let journal: Journal | undefined;
  let file = flags.baseline;
  try {
    // A crashed run's events.ndjson is no baseline: its figures cover part of a run.
    const events = unfinishedRunEvents(flags.baseline);
    if (events !== undefined) {
      problems.push(`--baseline ${events}: expected a finished run's journal.json, got only the events.ndjson of a run that did not finish`);
    } else {
      const input = readJournalInput(flags.baseline);
      journal = input.journal;
      file = input.file;
    }
  } catch (err) {
    const e = err as Error & { problems?: readonly string[] };
    if (Array.isArray(e.problems) && e.problems.length > 0) problems.push(...e.problems.map((p) => `--baseline ${p}`));
    else problems.push(`--baseline ${e instanceof Error ? e.message : String(e)}`);
  }
  if (problems.length > 0 || !journal) return { options: undefined, problems };
  return { options: { journal, file, tolerances, failOnRegression: flags.failOnRegression ?? false }, problems };
}

/** The events.ndjson file when `path` names one, or a run folder holding it but no journal.json. */
function unfinishedRunEvents(path: string): string | undefined {
  if (path.endsWith('.ndjson')) return path;
  if (!existsSync(path) || !statSync(path).isDirectory() || existsSync(join(path, JOURNAL_FILE))) return undefined;
  return existsSync(join(path, EVENTS_FILE)) ? join(path, EVENTS_FILE) : undefined;
}

/** The journal with its comparison against the baseline added (replacing any earlier one). */
export function withBaseline(current: Journal, opts: BaselineOptions): Journal {
  return { ...current, baseline: compareWithBaseline(current, opts.journal, { file: opts.file, tolerances: opts.tolerances, failOnRegression: opts.failOnRegression }) };
}
