/** Writes `journal.json`, the whole result of a run (atomically: a reader never sees half a file). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Journal } from '../contract/journal.js';
import type { Reporter } from './reporter.js';

export const JOURNAL_FILE = 'journal.json';

export class JsonReporter implements Reporter {
  readonly name = 'json';
  readonly file: string;

  constructor(outDir: string) {
    this.file = join(outDir, JOURNAL_FILE);
  }

  onEnd(journal: Journal): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(journal, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
