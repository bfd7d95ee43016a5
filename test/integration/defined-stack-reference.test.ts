/**
 * A stack definition on the local platform (issue 17), with the reference stack written as
 * data (stacks/reference.ts): `runScenario(..., { stack })` starts the definition's own
 * commands on ports the harness picks, behind its proxies; a fault on one of its services
 * bites, the gateway's fallback carries it, and `--disable fallback` (the definition's
 * switch) turns the same run into a FAIL naming the SLO.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './temp-dirs.js';
import { defineScenario, runScenario, seedMix, slo } from '../../src/index.js';

const temp = tempDirs();

const scenario = defineScenario({
  name: 'reference-as-data',
  traffic: { executor: 'arrival-rate', stages: [{ name: 'steady', duration: '12s', rate: 30 }] },
  mix: { predict: seedMix().predict! },
  faults: [{ id: 'tabular-down', kind: 'unavailable', target: 'tabular', at: '3s', for: '5s' }],
  slos: [
    slo.errorRate('predict').below('2%').named('predict answers'),
    slo.fallbackShare('predict').above('50%').during.fault('tabular-down').named('fallback carries the outage'),
    // Frozen replicas are not ready: both are back within a few seconds of the fault's end.
    slo.replicas('tabular').atLeast(2).within('3s').after.fault('tabular-down').named('tabular replicas recover'),
  ],
});

describe('a stack definition on the local platform: the reference stack as data', () => {
  it('passes with the fallback on and fails naming the SLO with --disable fallback (the definition\'s switch)', async () => {
    const stateDir = temp('peakready-defstack-state-');
    process.env.PEAKREADY_STATE_DIR = stateDir;
    try {
      const lines: string[] = [];
      const ok = await runScenario(scenario, { stack: 'stacks/reference.ts', outDir: temp('peakready-defstack-out-'), reporters: ['json'], log: (l) => lines.push(l), settleMs: 200 });
      const j = ok.journal;
      expect(j.status, j.reason).toBe('completed');
      expect(j.verdict, JSON.stringify(j.slos.map((s) => [s.name, s.status, s.observed]))).toBe('pass');
      // The fault really happened on the definition's processes: confirmed, and seen in the answers.
      expect(j.faults.map((f) => [f.id, f.target, f.notInjected, f.endMs - f.startMs > 4000])).toEqual([['tabular-down', 'tabular', undefined, true]]);
      const share = j.slos.find((s) => s.name === 'fallback carries the outage')!;
      expect(Number.parseFloat(share.observed)).toBeGreaterThan(50);

      const off = await runScenario(scenario, { stack: 'stacks/reference.ts', disable: ['fallback'], outDir: temp('peakready-defstack-out-'), reporters: ['json'], settleMs: 200 });
      expect(off.journal.verdict).toBe('fail');
      expect(off.exitCode).toBe(1);
      const failed = off.journal.slos.filter((s) => s.status === 'fail').map((s) => s.name);
      expect(failed).toContain('predict answers');
      expect(failed).toContain('fallback carries the outage');
      // Nothing left behind: the run-state files are gone.
      expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
    } finally {
      delete process.env.PEAKREADY_STATE_DIR;
    }
  }, 180_000);
});
