import { describe, expect, it } from 'vitest';
import { scenarioProblems, validateScenario } from '../../../src/scenario/validate.js';
import { preflightProblems } from '../../../src/runner/preflight.js';
import { PeakreadyError } from '../../../src/contract/errors.js';
import type { Scenario } from '../../../src/scenario/types.js';
import { exitCode } from '../../../src/contract/exit-code.js';

const F = 'scenarios/x.ts';
const req = () => ({ path: '/api/v1/predict' });

function valid(): Scenario {
  return {
    name: 'x',
    traffic: { executor: 'arrival-rate', stages: [{ name: 'baseline', duration: '30s', rate: 40 }, { name: 'spike', duration: '10s', rate: 150, shape: 'ramp' }] },
    mix: { predict: { weight: 70, request: req }, batch: { weight: 10, request: req } },
    faults: [{ kind: 'kill-replica', target: 'tabular', at: '20s' }, { id: 'slow-triton', kind: 'latency', target: 'triton', at: '5s', for: '10s', params: { latency: '300ms' } }],
    events: [{ kind: 'deploy', at: '15s', service: 'tabular', version: 'v2-bad' }],
    slos: [
      { metric: { kind: 'latency', percentile: 99, endpoint: 'predict' }, op: '<', threshold: 250, window: { kind: 'phase', phase: 'spike' } },
      { metric: { kind: 'error-rate' }, op: '<', threshold: 0.01, window: { kind: 'during-fault', fault: 'kill-replica-tabular' } },
      { metric: { kind: 'version-share', version: 'v1' }, op: '>', threshold: 0.9, window: { kind: 'after-event', event: 'deploy-tabular-v2-bad', for: '30s' } },
      { metric: { kind: 'fallback-share' }, op: '>', threshold: 0.5, timing: { within: '30s', anchor: { fault: 'slow-triton', edge: 'start' } } },
    ],
  };
}

