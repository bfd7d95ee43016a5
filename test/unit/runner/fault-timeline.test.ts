import { describe, expect, it } from 'vitest';
import type { Platform, Revert } from '../../../src/platforms/platform.js';
import type { ResolvedFault } from '../../../src/scenario/fault-spec.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';
import { FaultTimeline } from '../../../src/runner/fault-timeline.js';
import { TeardownStack } from '../../../src/contract/teardown.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A platform whose inject takes `confirmMs` to confirm, and rejects for the ids in `refuse`. */
function recordingPlatform(opts: { confirmMs?: number; refuse?: Record<string, string> } = {}) {
  const log: string[] = [];
  const active = new Set<string>();
  const platform = {
    name: 'local',
    async inject(f: ResolvedFault): Promise<Revert> {
      log.push(`inject ${f.id}`);
      await sleep(opts.confirmMs ?? 0);
      const refused = opts.refuse?.[f.id];
      if (refused) throw new Error(refused);
      active.add(f.id);
      return async () => {
        if (active.delete(f.id)) log.push(`revert ${f.id}`);
      };
    },
  } as unknown as Platform;
  return { platform, log, active };
}

function fault(id: string, atMs: number, durationMs: number): ResolvedFault {
  return { id, kind: 'latency', target: 'triton', atMs, durationMs, params: {} };
}

function scenario(faults: ResolvedFault[]): ResolvedScenario {
  return { faults, events: [] } as unknown as ResolvedScenario;
}

describe('FaultTimeline', () => {
  it('starts a fault when the platform confirms it and counts its duration from then', async () => {
    const { platform, log } = recordingPlatform({ confirmMs: 150 });
    const teardown = new TeardownStack();
    const ends: number[] = [];
    const timeline = new FaultTimeline(scenario([fault('slow-triton', 0, 200)]), platform, teardown, { onEnd: (r) => ends.push(r.endMs) });
    timeline.start(performance.now());
    await sleep(250); // confirmed at ~150 ms: must still be active at 250 ms (a request-time clock would have reverted at 200)
    expect(log).toEqual(['inject slow-triton']);
    await sleep(200);
    const rec = timeline.records[0]!;
    expect(rec.requestedMs).toBeLessThan(40);
    expect(rec.startMs).toBeGreaterThanOrEqual(140);
    expect(log).toEqual(['inject slow-triton', 'revert slow-triton']);
    expect(ends[0]! - rec.startMs).toBeGreaterThanOrEqual(195);
    await timeline.stop();
    expect(teardown.size).toBe(0);
  });

  it('a fault that cannot be injected stops the timeline: nothing later is injected, the runner is told why, stop reverts the rest', async () => {
    const { platform, log, active } = recordingPlatform({ refuse: { 'slow-redis': 'faults.slow-redis.target: expected one of tabular, got "redis"' } });
    const teardown = new TeardownStack();
    const told: string[] = [];
    const timeline = new FaultTimeline(
      scenario([fault('kill-tabular', 0, 60_000), fault('slow-redis', 60, 60_000), fault('later', 300, 1000)]),
      platform,
      teardown,
      { onNotInjected: (rec, why) => told.push(`fault ${rec.id} was not injected: ${why}`) },
    );
    timeline.start(performance.now());
    await sleep(450);
    expect(told).toEqual(['fault slow-redis was not injected: faults.slow-redis.target: expected one of tabular, got "redis"']);
    expect(timeline.notInjected.map((n) => n.id)).toEqual(['slow-redis']);
    expect(log).not.toContain('inject later');
    expect([...active]).toEqual(['kill-tabular']); // still on until the runner stops everything
    await timeline.stop();
    expect([...active]).toEqual([]);
    expect(log).toEqual(['inject kill-tabular', 'inject slow-redis', 'revert kill-tabular']);
    expect(teardown.size).toBe(0);
    expect(timeline.records.find((r) => r.id === 'slow-redis')!.startMs).toBe(-1);
  });

  it('a fault confirmed after stop() was called is reverted at once, not left running', async () => {
    const { platform, active } = recordingPlatform({ confirmMs: 200 });
    const teardown = new TeardownStack();
    const timeline = new FaultTimeline(scenario([fault('late', 0, 60_000)]), platform, teardown);
    timeline.start(performance.now());
    await sleep(50);
    await timeline.stop();
    expect([...active]).toEqual([]);
    expect(teardown.size).toBe(0);
  });
});
