/**
 * The reporter registry and the convenience that renders every report from a journal
 * (what `peakready report` and the runner's end use).
 */
import type { Journal } from '../contract/journal.js';
import { HtmlReporter } from './html-reporter.js';
import { JsonReporter } from './json-reporter.js';
import { JunitReporter } from './junit-reporter.js';
import { MarkdownReporter } from './markdown-reporter.js';
import { ReporterMultiplexer } from './multiplexer.js';
import { NdjsonWriter } from './ndjson-writer.js';
import type { Reporter, ReporterFailure } from './reporter.js';

/** Reporters by name; each writes one file into the run's output folder. */
export const REPORTERS = {
  json: (outDir: string) => new JsonReporter(outDir),
  ndjson: (outDir: string) => new NdjsonWriter(outDir),
  junit: (outDir: string) => new JunitReporter(outDir),
  markdown: (outDir: string) => new MarkdownReporter(outDir),
  html: (outDir: string) => new HtmlReporter(outDir),
} as const satisfies Record<string, (outDir: string) => Reporter & { readonly file: string }>;

export type ReporterName = keyof typeof REPORTERS;

/** The reporters that render a finished journal (the ndjson log is written live, not here). */
export const FINAL_REPORTERS: readonly ReporterName[] = ['json', 'junit', 'markdown', 'html'];

export interface WriteReportsResult {
  /** Files written, absolute or relative as `outDir` was given. */
  readonly files: string[];
  readonly failures: ReporterFailure[];
}

/**
 * Renders `journal` with each reporter into `outDir`. A reporter that throws is recorded in
 * `failures` and the others still write their files.
 */
export async function writeReports(journal: Journal, outDir: string, reporters?: readonly (Reporter & { readonly file?: string })[]): Promise<WriteReportsResult> {
  const list = reporters ?? FINAL_REPORTERS.map((n) => REPORTERS[n](outDir));
  const mux = new ReporterMultiplexer(list);
  await mux.onEnd(journal);
  const failed = new Set(mux.failures.map((f) => f.reporter));
  return { files: list.filter((r) => r.file !== undefined && !failed.has(r.name)).map((r) => r.file!), failures: mux.failures };
}
