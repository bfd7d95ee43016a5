/**
 * `--load-runners N` against the real control plane: the runners' ConfigMap and Indexed
 * Job pass the API server's strict validation, the Job controller creates one pod per
 * index, kwok completes them (it cannot run the image, so their logs are empty), and the
 * harness says which runner's log it could not read, then deletes the Job and ConfigMap.
 * What the runners print and how it merges is tested in test/e2e/load-runners-cli.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchV1Api } from '@kubernetes/client-node';
import { PeakreadyError } from '../../src/contract/errors.js';
import { applyObjects } from '../../src/platforms/kubernetes/apply.js';
import { jobLoadRunner } from '../../src/platforms/kubernetes/load-job.js';
import { loadRunnerObjects } from '../../src/platforms/kubernetes/load-runners.js';
import type { ResolvedScenario } from '../../src/scenario/types.js';
import { connect, createNamespace, deleteNamespace, isStatus, until, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'load-job');
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe('load runners as an Indexed Job', () => {
  it('runs one pod per index with the runner arguments, fails naming the runner whose log it cannot read, and deletes the Job', async () => {
    const scenario = { name: 'holiday', traffic: { durationMs: 1_000 } } as unknown as ResolvedScenario;
    const seen = new Map<string, string[]>();
    const watchPods = setInterval(() => {
      void c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=peakready-load' }).then((list) => {
        for (const p of list.items) seen.set(p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '?', p.spec?.containers[0]?.args ?? []);
      }, () => undefined);
    }, 200);
    let err: unknown;
    let startAt = 0;
    try {
      const runner = jobLoadRunner({ kc: c.kc, namespace: ns, runners: 2, image: 'peakready/stack:test', scenarioBundle: 'export default {}', rateScale: 0.5, pollMs: 250, leadMs: 2_000 });
      const run = await runner.start(scenario, { target: 'http://127.0.0.1:1', seed: 9 });
      startAt = run.startsAtEpochMs;
      err = await run.done.then(
        () => undefined,
        (e: unknown) => e,
      );
    } finally {
      clearInterval(watchPods);
    }
    expect(err).toBeInstanceOf(PeakreadyError);
    expect((err as PeakreadyError).code).toBe('ENVIRONMENT');
    expect((err as PeakreadyError).message).toMatch(/^load runner pod pr-load-holiday-[a-z0-9]+-\d-\w+: cannot read its log \(no logs found for container "runner"/);
    // Both indexes ran, each told its share by the Job controller's JOB_COMPLETION_INDEX.
    expect([...seen.keys()].sort()).toEqual(['0', '1']);
    const args = seen.get('0')!;
    expect(args.slice(args.indexOf('--runners'), args.indexOf('--runners') + 4)).toEqual(['--runners', '2', '--runner-index', '$(JOB_COMPLETION_INDEX)']);
    expect(args).toEqual(expect.arrayContaining(['--seed', '9', '--emit-histograms', '--rate-scale', '0.5', '--target', `http://gateway.${ns}.svc:8080`]));
    // Every runner waits for the one common start the harness announced.
    expect(args.slice(args.indexOf('--start-at'), args.indexOf('--start-at') + 2)).toEqual(['--start-at', String(startAt)]);
    // The teardown deleted the Job and its ConfigMap even though the run failed.
    await until('the load Job and ConfigMap to be gone', async () => {
      const jobs = await c.kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns });
      const maps = await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=peakready-load' });
      return jobs.items.length === 0 && maps.items.length === 0 ? true : undefined;
    });
  });

  it('refuses a Job manifest with a misspelt field before anything is created', async () => {
    // The same strict apply path the runner objects go through.
    const [, job] = loadRunnerObjects({ runId: 'typo', namespace: ns, runners: 1, image: 'i', scenarioBundle: '', durationMs: 1000, seed: 1 });
    (job!.spec as Record<string, unknown>).paralellism = 2;
    await expect(applyObjects(c.kc, [job!])).rejects.toThrow(/\.spec\.paralellism: field not declared in schema/);
    await expect(c.kc.makeApiClient(BatchV1Api).readNamespacedJob({ name: job!.metadata.name, namespace: ns })).rejects.toSatisfy((e: unknown) => isStatus(e, 404));
  });
});
