import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../../src/scenario/resolve.js';
import { defineScenario } from '../../../src/scenario/define.js';

const req = () => ({ path: '/p' });

const scenario = defineScenario({
  name: 'peak',
  traffic: {
    executor: 'arrival-rate',
    timeUnit: '1m',
    startRate: 600,
    stages: [
      { name: 'baseline', duration: '1m', rate: 2400 },
      { name: 'spike', duration: '30s', rate: 9000, shape: 'ramp' },
      { name: 'spike', duration: '30s', rate: 9000 },
      { duration: '1m', rate: 0, shape: 'ramp' },
    ],
  },
  mix: { predict: { weight: 1, request: req } },
  drift: { startAt: '1m', rampFor: '30s', shift: 0.3 },
  faults: [{ kind: 'kill-replica', target: 'tabular', at: '70s' }, { id: 'slow', kind: 'latency', target: 'triton', at: '2m', for: '20s', params: { latency: '300ms' } }],
  events: [{ kind: 'deploy', at: '90s', service: 'tabular', version: 'v2-bad' }],
  slos: [{ metric: { kind: 'error-rate' }, op: '<', threshold: 0.01, window: { kind: 'after-event', event: 'deploy-tabular-v2-bad', for: '30s' } }],
  safety: { halt: [{ metric: 'error-rate', above: 0.5, for: '20s' }] },
});

describe('resolveScenario', () => {
  it('fills defaults and converts rates per timeUnit to per second', () => {
    const r = resolveScenario(scenario, { file: 'scenarios/peak.ts' });
    expect(r.file).toBe('scenarios/peak.ts');
    expect(r.target).toBe('gateway');
    expect(r.description).toBe('');
    expect(r.traffic).toMatchObject({ executor: 'arrival-rate', preAllocated: 50, maxInFlight: 1000, timeoutMs: 10_000, durationMs: 180_000 });
    if (r.traffic.executor !== 'arrival-rate') throw new Error('executor');
    expect(r.traffic.stages).toEqual([
      { name: 'baseline', startMs: 0, durationMs: 60_000, fromRate: 40, toRate: 40 },
      { name: 'spike', startMs: 60_000, durationMs: 30_000, fromRate: 40, toRate: 150 },
      { name: 'spike', startMs: 90_000, durationMs: 30_000, fromRate: 150, toRate: 150 },
      { name: 'stage-4', startMs: 120_000, durationMs: 60_000, fromRate: 150, toRate: 0 },
    ]);
    // Consecutive stages with one name form one phase; unnamed stages form none.
    expect(r.phases).toEqual([
      { name: 'baseline', startMs: 0, endMs: 60_000 },
      { name: 'spike', startMs: 60_000, endMs: 120_000 },
    ]);
    expect(r.faults).toEqual([
      { id: 'kill-replica-tabular', kind: 'kill-replica', target: 'tabular', atMs: 70_000, durationMs: 0, params: {} },
      { id: 'slow', kind: 'latency', target: 'triton', atMs: 120_000, durationMs: 20_000, params: { latency: '300ms' } },
    ]);
    expect(r.events).toEqual([{ id: 'deploy-tabular-v2-bad', kind: 'deploy', atMs: 90_000, service: 'tabular', version: 'v2-bad' }]);
    expect(r.drift).toEqual({ startAtMs: 60_000, rampForMs: 30_000, shift: 0.3 });
    expect(r.safety).toEqual({ halt: [{ metric: 'error-rate', above: 0.5, for: '20s', forMs: 20_000 }], allowRemoteTarget: false });
    expect(r.timeScale).toBe(1);
  });

  it('applies the time scale to the timeline and the rate scale to rates, not to timeouts or SLO strings', () => {
    const r = resolveScenario(scenario, { timeScale: 0.1, rateScale: 2 });
    if (r.traffic.executor !== 'arrival-rate') throw new Error('executor');
    expect(r.traffic.durationMs).toBeCloseTo(18_000);
    expect(r.traffic.stages[1]).toMatchObject({ fromRate: 80, toRate: 300 });
    expect(r.traffic.stages[1]?.durationMs).toBeCloseTo(3000);
    expect(r.phases[1]?.startMs).toBeCloseTo(6000);
    expect(r.faults[1]?.atMs).toBeCloseTo(12_000);
    expect(r.faults[1]?.durationMs).toBeCloseTo(2000);
    expect(r.events[0]?.atMs).toBeCloseTo(9000);
    expect(r.drift?.rampForMs).toBeCloseTo(3000);
    expect(r.safety.halt[0]?.forMs).toBeCloseTo(2000);
    expect(r.traffic.timeoutMs).toBe(10_000);
    expect(r.slos[0]?.window).toEqual({ kind: 'after-event', event: 'deploy-tabular-v2-bad', for: '30s' });
    expect(r.timeScale).toBe(0.1);
  });

  it('resolves the closed model', () => {
    const r = resolveScenario({ name: 'v', traffic: { executor: 'vus', vus: 8, duration: '1m', thinkTime: { min: '1s', max: '5s' }, timeout: '2s' }, mix: { a: { weight: 1, request: req } } }, { timeScale: 0.5 });
    expect(r.traffic).toEqual({ executor: 'vus', vus: 8, durationMs: 30_000, thinkTimeMs: { min: 1000, max: 5000 }, timeoutMs: 2000 });
    expect(r.phases).toEqual([]);
  });

  it('refuses an invalid scenario before resolving it', () => {
    expect(() => resolveScenario({ name: 'v', traffic: { executor: 'vus', vus: 1, duration: 'x' }, mix: { a: { weight: 1, request: req } } }, { file: 'f.ts' })).toThrow(
      /f\.ts: 1 problem in the scenario/,
    );
  });
});
