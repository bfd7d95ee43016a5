/**
 * The process exit code of every command, decided here and nowhere else:
 * 0 pass (or a command that did its job), 1 an SLO, the steady state or a regression failed,
 * 2 invalid input, 3 environment error (a fault not injected, a cluster unreachable),
 * 130 interrupted. The CLI maps each command's outcome through `exitCode` and exits with it.
 */
import { PeakreadyError, type ErrorCode } from './errors.js';
import type { Journal } from './journal.js';

export type Outcome =
  /** A command that did what it was asked (validate, deploy, bundle, clean, …). */
  | { readonly kind: 'done' }
  /** Stopped by SIGINT/SIGTERM or an abort. */
  | { readonly kind: 'interrupted' }
  /** A run: its status and verdict, and a regression under --fail-on-regression. */
  | { readonly kind: 'run'; readonly journal: Journal }
  /** `peakready report`: the reports rendered (a failed run's report is no failure), and a regression under --fail-on-regression. */
  | { readonly kind: 'report'; readonly journal: Journal; readonly reporterFailures: number }
  /** A capacity search, by how it ended: no rate at all met the SLOs is a failure. */
  | { readonly kind: 'capacity'; readonly outcome: 'found' | 'no-break' | 'none-sustainable' | 'interrupted' }
  /** Anything thrown. */
  | { readonly kind: 'error'; readonly error: unknown };

const BY_ERROR_CODE: Readonly<Record<ErrorCode, number>> = { INVALID_INPUT: 2, ENVIRONMENT: 3, INTERRUPTED: 130, INTERNAL: 1 };

export function exitCode(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'done':
      return 0;
    case 'interrupted':
      return 130;
    case 'capacity':
      return outcome.outcome === 'interrupted' ? 130 : outcome.outcome === 'none-sustainable' ? 1 : 0;
    case 'error':
      return outcome.error instanceof PeakreadyError ? BY_ERROR_CODE[outcome.error.code] : 1;
    case 'run': {
      const j = outcome.journal;
      if (j.status === 'interrupted') return 130;
      if (j.status === 'fault-not-injected') return 3;
      if (j.status === 'error') return BY_ERROR_CODE[j.errorCode ?? 'ENVIRONMENT'];
      return j.verdict !== 'pass' || regressed(j) ? 1 : 0;
    }
    case 'report':
      return outcome.reporterFailures > 0 || regressed(outcome.journal) ? 1 : 0;
  }
}

/** A regression against the baseline counts only under --fail-on-regression. */
function regressed(j: Journal): boolean {
  const b = j.baseline;
  return b !== undefined && b.failOnRegression && b.regressions > 0;
}
