import { beforeAll, describe, expect, it } from 'vitest';
import { withBaseline } from '../../../src/baseline/baseline-options.js';
import { exitCode } from '../../../src/contract/exit-code.js';
import { compareWithBaseline } from '../../../src/baseline/compare-baseline.js';
import { runFigures } from '../../../src/baseline/run-figures.js';
import { parseTolerances } from '../../../src/baseline/tolerance.js';
import type { BaselineComparison, Journal } from '../../../src/contract/journal.js';
import { simulatedJournal } from './fixtures/simulated-run.js';

let base: Journal;
beforeAll(async () => {
  base = await simulatedJournal({ runId: 'release-41' });
});

const compare = async (knobs: Parameters<typeof simulatedJournal>[0], tolerance: string[] = []): Promise<BaselineComparison> => {
  const { tolerances, problems } = parseTolerances(tolerance);
  expect(problems).toEqual([]);
  return compareWithBaseline(await simulatedJournal({ runId: 'release-42', ...knobs }), base, { file: 'reports/release-41/journal.json', tolerances });
};
const byName = (c: BaselineComparison, name: string) => {
  const f = c.figures.find((x) => x.name === name);
  expect(f, `figure ${name} in ${c.figures.map((x) => x.name).join(', ')}`).toBeDefined();
  return f!;
};
const regressed = (c: BaselineComparison): string[] => c.figures.filter((f) => f.regressed).map((f) => f.name);

describe('run figures read from a journal', () => {
  it('merges the endpoints\' histograms for the overall p99 and uses the SLOs\' fallback-share definition', () => {
    const f = runFigures(base);
    const p99s = [...f.endpointP99.values()];
    expect([...f.endpointP99.keys()].sort()).toEqual(['batch', 'predict']);
    expect(f.p99).toBeGreaterThanOrEqual(Math.min(...p99s));
    expect(f.p99).toBeLessThanOrEqual(Math.max(...p99s));
    const answered = base.endpoints.reduce((a, e) => a + (e.modelType['fallback'] ?? 0) + (e.modelType['primary'] ?? 0), 0);
    const fallback = base.endpoints.reduce((a, e) => a + (e.modelType['fallback'] ?? 0), 0);
    expect(f.fallbackShare).toBeCloseTo(fallback / answered, 12);
    expect(f.errorRate).toBeCloseTo(base.totals.errors / base.totals.requests, 12);
    expect(f.throughput).toBe(base.totals.achievedRps);
    // Deploy at 45 s, the rollout reaches Degraded with weight 0 at 52 s.
    expect([...f.rollbackMs]).toEqual([['deploy-tabular-v2-bad', 7000]]);
  });

  it('a run that never started traffic has no figures rather than zeros', () => {
    const f = runFigures({ ...base, endpoints: [], timeline: [], events: [], totals: { requests: 0, errors: 0, dropped: 0, achievedRps: 0, targetRps: 30 } });
    expect(f).toMatchObject({ p99: null, throughput: null, errorRate: null, fallbackShare: null });
    expect(f.endpointP99.size).toBe(0);
  });
});

