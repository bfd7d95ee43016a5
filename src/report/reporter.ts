/**
 * The reporter extension point: optional hooks, called by the runner through a
 * ReporterMultiplexer (which keeps a throwing reporter from breaking anything else).
 */
import type { Journal } from '../contract/journal.js';
import type { RunBegin, RunEvent } from '../contract/run-event.js';

export interface Reporter {
  /** Short name used in error messages ("junit", "html"). */
  readonly name: string;
  /** The run started (before the platform comes up). */
  onBegin?(begin: RunBegin): void | Promise<void>;
  /** Something happened during the run (a second of traffic, a fault edge, an SLO result). */
  onEvent?(event: RunEvent): void | Promise<void>;
  /** The run ended; `journal` is the whole result. */
  onEnd?(journal: Journal): void | Promise<void>;
}

/** A reporter that failed in one of its hooks. */
export interface ReporterFailure {
  readonly reporter: string;
  readonly hook: 'onBegin' | 'onEvent' | 'onEnd';
  readonly error: unknown;
}
