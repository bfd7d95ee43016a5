/**
 * The one journal builder and the one exit-code function (issue 16): the same facts give the
 * same verdict, score and exit code whether the runner, the game day or the journal rebuilt
 * from events.ndjson builds the journal.
 */
import { describe, expect, it } from 'vitest';
import { environmentError, invalidInput, PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';
import type { Journal, ProbeResult, RunStatus, SloResult } from '../../../src/contract/journal.js';
import { buildJournal, type JournalParts } from '../../../src/contract/verdict.js';

const slo = (status: SloResult['status'], extra: Partial<SloResult> = {}): SloResult => ({ name: `slo ${status}`, expression: 's', status, observed: '', threshold: '', window: 'run', advisory: false, weight: 1, source: 'client', ...extra });
const probe = (ok: boolean): ProbeResult => ({ name: 'predict answers 200', ok, observed: ok ? 'HTTP 200 in 4 ms' : 'HTTP 503 in 2 ms', expected: 'HTTP 200 within 2000 ms', durationMs: 3 });

function parts(status: RunStatus, over: Partial<JournalParts> = {}): JournalParts {
  return {
    runId: 'r1',
    scenario: { name: 'ci-smoke', description: '', file: 'scenarios/ci-smoke.ts' },
    platform: 'local',
    seed: 1,
    timeScale: 1,
    startedAt: '2026-11-30T00:00:00.000Z',
    endedAt: '2026-11-30T00:01:00.000Z',
    trafficStartEpochMs: 0,
    status,
    phases: [],
    faults: [],
    events: [],
    steadyState: { before: [probe(true)], after: [probe(true)] },
    endpoints: [],
    timeline: [],
    series: [],
    slos: [],
    totals: { requests: 10, errors: 0, dropped: 0, achievedRps: 1, targetRps: 1 },
    ...over,
  };
}
const run = (j: Journal) => exitCode({ kind: 'run', journal: j });

describe('buildJournal: verdict, score and reason from one rule', () => {
  it('a completed run: the SLOs decide, advisory ones never fail it', () => {
    const pass = buildJournal(parts('completed', { slos: [slo('pass'), slo('fail', { advisory: true })] }));
    expect([pass.verdict, pass.resilienceScore, run(pass)]).toEqual(['pass', 50, 0]);
    const fail = buildJournal(parts('completed', { slos: [slo('pass'), slo('no-data')] }));
    expect([fail.verdict, fail.resilienceScore, run(fail)]).toEqual(['fail', 50, 1]);
  });

  it('a completed run whose steady state did not come back fails, says why, and scores lower', () => {
    const j = buildJournal(parts('completed', { slos: [slo('pass')], steadyState: { before: [probe(true)], after: [probe(false)] } }));
    expect(j.verdict).toBe('fail');
    expect(j.reason).toBe('steady state not met after the faults: predict answers 200 (HTTP 503 in 2 ms, expected HTTP 200 within 2000 ms)');
    expect(j.resilienceScore).toBe(50);
    expect(run(j)).toBe(1);
  });

  it('a game day with a fault that failed to start fails with that reason', () => {
    const j = buildJournal(parts('completed', { failures: ['latency on redis: connection refused'] }));
    expect([j.verdict, j.reason, run(j)]).toEqual(['fail', 'latency on redis: connection refused', 1]);
  });

  it('a fault that was not injected is an error, exit 3, score 0, whatever the SLOs', () => {
    const j = buildJournal(parts('fault-not-injected', { reason: 'fault x was not injected: refused' }));
    expect([j.verdict, j.resilienceScore, run(j)]).toEqual(['error', 0, 3]);
  });

  it('an error keeps its kind: invalid input found mid-run exits 2, anything else 3', () => {
    const bad = buildJournal(parts('error', { error: invalidInput('stack.gateway: bad') }));
    expect([bad.verdict, bad.errorCode, run(bad)]).toEqual(['error', 'INVALID_INPUT', 2]);
    const env = buildJournal(parts('error', { error: new Error('socket hang up') }));
    expect([env.errorCode, run(env)]).toEqual(['ENVIRONMENT', 3]);
    expect(buildJournal(parts('completed', { slos: [slo('pass')], error: new Error('x') })).errorCode).toBeUndefined();
  });

  it('aborted, interrupted and steady-state-failed runs fail; a rebuilt run scores the SLOs it judged', () => {
    for (const status of ['aborted', 'interrupted', 'steady-state-failed'] as const) expect(buildJournal(parts(status, { slos: [slo('pass')] })).verdict).toBe('fail');
    expect(buildJournal(parts('aborted')).resilienceScore).toBe(0);
    expect(buildJournal(parts('aborted', { slos: [slo('pass'), slo('fail')] })).resilienceScore).toBe(50);
    expect(run(buildJournal(parts('interrupted')))).toBe(130);
    expect(run(buildJournal(parts('aborted')))).toBe(1);
  });

  it('keeps the tool version of a rebuilt journal, else stamps this one', () => {
    expect(buildJournal(parts('aborted', { tool: { name: 'peakready', version: '0.0.9' } })).tool.version).toBe('0.0.9');
    expect(buildJournal(parts('aborted')).tool.name).toBe('peakready');
  });
});

describe('exitCode: every command outcome', () => {
  it('maps thrown errors by their kind', () => {
    expect(exitCode({ kind: 'error', error: invalidInput('x') })).toBe(2);
    expect(exitCode({ kind: 'error', error: environmentError('x') })).toBe(3);
    expect(exitCode({ kind: 'error', error: new PeakreadyError('INTERRUPTED', 'x') })).toBe(130);
    expect(exitCode({ kind: 'error', error: new PeakreadyError('INTERNAL', 'x') })).toBe(1);
    expect(exitCode({ kind: 'error', error: new TypeError('bug') })).toBe(1);
  });

  it('a report passes unless a reporter failed or a regression counts', () => {
    const failed = buildJournal(parts('completed', { slos: [slo('fail')] }));
    expect(exitCode({ kind: 'report', journal: failed, reporterFailures: 0 })).toBe(0);
    expect(exitCode({ kind: 'report', journal: failed, reporterFailures: 1 })).toBe(1);
  });

  it('capacity, traffic only and plain commands', () => {
    expect(exitCode({ kind: 'capacity', outcome: 'found' })).toBe(0);
    expect(exitCode({ kind: 'capacity', outcome: 'no-break' })).toBe(0);
    expect(exitCode({ kind: 'capacity', outcome: 'none-sustainable' })).toBe(1);
    expect(exitCode({ kind: 'capacity', outcome: 'interrupted' })).toBe(130);
    expect(exitCode({ kind: 'done' })).toBe(0);
    expect(exitCode({ kind: 'interrupted' })).toBe(130);
  });
});
