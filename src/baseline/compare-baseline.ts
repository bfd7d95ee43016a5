/**
 * Compares a run's journal with an earlier run's: every figure of `run-figures.ts` side by
 * side, its change, its tolerance and whether it got worse beyond it. Worse means up for
 * latency, error rate, fallback share and rollback time, and down for throughput.
 */
import type { BaselineComparison, BaselineFigure, BaselineFigureKind, Journal } from '../contract/journal.js';
import { formatDuration } from '../slo/duration.js';
import { runFigures } from './run-figures.js';
import { DEFAULT_TOLERANCE_SET, toleranceFor, type Tolerance, type Tolerances } from './tolerance.js';

export interface CompareOptions {
  /** Where the baseline journal was read from (shown in the reports). */
  readonly file: string;
  readonly tolerances?: Tolerances;
  readonly failOnRegression?: boolean;
}

const UNIT: Readonly<Record<BaselineFigureKind, BaselineFigure['unit']>> = {
  p99: 'ms',
  throughput: 'rps',
  'error-rate': 'share',
  'fallback-share': 'share',
  'rollback-time': 'ms',
};

/** Throughput is the one figure where less is worse. */
const worseWhenLower = (kind: BaselineFigureKind): boolean => kind === 'throughput';

// Floating-point noise must not turn "exactly at the tolerance" into a regression.
const EPSILON = 1e-9;

const signed = (n: number, text: string): string => `${n < 0 ? '-' : '+'}${text}`;
const round = (n: number, digits: number): string => String(Number(n.toFixed(digits)));

function amountText(kind: BaselineFigureKind, amount: number): string {
  const a = Math.abs(amount);
  switch (UNIT[kind]) {
    case 'ms':
      return kind === 'rollback-time' ? formatDuration(a) : `${round(a, a < 10 ? 2 : 1)}ms`;
    case 'rps':
      return `${round(a, 1)} rps`;
    case 'share':
      return `${round(a * 100, 2)}pp`;
  }
}

function toleranceText(kind: BaselineFigureKind, t: Tolerance): string {
  const sign = worseWhenLower(kind) ? -1 : 1;
  return t.mode === 'relative' ? signed(sign, `${round(t.fraction * 100, 2)}%`) : signed(sign, amountText(kind, t.amount));
}

function changeText(kind: BaselineFigureKind, base: number, cur: number): string {
  const delta = cur - base;
  if (Math.abs(delta) < EPSILON) return 'no change';
  const abs = signed(delta, amountText(kind, delta));
  // Shares change in percentage points; a relative change of a share reads as noise.
  if (UNIT[kind] === 'share' || base === 0) return abs;
  return `${signed(delta, `${round((Math.abs(delta) / base) * 100, 1)}%`)} (${abs})`;
}

function figure(kind: BaselineFigureKind, name: string, scope: string | undefined, base: number | null, cur: number | null, tolerances: Tolerances): BaselineFigure | undefined {
  if (base === null && cur === null) return undefined;
  const tol = toleranceFor(tolerances, kind, scope);
  const common = { kind, ...(scope === undefined ? {} : { scope }), name, baseline: base, current: cur, unit: UNIT[kind], tolerance: toleranceText(kind, tol) };
  if (base === null) return { ...common, change: 'new', regressed: false, note: 'not measured in the baseline run' };
  if (cur === null) {
    // A deploy that rolled back last time and not this time is the worst rollback regression.
    if (kind === 'rollback-time') return { ...common, change: 'no rollback', regressed: true, note: 'the baseline rolled back after this deploy; this run never did' };
    return { ...common, change: 'not measured', regressed: false, note: 'not measured in this run' };
  }
  const worsening = worseWhenLower(kind) ? base - cur : cur - base;
  const allowed = tol.mode === 'relative' ? tol.fraction * Math.abs(base) : tol.amount;
  return { ...common, change: changeText(kind, base, cur), regressed: worsening > allowed + EPSILON };
}

function notes(current: Journal, baseline: Journal): string[] {
  const out: string[] = [];
  if (current.runId === baseline.runId) out.push(`the baseline is this same run (${baseline.runId})`);
  if (current.scenario.name !== baseline.scenario.name) out.push(`scenario differs: ${baseline.scenario.name} in the baseline, ${current.scenario.name} now`);
  if (current.platform !== baseline.platform) out.push(`platform differs: ${baseline.platform} in the baseline, ${current.platform} now`);
  if (current.timeScale !== baseline.timeScale) out.push(`time scale differs: ${baseline.timeScale} in the baseline, ${current.timeScale} now (rollback times scale with it)`);
  if (current.seed !== baseline.seed) out.push(`seed differs: ${baseline.seed} in the baseline, ${current.seed} now`);
  if (current.totals.targetRps !== baseline.totals.targetRps) out.push(`target rate differs: ${baseline.totals.targetRps} rps in the baseline, ${current.totals.targetRps} rps now`);
  if (baseline.status !== 'completed') out.push(`the baseline run did not complete (${baseline.status})`);
  if (current.status !== 'completed') out.push(`this run did not complete (${current.status})`);
  return out;
}

/** The comparison of `current` with `baseline`, ready to store as `journal.baseline`. */
export function compareWithBaseline(current: Journal, baseline: Journal, opts: CompareOptions): BaselineComparison {
  const tol = opts.tolerances ?? DEFAULT_TOLERANCE_SET;
  const b = runFigures(baseline);
  const c = runFigures(current);
  const list: (BaselineFigure | undefined)[] = [figure('p99', 'p99 (all endpoints)', undefined, b.p99, c.p99, tol)];
  const endpoints = [...new Set([...b.endpointP99.keys(), ...c.endpointP99.keys()])].sort();
  for (const ep of endpoints) list.push(figure('p99', `p99 (${ep})`, ep, b.endpointP99.get(ep) ?? null, c.endpointP99.get(ep) ?? null, tol));
  list.push(figure('throughput', 'throughput', undefined, b.throughput, c.throughput, tol));
  list.push(figure('error-rate', 'error rate', undefined, b.errorRate, c.errorRate, tol));
  list.push(figure('fallback-share', 'fallback share', undefined, b.fallbackShare, c.fallbackShare, tol));
  const deploys = [...new Set([...b.rollbackMs.keys(), ...c.rollbackMs.keys()])];
  for (const id of deploys) {
    const inBase = b.rollbackMs.has(id);
    const inCur = c.rollbackMs.has(id);
    const f = figure('rollback-time', `rollback time (${id})`, id, b.rollbackMs.get(id) ?? null, c.rollbackMs.get(id) ?? null, tol);
    // A deploy only one of the runs made is not comparable; say so rather than flag it.
    if (f && !(inBase && inCur)) list.push({ ...f, regressed: false, change: 'not comparable', note: `deployed only in ${inBase ? 'the baseline run' : 'this run'}` });
    else list.push(f);
  }
  const figures = list.filter((f): f is BaselineFigure => f !== undefined);
  return {
    baseline: { runId: baseline.runId, startedAt: baseline.startedAt, file: opts.file, scenario: baseline.scenario.name },
    failOnRegression: opts.failOnRegression ?? false,
    figures,
    regressions: figures.filter((f) => f.regressed).length,
    notes: notes(current, baseline),
  };
}