describe('scenario validation', () => {
  it('accepts a valid scenario with cross references', () => {
    expect(scenarioProblems(valid(), F)).toEqual([]);
  });

  it('names the file, dotted path, expectation and value (stage rate)', () => {
    const s = valid() as unknown as { traffic: { stages: { rate: number }[] } };
    s.traffic.stages.push({ duration: '10s', rate: -5 } as never);
    expect(scenarioProblems(s, F)).toEqual([`${F}: traffic.stages[2].rate: expected a number >= 0, got -5`]);
  });

  it('lists every problem at once, not only the first', () => {
    const bad = {
      name: '',
      traffic: { executor: 'arrival-rate', stages: [{ duration: '90', rate: 10 }, { duration: '1m', rate: 'fast', shape: 'zigzag' }], maxInFlight: 0 },
      mix: { predict: { weight: 0, request: 'nope' } },
      faults: [{ kind: 'explode', target: 'tabular', at: 'soon' }],
      events: [{ kind: 'deploy', at: '1m', service: 'tabular' }],
      drift: { startAt: '1m', shift: 'big' },
      safety: { halt: [{ metric: 'cpu', above: 1, for: '10' }] },
    };
    const problems = scenarioProblems(bad, F);
    expect(problems).toEqual([
      `${F}: name: expected a non-empty string, got ""`,
      `${F}: traffic.maxInFlight: expected an integer >= 1, got 0`,
      `${F}: traffic.stages[0].duration: expected a duration like "90s", "2m" or "1m30s", got "90"`,
      `${F}: traffic.stages[1].rate: expected a number >= 0, got "fast"`,
      `${F}: traffic.stages[1].shape: unknown stage shape 'zigzag', expected one of constant, ramp`,
      `${F}: mix.predict.weight: expected a number > 0, got 0`,
      `${F}: mix.predict.request: expected a function (ctx) => ({ method, path, body }), got "nope"`,
      `${F}: faults[0].kind: unknown fault kind 'explode', expected one of kill-replica, unavailable, latency, errors, reset, partition, bandwidth, cpu-stress, redis-outage`,
      `${F}: faults[0].at: expected a duration like "90s", "2m" or "1m30s", got "soon"`,
      `${F}: events[0].version: expected a non-empty string, got nothing`,
      `${F}: drift.shift: expected a number, got "big"`,
      `${F}: safety.halt[0].metric: unknown halt metric 'cpu', expected one of error-rate, dropped-rate, p99-latency-ms`,
      `${F}: safety.halt[0].for: expected a duration like "90s", "2m" or "1m30s", got "10"`,
    ]);
  });

  it('checks SLO cross references: endpoints in the mix, phases, fault ids, event ids', () => {
    const s = valid() as unknown as { slos: unknown[] };
    s.slos = [
      { metric: { kind: 'latency', percentile: 99, endpoint: 'checkout' }, op: '<', threshold: 250 },
      { metric: { kind: 'error-rate' }, op: '<', threshold: 0.01, window: { kind: 'phase', phase: 'black-friday' } },
      { metric: { kind: 'error-rate' }, op: '<', threshold: 0.01, window: { kind: 'during-fault', fault: 'kill-triton' } },
      { metric: { kind: 'error-rate' }, op: '<', threshold: 0.01, window: { kind: 'after-event', event: 'deploy-x', for: 'long' } },
      { metric: { kind: 'fallback-share' }, op: '>', threshold: 0.5, timing: { within: 'soon', anchor: { phase: 'nope', edge: 'middle' } } },
      { metric: { kind: 'latency', percentile: 101 }, op: '~', threshold: null },
      { metric: { kind: 'p42' }, op: '<', threshold: 1 },
    ];
    expect(scenarioProblems(s, F)).toEqual([
      `${F}: slos[0].metric.endpoint: unknown endpoint 'checkout', expected one of predict, batch`,
      `${F}: slos[1].window.phase: unknown phase 'black-friday', expected one of baseline, spike`,
      `${F}: slos[2].window.fault: unknown fault 'kill-triton', expected one of kill-replica-tabular, slow-triton`,
      `${F}: slos[3].window.event: unknown event 'deploy-x', expected one of deploy-tabular-v2-bad`,
      `${F}: slos[3].window.for: expected a duration like "90s", "2m" or "1m30s", got "long"`,
      `${F}: slos[4].timing.within: expected a duration like "90s", "2m" or "1m30s", got "soon"`,
      `${F}: slos[4].timing.anchor.phase: unknown phase 'nope', expected one of baseline, spike`,
      `${F}: slos[4].timing.anchor.edge: unknown edge 'middle', expected one of start, end`,
      `${F}: slos[5].metric.percentile: expected a number > 0 and <= 100, got 101`,
      `${F}: slos[5].op: unknown comparator '~', expected one of <, <=, >, >=, ==, !=`,
      `${F}: slos[5].threshold: expected a number or a phase name, got null`,
      `${F}: slos[6].metric.kind: unknown SLO metric 'p42', expected one of latency, error-rate, throughput, dropped, fallback-share, cache-hit-ratio, version-share, ttft, itl, tpot, output-tokens-per-second, goodput, breaker-state, replicas, rollout-phase, model-accuracy, drift, restarts, promql`,
    ]);
  });

  it('checks the mechanisms a scenario switches off: names on their own, and against the stack before a run', () => {
    expect(scenarioProblems({ ...valid(), stack: { disable: ['fallback', 7 as unknown as string] } }, F)).toEqual([`${F}: stack.disable[1]: expected a non-empty string, got 7`]);
    // Which names exist depends on the stack (the reference stack's mechanisms, or a stack definition's switches).
    expect(preflightProblems({ stack: { disable: ['fallback', 'flalback'] } }, F, 'local')).toEqual([
      `${F}: stack.disable[1]: expected one of fallback, breaker, cache, autoscaler, analysis, got "flalback"`,
    ]);
  });

  it('reports duplicate fault ids and a missing mix', () => {
    const s = { ...valid(), mix: {}, faults: [{ kind: 'latency', target: 'a', at: '1s' }, { kind: 'latency', target: 'a', at: '2s' }] };
    expect(scenarioProblems(s, F)).toEqual(
      expect.arrayContaining([`${F}: mix: expected at least one entry, got {}`, `${F}: faults[1].id: duplicate fault id 'latency-a', give each fault a distinct id`]),
    );
  });

  it('validates the closed model and steady-state probes', () => {
    const s = {
      name: 'vus',
      traffic: { executor: 'vus', vus: 0, duration: '1m', thinkTime: { min: '2s', max: '1s' } },
      mix: { a: { weight: 1, request: req } },
      steadyState: [{ name: 'health', http: { path: 'health', expectStatus: 700 } }, { name: 'empty' }],
    };
    expect(scenarioProblems(s, F)).toEqual([
      `${F}: traffic.vus: expected an integer >= 1, got 0`,
      `${F}: traffic.thinkTime.max: expected a duration >= thinkTime.min (2s), got "1s"`,
      `${F}: steadyState[0].http.path: expected a path starting with "/", got "health"`,
      `${F}: steadyState[0].http.expectStatus: expected an integer >= 100 and <= 599, got 700`,
      `${F}: steadyState[1]: expected an http or a promql probe, got {"name":"empty"}`,
    ]);
  });

  it('throws one INVALID_INPUT error (exit 2) carrying every problem', () => {
    try {
      validateScenario({ name: 'x', traffic: { executor: 'teleport' }, mix: null }, F);
      expect.unreachable();
    } catch (err) {
      const e = err as PeakreadyError;
      expect(e).toBeInstanceOf(PeakreadyError);
      expect(exitCode({ kind: 'error', error: e })).toBe(2);
      expect(e.message).toBe(`${F}: 2 problems in the scenario`);
      expect(e.problems).toEqual([
        `${F}: traffic.executor: unknown executor 'teleport', expected one of arrival-rate, vus`,
        `${F}: mix: expected an object, got null`,
      ]);
    }
  });
});
