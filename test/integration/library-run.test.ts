/**
 * peakready as a library (issue 16): `runScenario(scenarioObject, options)` checks every input
 * before anything starts, makes the platform through the factory, picks the reporters by
 * name, runs on the real local stack and returns the journal; `exitCode` gives the same code
 * the CLI would exit with.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './temp-dirs.js';
import { defineScenario, exitCode, PeakreadyError, runScenario, seedMix, slo, type Scenario } from '../../src/index.js';

const temp = tempDirs();

const scenario = (over: Partial<Scenario> = {}): Scenario =>
  defineScenario({
    name: 'library-smoke',
    traffic: { executor: 'arrival-rate', stages: [{ name: 'steady', duration: '6s', rate: 20 }] },
    mix: { predict: seedMix().predict! },
    slos: [slo.errorRate().below('1%').named('predict answers'), slo.latency('predict').p(99).below('500ms')],
    ...over,
  });

describe('runScenario as a library call', () => {
  it('refuses bad input listing every problem, naming the option, and starts nothing', async () => {
    const stateDir = temp('peakready-lib-state-');
    process.env.PEAKREADY_STATE_DIR = stateDir;
    try {
      const err = await runScenario(scenario(), {
        seed: -1,
        timeScale: 0,
        slos: ['p99(checkout) < 250ms', 'p99(predict) <'],
        disable: ['brakes'],
        gatewayUrl: 'gateway:8080',
        outDir: temp('peakready-lib-out-'),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PeakreadyError);
      expect(exitCode({ kind: 'error', error: err })).toBe(2);
      const problems = (err as PeakreadyError).problems.join('\n');
      expect(problems).toContain('--seed: expected a whole number >= 0, got -1');
      expect(problems).toContain('--time-scale: expected a number > 0, got 0');
      expect(problems).toContain('--disable: expected one of');
      expect(problems).toContain('--gateway-url: expected an http(s) URL');
      expect(problems).toContain('p99(predict) <');
      expect(problems).toContain('--slo "p99(checkout) < 250ms": unknown endpoint "checkout", expected one of predict');
      // A scenario that is wrong on the platform is listed with the flags' problems.
      const onPlatform = await runScenario(scenario({ faults: [{ id: 'slow', kind: 'latency', target: 'nowhere', at: '1s', for: '2s' }] }), { seed: -1 }).catch((e: unknown) => e);
      expect((onPlatform as PeakreadyError).problems).toEqual([
        '--seed: expected a whole number >= 0, got -1',
        `scenario 'library-smoke': faults[0].target: latency on the local platform supports gateway, tabular, fallback, triton, generative, redis; got "nowhere"`,
      ]);
      // Nothing was started: no run-state file was ever written.
      expect(readdirSync(stateDir)).toEqual([]);
    } finally {
      delete process.env.PEAKREADY_STATE_DIR;
    }
  });

  it('runs a scenario object on the local platform and returns a passing journal with the reports it was asked for', async () => {
    const stateDir = temp('peakready-lib-state-');
    process.env.PEAKREADY_STATE_DIR = stateDir;
    const outDir = temp('peakready-lib-out-');
    try {
      const lines: string[] = [];
      const outcome = await runScenario(scenario(), { outDir, reporters: ['json', 'markdown'], slos: ['error_rate(predict) < 5%'], log: (l) => lines.push(l), settleMs: 200 });
      const j = outcome.journal;
      expect(j.status, j.reason).toBe('completed');
      expect(j.verdict, JSON.stringify(j.slos.map((s) => [s.name, s.status, s.observed]))).toBe('pass');
      expect(j.slos.map((s) => s.name)).toContain('error_rate(predict) < 5%');
      expect(j.totals.requests).toBeGreaterThan(80);
      expect(outcome.exitCode).toBe(0);
      expect(exitCode({ kind: 'run', journal: j })).toBe(0);
      expect(readdirSync(outDir).sort()).toEqual(['journal.json', 'summary.md']);
      expect(readFileSync(join(outDir, 'summary.md'), 'utf8')).toContain('library-smoke');
      expect(lines.some((l) => l.startsWith('stack ready in'))).toBe(true);
      // The stack is gone: its run-state file was removed on teardown.
      expect(readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);
      expect(existsSync(join(outDir, 'events.ndjson'))).toBe(false);
    } finally {
      delete process.env.PEAKREADY_STATE_DIR;
    }
  }, 120_000);
});
