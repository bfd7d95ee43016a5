/**
 * runResolved with the real local platform whose confirmation of one fault never comes (a
 * LocalPlatform whose inject rejects after a while, as an unconfirmed Chaos object does):
 * the run is aborted with exit code 3, the load stops, the fault already on is reverted on
 * the spot, the stack is gone afterwards, and the verdict is an error, never a pass.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalPlatform } from '../../src/platforms/local/local-platform.js';
import type { Revert } from '../../src/platforms/platform.js';
import { REPORTERS } from '../../src/report/write-reports.js';
import { runResolved } from '../../src/runner/run-scenario.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import { seedMix } from '../../src/scenario/seed-mix.js';
import { slo } from '../../src/slo/expr.js';
import { alive } from '../fixtures/local/process-check.js';

/** The real local platform, except that one fault is never confirmed. */
class NeverConfirms extends LocalPlatform {
  readonly pids: number[] = [];
  override async inject(fault: ResolvedFault): Promise<Revert> {
    this.pids.push(...(this.supervisor?.all().flatMap((r) => (r.process.pid ? [r.process.pid] : [])) ?? []));
    if (fault.id !== 'never-confirmed') return super.inject(fault);
    await new Promise((r) => setTimeout(r, 500));
    throw new Error('the proxy did not acknowledge the toxic');
  }
}

describe('runResolved: a fault the platform does not confirm', () => {
  it('aborts the run (exit 3), reverts the fault already on, stops the load, and never passes', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'peakready-state-'));
    const outDir = mkdtempSync(join(tmpdir(), 'peakready-out-'));
    const platform = new NeverConfirms({ services: ['tabular', 'fallback', 'gateway'], stateDir });
    const scenario = resolveScenario({
      name: 'never-confirmed',
      traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '30s', rate: 10 }] },
      mix: { predict: seedMix().predict! },
      faults: [
        { id: 'slow-gateway', kind: 'latency', target: 'gateway', at: '500ms', for: '60s', params: { latency: '20ms' } },
        { id: 'never-confirmed', kind: 'errors', target: 'tabular', at: '1500ms', for: '10s' },
      ],
      slos: [slo.errorRate().below('50%').toSpec()],
    });
    const t0 = performance.now();
    const outcome = await runResolved({ scenario, platform, outDir, seed: 1, reporters: [REPORTERS.json(outDir), REPORTERS.markdown(outDir)], settleMs: 200 });
    const took = performance.now() - t0;
    const j = outcome.journal;
    expect(outcome.exitCode).toBe(3);
    expect(j.status).toBe('fault-not-injected');
    expect(j.verdict).toBe('error');
    expect(j.reason).toBe('fault never-confirmed was not injected: the proxy did not acknowledge the toxic');
    expect(readFileSync(join(outDir, 'summary.md'), 'utf8')).toContain('fault never-confirmed was not injected: the proxy did not acknowledge the toxic');
    const slow = j.faults.find((f) => f.id === 'slow-gateway')!;
    expect(slow.notInjected).toBeUndefined();
    expect(slow.startMs).toBeGreaterThanOrEqual(slow.requestedMs!);
    // Planned for 60 s, reverted when the run aborted at ~2 s.
    expect(slow.endMs).toBeLessThan(6000);
    const never = j.faults.find((f) => f.id === 'never-confirmed')!;
    expect(never.notInjected).toBe('the proxy did not acknowledge the toxic');
    expect(never.requestedMs).toBeGreaterThanOrEqual(1400);
    expect(j.totals.requests).toBeLessThan(100); // 30 s at 10 req/s would be 300
    expect(took).toBeLessThan(25_000);
    expect(platform.pids.length).toBeGreaterThan(0);
    expect(platform.pids.filter(alive)).toEqual([]);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }, 60_000);
});
