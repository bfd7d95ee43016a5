/**
 * The baseline comparison as display text, shared by summary.md, junit.xml and report.html
 * so all three say the same thing. Reads only the journal's `baseline` field; escaping is
 * left to each reporter.
 */
import type { BaselineComparison, BaselineFigure } from '../contract/journal.js';
import { fmtDuration, fmtMs, fmtPercent, fmtRps } from './report-format.js';

export interface BaselineRow {
  readonly name: string;
  readonly baseline: string;
  readonly current: string;
  readonly change: string;
  readonly tolerance: string;
  readonly regressed: boolean;
  /** regressed; ok (within tolerance, or better); not-compared (one run lacks the figure). */
  readonly status: 'regressed' | 'ok' | 'not-compared';
  readonly note: string | undefined;
}

/** A figure's value in its unit: "212.0ms", "38.5 rps", "1.2%", "7s"; "–" when not measured. */
export function figureValue(f: BaselineFigure, v: number | null): string {
  if (v === null) return '–';
  switch (f.unit) {
    case 'ms':
      return f.kind === 'rollback-time' ? fmtDuration(v) : fmtMs(v);
    case 'rps':
      return fmtRps(v);
    case 'share':
      return fmtPercent(v);
  }
}

export function baselineRows(c: BaselineComparison): BaselineRow[] {
  return c.figures.map((f) => ({
    name: f.name,
    baseline: figureValue(f, f.baseline),
    current: figureValue(f, f.current),
    change: f.change,
    tolerance: f.tolerance,
    regressed: f.regressed,
    status: f.regressed ? 'regressed' : f.baseline === null || f.current === null || f.change === 'not comparable' ? 'not-compared' : 'ok',
    note: f.note,
  }));
}

/** One line: "2 of 7 figures regressed beyond tolerance vs run abc (started …)". */
export function baselineHeadline(c: BaselineComparison): string {
  const verdict = c.regressions === 0 ? `no regression beyond tolerance in ${c.figures.length} figures` : `${c.regressions} of ${c.figures.length} figures regressed beyond tolerance`;
  const failing = c.regressions > 0 ? (c.failOnRegression ? ' (fails the run: --fail-on-regression)' : ' (not failing the run: no --fail-on-regression)') : '';
  return `${verdict}${failing} — baseline run ${c.baseline.runId} (${c.baseline.scenario}, started ${c.baseline.startedAt}) from ${c.baseline.file}`;
}
