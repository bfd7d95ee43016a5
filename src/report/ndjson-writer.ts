/**
 * Writes `events.ndjson` while the run goes: one line per event, each written with a
 * synchronous write so it is in the kernel's hands the moment the call returns; a crash
 * of the harness leaves every line written so far. Record format: see run-event.ts.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Journal } from '../contract/journal.js';
import type { Reporter } from './reporter.js';
import { EVENTS_FILE, type RunBegin, type RunEvent } from '../contract/run-event.js';

export { EVENTS_FILE };

export class NdjsonWriter implements Reporter {
  readonly name = 'ndjson';
  readonly file: string;
  private fd: number | undefined;
  private ended = false;

  constructor(outDir: string, private readonly now: () => number = Date.now) {
    this.file = join(outDir, EVENTS_FILE);
  }

  onBegin(begin: RunBegin): void {
    this.write(begin);
  }

  onEvent(event: RunEvent): void {
    this.write(event);
  }

  /** Writes the `end` record (unless the runner already sent one) and closes the file. */
  onEnd(journal: Journal): void {
    if (!this.ended) {
      this.write({
        type: 'end',
        status: journal.status,
        verdict: journal.verdict,
        endedAt: journal.endedAt ?? new Date(this.now()).toISOString(),
        resilienceScore: journal.resilienceScore,
        ...(journal.reason === undefined ? {} : { reason: journal.reason }),
      });
    }
    this.close();
  }

  /** Appends one record. Opens the file on first use (creating the folder). */
  write(event: RunEvent): void {
    if (this.fd === undefined) {
      mkdirSync(join(this.file, '..'), { recursive: true });
      this.fd = openSync(this.file, 'a');
    }
    writeSync(this.fd, `${JSON.stringify({ ...event, ts: this.now() })}\n`);
    if (event.type === 'end') this.ended = true;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export { readPartialJournal } from './partial-journal.js';
