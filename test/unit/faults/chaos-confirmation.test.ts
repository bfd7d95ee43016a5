import { describe, expect, it } from 'vitest';
import { confirmTimeoutMs, injectionState, waitForInjected, type ChaosStatus } from '../../../src/faults/chaos-mesh/chaos-confirmation.js';

/** Statuses as Chaos Mesh's controller writes them, served one per read (the last repeats). */
function stream(...statuses: (ChaosStatus | undefined)[]): { read: () => Promise<ChaosStatus | undefined>; reads: () => number } {
  let n = 0;
  return { read: async () => statuses[Math.min(n++, statuses.length - 1)], reads: () => n };
}

const selecting: ChaosStatus = { conditions: [{ type: 'Selected', status: 'True' }, { type: 'AllInjected', status: 'False' }], experiment: { desiredPhase: 'Run', containerRecords: [{ id: 'ns/redis-0', phase: 'Not Injected', injectedCount: 0 }, { id: 'ns/redis-1', phase: 'Not Injected', injectedCount: 0 }] } };
const half: ChaosStatus = { ...selecting, experiment: { desiredPhase: 'Run', containerRecords: [{ id: 'ns/redis-0', phase: 'Injected', injectedCount: 1 }, { id: 'ns/redis-1', phase: 'Not Injected', injectedCount: 0 }] } };
const all: ChaosStatus = { conditions: [{ type: 'Selected', status: 'True' }, { type: 'AllInjected', status: 'True' }], experiment: { desiredPhase: 'Run', containerRecords: [{ id: 'ns/redis-0', phase: 'Injected', injectedCount: 1 }, { id: 'ns/redis-1', phase: 'Injected', injectedCount: 1 }] } };

describe('Chaos Mesh injection confirmation', () => {
  it('waits through "no status" and "one of two injected" until AllInjected is True', async () => {
    const s = stream(undefined, selecting, half, all);
    await waitForInjected(s.read, { timeoutMs: 2000, pollMs: 5 });
    expect(s.reads()).toBe(4);
  });

  it('a controller that never confirms: rejects after the timeout with the last reason', async () => {
    const s = stream(undefined, half);
    const t0 = performance.now();
    await expect(waitForInjected(s.read, { timeoutMs: 150, pollMs: 10 })).rejects.toThrow('Chaos Mesh did not confirm it within 0.2 s: 1 of 2 targets injected (waiting for ns/redis-1)');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('an object Chaos Mesh never touched says its controller may not run', async () => {
    await expect(waitForInjected(stream(undefined).read, { timeoutMs: 30, pollMs: 10 })).rejects.toThrow(/has not reported any status \(is its controller running\?\)/);
  });

  it('AllInjected True with no target selected is not an injection (Chaos Mesh reports it so for an empty selection)', () => {
    const empty: ChaosStatus = { conditions: [{ type: 'Selected', status: 'False', reason: 'no pod matches app=redis' }, { type: 'AllInjected', status: 'True' }], experiment: { containerRecords: [] } };
    expect(injectionState(empty)).toEqual({ injected: false, why: 'no target selected (no pod matches app=redis)' });
  });

  it("a target the daemon failed to inject says why: the last Apply event's error (as the real node's chaos-daemon reports a NetworkChaos delay on a kernel without netem)", () => {
    // The status Chaos Mesh wrote for a network-delay on the real test node (trimmed to two attempts).
    const failed: ChaosStatus = {
      conditions: [{ status: 'False', type: 'AllRecovered' }, { status: 'False', type: 'Paused' }, { status: 'True', type: 'Selected' }, { status: 'False', type: 'AllInjected' }],
      experiment: {
        desiredPhase: 'Run',
        containerRecords: [
          {
            id: 'cdtest/target',
            phase: 'Not Injected/Wait',
            injectedCount: 0,
            events: [
              { message: 'failed to apply for pod cdtest/target: unable to set tcs for pod target', operation: 'Apply', type: 'Failed' },
              { message: 'failed to apply for pod cdtest/target: unable to set tcs for pod target', operation: 'Apply', type: 'Failed' },
            ],
          },
        ],
      },
    };
    expect(injectionState(failed)).toEqual({ injected: false, why: '0 of 1 targets injected (waiting for cdtest/target); failed: cdtest/target: failed to apply for pod cdtest/target: unable to set tcs for pod target' });
    // A later successful attempt is not reported as a failure.
    const retried: ChaosStatus = { ...failed, experiment: { containerRecords: [{ id: 'cdtest/target', phase: 'Not Injected', injectedCount: 0, events: [{ operation: 'Apply', type: 'Failed', message: 'x' }, { operation: 'Apply', type: 'Succeeded' }] }] } };
    expect(injectionState(retried)).toEqual({ injected: false, why: '0 of 1 targets injected (waiting for cdtest/target)' });
  });

  it('a pod-kill that already recovered still counts: every target was injected once', () => {
    const recovered: ChaosStatus = { conditions: [{ type: 'AllInjected', status: 'False' }, { type: 'AllRecovered', status: 'True' }], experiment: { containerRecords: [{ id: 'ns/fallback-x', phase: 'Not Injected', injectedCount: 1 }] } };
    expect(injectionState(recovered)).toEqual({ injected: true });
  });

  it('read errors count as "not yet" until the deadline', async () => {
    let n = 0;
    await waitForInjected(async () => {
      if (n++ < 2) throw new Error('connection refused');
      return all;
    }, { timeoutMs: 1000, pollMs: 5 });
    expect(n).toBe(3);
  });

  it('waits 30 s by default, at most half a short fault, at least 5 s', () => {
    expect(confirmTimeoutMs(0)).toBe(30_000);
    expect(confirmTimeoutMs(600_000)).toBe(30_000);
    expect(confirmTimeoutMs(20_000)).toBe(10_000);
    expect(confirmTimeoutMs(4000)).toBe(5000);
    expect(confirmTimeoutMs(20_000, 1234)).toBe(1234);
  });
});
