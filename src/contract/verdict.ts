/**
 * How a run's verdict, resilience score and reason follow from what happened: the one
 * journal builder. The runner, the game day and the journal rebuilt from events.ndjson all
 * build their journal here, so the same facts always give the same verdict.
 */
import { PeakreadyError, type ErrorCode } from './errors.js';
import { JOURNAL_SCHEMA, type Journal, type ProbeResult, type SloResult, type Verdict } from './journal.js';
import { VERSION } from './version.js';

/** Pass when every non-advisory SLO passed (an empty list passes: the caller refuses runs with nothing to verify). */
export function verdictOf(results: readonly SloResult[]): Extract<Verdict, 'pass' | 'fail'> {
  return results.every((r) => r.advisory || r.status === 'pass') ? 'pass' : 'fail';
}

/** Weighted share of SLOs met, 0..100 (one decimal); 100 when there are none. */
export function resilienceScore(results: readonly SloResult[]): number {
  const total = results.reduce((a, r) => a + r.weight, 0);
  if (total === 0) return 100;
  const met = results.filter((r) => r.status === 'pass').reduce((a, r) => a + r.weight, 0);
  return Math.round((met / total) * 1000) / 10;
}

/**
 * The resilience score with each failed after-run steady-state probe counted as one more
 * unmet SLO of weight 1: a system that did not come back is less resilient, whatever its
 * SLOs said. Passing probes add nothing (they would only dilute failed SLOs).
 */
export function scoreWithProbes(slos: readonly SloResult[], after: readonly ProbeResult[]): number {
  const failed = after.filter((p) => !p.ok);
  if (failed.length === 0) return resilienceScore(slos);
  const asSlos: SloResult[] = failed.map((p) => ({
    name: `steady state after: ${p.name}`,
    expression: `steady state after: ${p.name}`,
    status: 'fail',
    observed: p.observed,
    threshold: p.expected,
    window: 'after the run',
    advisory: false,
    weight: 1,
    source: 'client',
  }));
  return resilienceScore([...slos, ...asSlos]);
}

/** Everything a journal holds except what this module decides (schema, tool, verdict, score). */
export type JournalParts = Omit<Journal, 'schema' | 'tool' | 'verdict' | 'resilienceScore' | 'errorCode'> & {
  /** The peakready that ran it (a journal rebuilt from events keeps the version that wrote them); default this one. */
  readonly tool?: Journal['tool'];
  /** Why a completed run still fails without an SLO saying so (a game day's fault that did not start). */
  readonly failures?: readonly string[];
  /** The error that ended a run with status "error" (its code decides the exit code). */
  readonly error?: unknown;
};

/**
 * The journal of a run, with its verdict and score decided by one rule:
 * - completed: fail when an after-run probe failed or a failure was given, else the SLOs decide;
 *   the score is the SLOs' weighted share with each failed after-run probe as one more unmet SLO;
 * - error or a fault that was not injected: verdict "error";
 * - any other status (aborted by a safeguard, interrupted, steady state not met before, a run
 *   rebuilt from its events): "fail"; the score is the share of the SLOs judged, 0 when none was.
 */
export function buildJournal(parts: JournalParts): Journal {
  const { failures = [], error, tool, ...p } = parts;
  const failedAfter = p.steadyState.after.filter((x) => !x.ok);
  const completed = p.status === 'completed';
  const verdict: Verdict = completed
    ? failedAfter.length > 0 || failures.length > 0
      ? 'fail'
      : verdictOf(p.slos)
    : p.status === 'error' || p.status === 'fault-not-injected'
      ? 'error'
      : 'fail';
  let reason = p.reason;
  if (completed && failedAfter.length > 0) reason = `steady state not met after the faults: ${failedAfter.map((x) => `${x.name} (${x.observed}, expected ${x.expected})`).join('; ')}`;
  else if (completed && failures.length > 0) reason = failures.join('; ');
  const score = completed ? scoreWithProbes(p.slos, p.steadyState.after) : p.slos.reduce((a, s) => a + s.weight, 0) === 0 ? 0 : resilienceScore(p.slos);
  const errorCode = p.status === 'error' ? errorCodeOf(error) : undefined;
  return {
    schema: JOURNAL_SCHEMA,
    runId: p.runId,
    tool: tool ?? { name: 'peakready', version: VERSION },
    scenario: p.scenario,
    platform: p.platform,
    seed: p.seed,
    timeScale: p.timeScale,
    startedAt: p.startedAt,
    endedAt: p.endedAt,
    trafficStartEpochMs: p.trafficStartEpochMs,
    status: p.status,
    verdict,
    ...(reason ? { reason } : {}),
    ...(errorCode ? { errorCode } : {}),
    phases: p.phases,
    faults: p.faults,
    events: p.events,
    steadyState: p.steadyState,
    endpoints: p.endpoints,
    timeline: p.timeline,
    series: p.series,
    slos: p.slos,
    resilienceScore: score,
    totals: p.totals,
    ...(p.baseline ? { baseline: p.baseline } : {}),
    ...(p.faultEffects ? { faultEffects: p.faultEffects } : {}),
    ...(p.findings ? { findings: p.findings } : {}),
  };
}

function errorCodeOf(error: unknown): ErrorCode {
  return error instanceof PeakreadyError ? error.code : 'ENVIRONMENT';
}