describe('comparing a run with its baseline', () => {
  it('the same release with other random draws shows no regression, every figure compared', async () => {
    const c = await compare({ seed: 8 });
    expect(c.figures.map((f) => f.name)).toEqual([
      'p99 (all endpoints)',
      'p99 (batch)',
      'p99 (predict)',
      'throughput',
      'error rate',
      'fallback share',
      'rollback time (deploy-tabular-v2-bad)',
    ]);
    expect(regressed(c)).toEqual([]);
    expect(c.regressions).toBe(0);
    expect(c.baseline).toEqual({ runId: 'release-41', startedAt: base.startedAt, file: 'reports/release-41/journal.json', scenario: 'holiday-peak' });
    expect(byName(c, 'rollback time (deploy-tabular-v2-bad)').change).toBe('no change');
  });

  it('slower predict answers regress predict\'s p99 and the overall p99, not batch', async () => {
    const c = await compare({ extraLatencyMs: { predict: 100 } });
    expect(regressed(c)).toEqual(['p99 (all endpoints)', 'p99 (predict)']);
    const p = byName(c, 'p99 (predict)');
    expect(p.current! - p.baseline!).toBeGreaterThan(95);
    expect(p.change).toMatch(/^\+2\d\.\d% \(\+\d+(\.\d+)?ms\)$/);
    expect(p.tolerance).toBe('+10%');
  });

  it('throughput down 10% regresses under the default -5%, not under 15%', async () => {
    const c = await compare({ rateFactor: 0.9 });
    expect(regressed(c)).toEqual(['throughput']);
    expect(byName(c, 'throughput')).toMatchObject({ baseline: 30, current: 27, change: '-10% (-3 rps)', tolerance: '-5%' });
    expect(regressed(await compare({ rateFactor: 0.9 }, ['throughput=15%']))).toEqual([]);
    expect(regressed(await compare({ rateFactor: 1.2 }))).toEqual([]); // more is never a regression
  });

  it('fallback answers lasting 8 s longer regress the fallback share, in percentage points', async () => {
    const c = await compare({ fallbackUntilS: 45 });
    expect(regressed(c)).toEqual(['fallback share']);
    expect(byName(c, 'fallback share').change).toMatch(/^\+1\d\.\d+pp$/);
    expect(byName(c, 'fallback share').tolerance).toBe('+2pp');
  });

  it('2% more failed requests regress the error rate beyond +0.5pp', async () => {
    const c = await compare({ errorShare: 0.02 });
    expect(regressed(c)).toEqual(['error rate']);
    expect(byName(c, 'error rate').tolerance).toBe('+0.5pp');
  });

  it('a slower rollback regresses; an absolute tolerance equal to the change does not', async () => {
    const c = await compare({ rollbackAfterS: 12 });
    expect(regressed(c)).toEqual(['rollback time (deploy-tabular-v2-bad)']);
    expect(byName(c, 'rollback time (deploy-tabular-v2-bad)')).toMatchObject({ baseline: 7000, current: 12_000, change: '+71.4% (+5s)', tolerance: '+20%' });
    expect(regressed(await compare({ rollbackAfterS: 12 }, ['rollback-time=5s']))).toEqual([]);
    expect(regressed(await compare({ rollbackAfterS: 12 }, ['rollback-time=4s']))).toEqual(['rollback time (deploy-tabular-v2-bad)']);
  });

  it('a deploy that rolled back in the baseline and not now is a regression', async () => {
    const c = await compare({ rollbackAfterS: null });
    expect(byName(c, 'rollback time (deploy-tabular-v2-bad)')).toMatchObject({ current: null, change: 'no rollback', regressed: true });
  });

  it('per-endpoint and absolute p99 tolerances apply where given', async () => {
    const scoped = await compare({ extraLatencyMs: { predict: 100 } }, ['p99(predict)=25%']);
    expect(regressed(scoped)).toEqual(['p99 (all endpoints)']);
    expect(byName(scoped, 'p99 (predict)').tolerance).toBe('+25%');
    expect(regressed(await compare({ extraLatencyMs: { predict: 100 } }, ['p99=150ms']))).toEqual([]);
  });

  it('notes what makes the comparison less meaningful', () => {
    const other = { ...base, runId: 'other', seed: 9, timeScale: 0.5, scenario: { ...base.scenario, name: 'ci-smoke' }, status: 'aborted' as const };
    const c = compareWithBaseline(other, base, { file: 'b.json' });
    expect(c.notes).toEqual([
      'scenario differs: holiday-peak in the baseline, ci-smoke now',
      'time scale differs: 1 in the baseline, 0.5 now (rollback times scale with it)',
      'seed differs: 7 in the baseline, 9 now',
      'this run did not complete (aborted)',
    ]);
  });
});

describe('exit code after the comparison', () => {
  it('turns 0 into 1 only with --fail-on-regression and a regression; other codes stay', async () => {
    // Runs whose own SLOs passed: only the comparison can fail them.
    const passed = (j: Journal): Journal => ({ ...j, status: 'completed', verdict: 'pass' });
    const slower = passed(await simulatedJournal({ runId: 'release-42', extraLatencyMs: { predict: 100 } }));
    const { tolerances } = parseTolerances([]);
    const failing = withBaseline(slower, { journal: base, file: 'b.json', tolerances, failOnRegression: true });
    const lenient = withBaseline(slower, { journal: base, file: 'b.json', tolerances, failOnRegression: false });
    const clean = withBaseline(passed(base), { journal: base, file: 'b.json', tolerances, failOnRegression: true });
    expect(failing.baseline?.regressions).toBe(2);
    expect(exitCode({ kind: 'run', journal: failing })).toBe(1);
    expect(exitCode({ kind: 'run', journal: lenient })).toBe(0);
    expect(exitCode({ kind: 'run', journal: clean })).toBe(0);
    expect(exitCode({ kind: 'run', journal: { ...failing, status: 'interrupted', verdict: 'fail' } })).toBe(130);
    expect(exitCode({ kind: 'run', journal: slower })).toBe(0);
    // `peakready report` of the same journals: a regression under --fail-on-regression fails it too.
    expect(exitCode({ kind: 'report', journal: failing, reporterFailures: 0 })).toBe(1);
    expect(exitCode({ kind: 'report', journal: lenient, reporterFailures: 0 })).toBe(0);
  });
});
