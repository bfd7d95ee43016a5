/** The report part's public surface: reporters, the run-event log and rendering helpers. */
export type { Reporter, ReporterFailure } from './reporter.js';
export type { RunBegin, RunEvent, RunEventRecord } from './run-event.js';
export { EVENTS_FILE, EVENTS_SCHEMA } from './run-event.js';
export { ReporterMultiplexer } from './multiplexer.js';
export { JsonReporter, JOURNAL_FILE } from './json-reporter.js';
export { NdjsonWriter } from './ndjson-writer.js';
export { readPartialJournal } from './partial-journal.js';
export { JunitReporter, JUNIT_FILE, renderJunit } from './junit-reporter.js';
export { MarkdownReporter, SUMMARY_FILE, renderMarkdown } from './markdown-reporter.js';
export { HtmlReporter, HTML_FILE, renderHtml } from './html-reporter.js';
export { writeReports, REPORTERS, FINAL_REPORTERS, type ReporterName, type WriteReportsResult } from './write-reports.js';
export { readJournalInput } from './journal-input.js';
