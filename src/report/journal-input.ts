/**
 * Reads what `peakready report` is given: a journal.json file, or a run folder holding
 * journal.json or, after a crash, only events.ndjson (rebuilt as an aborted journal).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { JOURNAL_SCHEMA, type Journal } from '../contract/journal.js';
import { JOURNAL_FILE } from './json-reporter.js';
import { readPartialJournal } from './partial-journal.js';
import { EVENTS_FILE } from '../contract/run-event.js';

export interface JournalInput {
  readonly journal: Journal;
  /** The folder the input lives in (the default output folder). */
  readonly dir: string;
  /** Where the journal came from. */
  readonly from: 'journal' | 'events';
  readonly file: string;
}

const REQUIRED: readonly (keyof Journal)[] = ['runId', 'scenario', 'status', 'verdict', 'slos', 'timeline', 'faults', 'events', 'phases', 'totals', 'steadyState'];

function parseJournal(file: string): Journal {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalidInput(`${file}: expected a JSON journal, got unreadable content: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problems: string[] = [];
  const obj = (data ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) problems.push(`${file}: expected a JSON object, got ${Array.isArray(data) ? 'an array' : typeof data}`);
  else {
    if (obj['schema'] !== JOURNAL_SCHEMA) problems.push(`${file}: schema: expected "${JOURNAL_SCHEMA}", got ${JSON.stringify(obj['schema'])}`);
    for (const k of REQUIRED) if (obj[k] === undefined) problems.push(`${file}: ${k}: expected a value, got nothing`);
  }
  if (problems.length > 0) throw invalidInput(`${file} is not a peakready journal`, problems);
  return data as Journal;
}

/** Resolves a journal file or run folder into a journal. Throws INVALID_INPUT (exit 2) with the reason. */
export function readJournalInput(path: string): JournalInput {
  if (!existsSync(path)) throw invalidInput(`${path}: expected a journal.json file or a run folder, got nothing at that path`);
  if (statSync(path).isDirectory()) {
    const journalFile = join(path, JOURNAL_FILE);
    if (existsSync(journalFile)) return { journal: parseJournal(journalFile), dir: path, from: 'journal', file: journalFile };
    const eventsFile = join(path, EVENTS_FILE);
    if (existsSync(eventsFile)) return { journal: readPartialJournal(path), dir: path, from: 'events', file: eventsFile };
    throw invalidInput(`${path}: expected ${JOURNAL_FILE} or ${EVENTS_FILE} in this folder, found neither`);
  }
  if (path.endsWith('.ndjson')) return { journal: readPartialJournal(dirname(path)), dir: dirname(path), from: 'events', file: path };
  return { journal: parseJournal(path), dir: dirname(path), from: 'journal', file: path };
}
