/**
 * runResolved with an external load runner that starts its traffic at an instant it
 * announces (the runners of `--load-runners N`, started in lockstep): the harness starts its
 * own clocks (trafficStartEpochMs, the fault timeline, the series sampler) at that instant,
 * not when it asks for the traffic, so a fault planned at +200 ms lands 200 ms into the
 * runners' traffic. A fake platform and a fake runner in this process, no cluster.
 */
import { startAnsweringServer, type AnsweringServer } from '../../fixtures/local/answering-server.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentError } from '../../../src/contract/errors.js';
import type { LoadResult } from '../../../src/load/load-result.js';
import { runLoad, type RunLoadOptions } from '../../../src/load/run-load.js';
import { waitUntilEpoch } from '../../../src/load/start-at.js';
import type { Platform, Revert, StackEndpoints } from '../../../src/platforms/platform.js';
import type { Reporter } from '../../../src/report/reporter.js';
import type { RunEvent } from '../../../src/contract/run-event.js';
import { runResolved, type ScheduledLoadRunner } from '../../../src/runner/run-scenario.js';
import type { ResolvedFault } from '../../../src/scenario/fault-spec.js';
import { resolveScenario } from '../../../src/scenario/resolve.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';
import { slo } from '../../../src/slo/expr.js';

let server: AnsweringServer;
let url = '';

beforeAll(async () => {
  server = await startAnsweringServer('{}');
  url = server.url;
});

afterAll(() => server.close());

/** A platform that is up at once and confirms every fault at once, noting when (epoch ms). */
function fakePlatform() {
  const injected: { id: string; atEpochMs: number }[] = [];
  const reverted: string[] = [];
  const platform: Platform = {
    name: 'kubernetes',
    up: async (): Promise<StackEndpoints> => ({ gateway: url, prometheus: url, services: { gateway: url } }),
    down: async () => undefined,
    status: async () => ({ services: [], activeFaults: [] }),
    replicas: async () => 1,
    deployVersion: async () => async () => undefined,
    inject: async (f: ResolvedFault): Promise<Revert> => {
      injected.push({ id: f.id, atEpochMs: Date.now() });
      return async () => void reverted.push(f.id);
    },
    onEvent: () => () => undefined,
  };
  return { platform, injected, reverted };
}

/**
 * A runner that needs `leadMs` to start (as pods do) and then drives the traffic here with
 * the real engine, started on the instant it announced, as `peakready load --start-at` does.
 */
function fakeRunner(leadMs: number) {
  const calls: { askedAtEpochMs: number; startsAtEpochMs: number }[] = [];
  const runner: ScheduledLoadRunner = {
    async start(scenario: ResolvedScenario, opts: RunLoadOptions) {
      const startsAtEpochMs = Date.now() + leadMs;
      calls.push({ askedAtEpochMs: Date.now(), startsAtEpochMs });
      const done = (async (): Promise<LoadResult> => {
        await waitUntilEpoch(startsAtEpochMs, opts.signal);
        return runLoad(scenario, { target: opts.target, seed: opts.seed, ...(opts.signal ? { signal: opts.signal } : {}) });
      })();
      return { startsAtEpochMs, done };
    },
  };
  return { runner, calls };
}

function scenario(): ResolvedScenario {
  return resolveScenario({
    name: 'lockstep',
    traffic: { executor: 'arrival-rate', stages: [{ name: 'a', duration: '1200ms', rate: 20 }] },
    mix: { health: { weight: 1, request: () => ({ path: '/health' }) } },
    faults: [{ id: 'slow-gateway', kind: 'latency', target: 'gateway', at: '300ms', for: '400ms', params: { latency: '20ms' } }],
    steadyState: [{ name: 'up', http: { path: '/ready' } }],
    slos: [slo.errorRate().below('50%').toSpec()],
  });
}

