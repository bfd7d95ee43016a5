/**
 * Load runners started in lockstep: the harness picks one common start (now + a lead for the
 * Job's pods), gives it to every runner (`--start-at`), merges their data on it, and refuses
 * a runner that started its traffic more than 1 s after it instead of merging it off its
 * place. The Job's API calls are faked here (no cluster); the runners' result lines are
 * built as `peakready load --emit-histograms` prints them.
 */
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { LoadResult, type LoadData } from '../../../src/load/load-result.js';
import { StatsRecorder } from '../../../src/load/stats-recorder.js';
import { jobLoadRunner } from '../../../src/platforms/kubernetes/load-job.js';
import { loadRunnerObjects } from '../../../src/platforms/kubernetes/load-runners.js';
import type { K8sObject } from '../../../src/contract/k8s-objects.js';
import { checkRunnerStarts, formatRunnerResult, runnerResult, type RunnerResult } from '../../../src/platforms/kubernetes/runner-results.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';
import { exitCode } from '../../../src/contract/exit-code.js';

const applied = vi.hoisted(() => [] as K8sObject[]);
const deleted = vi.hoisted(() => [] as string[]);
vi.mock('../../../src/platforms/kubernetes/apply.js', () => ({
  applyObjects: async (_kc: unknown, objects: readonly K8sObject[]) => {
    applied.push(...objects);
    return objects;
  },
  deleteObject: async (_kc: unknown, o: K8sObject) => {
    deleted.push(`${o.kind}/${o.metadata.name}`);
    return true;
  },
}));

const T0 = 1_700_000_000_000;

/** What a runner whose clock started at `startEpochMs` records: one request every 100 ms for `durationMs`. */
function recorded(startEpochMs: number, durationMs = 2_000): LoadData {
  const rec = new StatsRecorder(['predict']);
  for (let t = 0; t < durationMs; t += 100) {
    rec.begin(t);
    rec.record(0, t, 5_000, { status: 200, errorKind: undefined, modelType: undefined, modelVersion: undefined, cache: undefined });
  }
  rec.sealAll();
  return { endpoints: ['predict'], durationMs, startEpochMs, targetRps: 10, slices: rec.store().toData(), schedulingLag: undefined, aborted: false };
}

const runner = (index: number, startEpochMs: number): RunnerResult => runnerResult(index, new LoadResult(recorded(startEpochMs)));

