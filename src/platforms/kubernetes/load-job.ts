/**
 * Runs the load runners' Indexed Job to completion and returns the merged result. The
 * Job and its ConfigMap are deleted through the teardown stack (and carry the run-id label
 * so `peakready clean` sweeps them after a crash).
 */
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { environmentError } from '../../errors.js';
import type { TeardownStack } from '../../runner/teardown.js';
import { applyObjects, deleteObject } from './apply.js';
import { loadRunnerObjects, RUNNER_CONTAINER, type LoadRunnerOptions } from './load-runners.js';
import { mergeRunnerResults, parseRunnerLog, type MergedEndpoint } from './runner-results.js';

export interface LoadJobOptions extends LoadRunnerOptions {
  readonly kc: KubeConfig;
  readonly teardown: TeardownStack;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/** Applies the Job, waits for every runner, merges their histograms. */
export async function runLoadJob(opts: LoadJobOptions): Promise<Map<string, MergedEndpoint>> {
  const objects = loadRunnerObjects(opts);
  const job = objects[1]!;
  for (const o of objects) opts.teardown.push(`delete ${o.kind}/${o.metadata.name}`, async () => void (await deleteObject(opts.kc, o)));
  await applyObjects(opts.kc, objects);
  const batch = opts.kc.makeApiClient(BatchV1Api);
  const deadline = Date.now() + opts.durationMs + 300_000;
  while (true) {
    const j = await batch.readNamespacedJob({ name: job.metadata.name, namespace: opts.namespace });
    if ((j.status?.succeeded ?? 0) >= opts.runners) break;
    if ((j.status?.failed ?? 0) > 0) throw environmentError(`load runner Job ${job.metadata.name}: ${j.status?.failed} runner(s) failed`, `kubectl -n ${opts.namespace} logs -l job-name=${job.metadata.name}`);
    if (Date.now() > deadline || opts.signal?.aborted) throw environmentError(`load runner Job ${job.metadata.name} did not finish in time`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
  }
  const core = opts.kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: opts.namespace, labelSelector: `job-name=${job.metadata.name}` });
  const results = [];
  for (const p of pods.items) {
    if (p.status?.phase !== 'Succeeded') continue;
    const log = await core.readNamespacedPodLog({ name: p.metadata!.name!, namespace: opts.namespace, container: RUNNER_CONTAINER });
    results.push(parseRunnerLog(String(log), `pod ${p.metadata!.name}`));
  }
  return mergeRunnerResults(results, opts.runners);
}