describe('runResolved with a scheduled (external) load runner', () => {
  it("starts the harness's traffic clock and fault timeline at the runner's announced start, not when it asked for the traffic", async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'peakready-lockstep-'));
    const { platform, injected, reverted } = fakePlatform();
    const { runner, calls } = fakeRunner(600);
    const events: RunEvent[] = [];
    const reporter: Reporter = { name: 'events', onEvent: (e) => void events.push(e) };
    const outcome = await runResolved({ scenario: scenario(), platform, outDir, seed: 3, reporters: [reporter], settleMs: 50, loadRunner: runner });
    rmSync(outDir, { recursive: true, force: true });
    const j = outcome.journal;
    expect(j.reason).toBeUndefined();
    expect(j.status).toBe('completed');
    expect(calls).toHaveLength(1);
    const { askedAtEpochMs, startsAtEpochMs } = calls[0]!;
    // The traffic start is the runner's announced start, exactly, and so is the event's.
    expect(j.trafficStartEpochMs).toBe(startsAtEpochMs);
    expect(events.find((e) => e.type === 'traffic-start')).toEqual({ type: 'traffic-start', epochMs: startsAtEpochMs });
    // The fault planned at +300 ms went in 300 ms after the runner's start (the lead of 600 ms
    // is not eaten into it: counted from the request for traffic it would be at -300 ms).
    expect(injected.map((i) => i.id)).toEqual(['slow-gateway']);
    const offset = injected[0]!.atEpochMs - startsAtEpochMs;
    // (the timeline runs on the monotonic clock, Date.now() is whole wall-clock ms: 1 ms apart at most)
    expect(offset).toBeGreaterThanOrEqual(299);
    expect(offset).toBeLessThan(300 + 150);
    // 600 ms lead + 300 ms offset, less the two whole-millisecond readings of Date.now().
    expect(injected[0]!.atEpochMs - askedAtEpochMs).toBeGreaterThanOrEqual(898);
    const f = j.faults.find((x) => x.id === 'slow-gateway')!;
    // The traffic clock is set from the announced wall-clock instant onto the monotonic clock:
    // whole-millisecond readings put the fault at most 1 ms either side of its plan.
    expect(f.requestedMs).toBeGreaterThanOrEqual(299);
    expect(f.requestedMs).toBeLessThan(450);
    expect(f.startMs).toBeGreaterThanOrEqual(299);
    expect(reverted).toEqual(['slow-gateway']);
    // The runner's traffic is read on the same clock: it starts at second 0.
    expect(j.totals.requests).toBeGreaterThan(15);
    expect(j.timeline.filter((s) => s.endpoint === '*')[0]?.requests ?? 0).toBeGreaterThan(10);
  }, 20_000);

  it('a runner whose traffic fails before its start fails the run with that error; no fault is injected', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'peakready-lockstep-'));
    const { platform, injected } = fakePlatform();
    const runner: ScheduledLoadRunner = {
      start: async () => {
        const done = new Promise<LoadResult>((_, reject) => setTimeout(() => reject(environmentError('load runner Job pr-load-x: 1 runner(s) failed')), 100));
        return { startsAtEpochMs: Date.now() + 5_000, done };
      },
    };
    const t0 = Date.now();
    const outcome = await runResolved({ scenario: scenario(), platform, outDir, seed: 3, reporters: [], settleMs: 50, loadRunner: runner });
    rmSync(outDir, { recursive: true, force: true });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(outcome.exitCode).toBe(3);
    expect(outcome.journal.status).toBe('error');
    expect(outcome.journal.reason).toBe('load runner Job pr-load-x: 1 runner(s) failed');
    expect(injected).toEqual([]);
  }, 20_000);

  it('an interrupt while waiting for the start ends the run (130) once the runner has cleaned up; no fault is injected', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'peakready-lockstep-'));
    const { platform, injected } = fakePlatform();
    let cleanedUp = false;
    const runner: ScheduledLoadRunner = {
      start: async (_scenario, opts) => {
        const done = new Promise<LoadResult>((_, reject) => {
          opts.signal!.addEventListener('abort', () => setTimeout(() => ((cleanedUp = true), reject(new Error('load runner Job aborted'))), 100), { once: true });
        });
        return { startsAtEpochMs: Date.now() + 10_000, done };
      },
    };
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('interrupted by test')), 200);
    const t0 = Date.now();
    const outcome = await runResolved({ scenario: scenario(), platform, outDir, seed: 3, reporters: [], settleMs: 50, loadRunner: runner, signal: interrupt.signal });
    rmSync(outDir, { recursive: true, force: true });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(outcome.exitCode).toBe(130);
    expect(outcome.journal.status).toBe('interrupted');
    expect(cleanedUp).toBe(true);
    expect(injected).toEqual([]);
  }, 20_000);

  it("a fault the platform could not inject stops the runners, and the run says so: the runners' Job rejecting with that reason does not turn it into their own error", async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'peakready-lockstep-'));
    const { platform } = fakePlatform();
    platform.inject = async () => {
      throw environmentError('NetworkChaos/pr-slow-gateway in ns: Chaos Mesh did not confirm it within 5 s: 0 of 1 targets injected; the object was deleted');
    };
    let stoppedAfterMs = -1;
    // As load-job.ts: the Job is polled until done, and an aborted run rejects with the abort's reason.
    const runner: ScheduledLoadRunner = {
      start: async (_scenario, opts) => {
        const startsAtEpochMs = Date.now() + 100;
        const done = new Promise<LoadResult>((_, reject) => {
          opts.signal!.addEventListener('abort', () => ((stoppedAfterMs = Date.now() - startsAtEpochMs), reject(opts.signal!.reason)), { once: true });
        });
        return { startsAtEpochMs, done };
      },
    };
    const outcome = await runResolved({ scenario: scenario(), platform, outDir, seed: 3, reporters: [], settleMs: 50, loadRunner: runner });
    rmSync(outDir, { recursive: true, force: true });
    expect(outcome.journal.status).toBe('fault-not-injected');
    expect(outcome.journal.reason).toBe('fault slow-gateway was not injected: NetworkChaos/pr-slow-gateway in ns: Chaos Mesh did not confirm it within 5 s: 0 of 1 targets injected; the object was deleted');
    expect(outcome.journal.verdict).toBe('error');
    expect(outcome.exitCode).toBe(3);
    // The traffic stopped when the fault failed (planned at +300 ms), not at the end of the stage (1200 ms).
    expect(stoppedAfterMs).toBeGreaterThanOrEqual(250);
    expect(stoppedAfterMs).toBeLessThan(1000);
  }, 20_000);
});