describe('checkRunnerStarts', () => {
  it('merges runners that started on the common start or up to 1 s after it', () => {
    expect(() => checkRunnerStarts([runner(0, T0), runner(1, T0 + 40), runner(2, T0 + 1_000)], { startAtEpochMs: T0 })).not.toThrow();
  });

  it('fails loudly (an environment error, exit 3) naming the late runner, how late, and the hint to raise the lead', () => {
    let err: unknown;
    try {
      checkRunnerStarts([runner(0, T0 + 10), runner(1, T0 + 3_400)], { startAtEpochMs: T0, leadMs: 20_000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PeakreadyError);
    const e = err as PeakreadyError;
    expect(e.code).toBe('ENVIRONMENT');
    expect(exitCode({ kind: 'error', error: e })).toBe(3);
    expect(e.message).toBe('load runner 1 started its traffic 3.4 s after the common start (at most 1.0 s allowed)');
    expect(e.hint).toMatch(/longer than the 20\.0 s lead .*raise the lead \(leadMs/);
  });

  it('names every late runner, and refuses one that started before the common start (it did not wait)', () => {
    expect(() => checkRunnerStarts([runner(0, T0 + 1_500), runner(1, T0), runner(2, T0 + 2_000)], { startAtEpochMs: T0 })).toThrow(
      '2 load runners did not start on time: load runner 0 started its traffic 1.5 s after the common start (at most 1.0 s allowed); load runner 2 started its traffic 2.0 s after the common start (at most 1.0 s allowed)',
    );
    expect(() => checkRunnerStarts([runner(0, T0 - 500)], { startAtEpochMs: T0 })).toThrow('load runner 0 started its traffic 0.5 s before the common start: it did not wait for --start-at');
  });
});

describe('loadRunnerObjects with a common start', () => {
  it('hands every runner the same --start-at, and leaves it out without one', () => {
    const startAt = Date.now() + 20_000;
    const [, job] = loadRunnerObjects({ runId: 'r', namespace: 'n', runners: 2, image: 'i', scenarioBundle: '', durationMs: 60_000, seed: 1, startAtEpochMs: startAt });
    const args: string[] = (job!.spec as any).template.spec.containers[0].args;
    expect(args.slice(args.indexOf('--start-at'), args.indexOf('--start-at') + 2)).toEqual(['--start-at', String(startAt)]);
    // The deadline counts from the Job's creation, so it covers the wait too.
    expect((job!.spec as any).activeDeadlineSeconds).toBe(380);
    const [, plain] = loadRunnerObjects({ runId: 'r', namespace: 'n', runners: 2, image: 'i', scenarioBundle: '', durationMs: 60_000, seed: 1 });
    expect((plain!.spec as any).template.spec.containers[0].args).not.toContain('--start-at');
  });
});

/** A KubeConfig whose Job succeeds at once and whose pod `i` logs a result line starting `startOffsetsMs[i]` after the Job's --start-at. */
function fakeCluster(startOffsetsMs: readonly number[]) {
  const startAt = (): number => {
    const job = applied.find((o) => o.kind === 'Job')!;
    const args: string[] = (job.spec as any).template.spec.containers[0].args;
    return Number(args[args.indexOf('--start-at') + 1]);
  };
  const batch = { readNamespacedJob: async () => ({ status: { succeeded: startOffsetsMs.length } }) };
  const core = {
    listNamespacedPod: async () => ({ items: startOffsetsMs.map((_, i) => ({ metadata: { name: `pr-load-${i}` }, status: { phase: 'Succeeded' } })) }),
    readNamespacedPodLog: async ({ name }: { name: string }) => {
      const i = Number(name.split('-').pop());
      return `table\n${formatRunnerResult(runner(i, startAt() + startOffsetsMs[i]!))}\n`;
    },
  };
  return { makeApiClient: (api: unknown) => (api === BatchV1Api ? batch : api === CoreV1Api ? core : undefined) } as unknown as KubeConfig;
}

const scenario = { name: 'holiday', traffic: { durationMs: 2_000 } } as unknown as ResolvedScenario;

describe('jobLoadRunner started in lockstep', () => {
  it('announces now + the lead as the start, gives it to the runners, and merges their data on it', async () => {
    applied.length = 0;
    deleted.length = 0;
    const before = Date.now();
    const lr = jobLoadRunner({ kc: fakeCluster([0, 300]), namespace: 'ns', runners: 2, image: 'i', scenarioBundle: '', pollMs: 10, leadMs: 5_000 });
    const { startsAtEpochMs, done } = await lr.start(scenario, { target: 'http://gateway', seed: 1 });
    expect(startsAtEpochMs - before).toBeGreaterThanOrEqual(5_000);
    expect(startsAtEpochMs - Date.now()).toBeLessThanOrEqual(5_000);
    const load = await done;
    expect(applied.map((o) => o.kind)).toEqual(['ConfigMap', 'Job']);
    // Merged on the common start: runner 1's traffic, 300 ms late, shows 300 ms in.
    expect(load.startEpochMs).toBe(startsAtEpochMs);
    expect(load.totals().requests).toBe(40);
    expect(load.window(0, 300)?.requests).toBe(3);
    expect(deleted.sort()).toEqual([expect.stringMatching(/^ConfigMap\/pr-load-holiday-/), expect.stringMatching(/^Job\/pr-load-holiday-/)]);
  });

  it('fails the run when a runner pod started its traffic more than 1 s late, and still deletes the Job', async () => {
    applied.length = 0;
    deleted.length = 0;
    const lr = jobLoadRunner({ kc: fakeCluster([0, 20, 2_600]), namespace: 'ns', runners: 3, image: 'i', scenarioBundle: '', pollMs: 10, leadMs: 1_000 });
    const { done } = await lr.start(scenario, { target: 'http://gateway', seed: 1 });
    const err = await done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PeakreadyError);
    expect(exitCode({ kind: 'error', error: err })).toBe(3);
    expect((err as PeakreadyError).message).toBe('load runner 2 started its traffic 2.6 s after the common start (at most 1.0 s allowed)');
    expect((err as PeakreadyError).hint).toContain('longer than the 1.0 s lead');
    expect(deleted).toHaveLength(2);
  });
});
