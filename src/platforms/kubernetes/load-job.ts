/**
 * Runs the load runners' Indexed Job to completion and returns the merged result. The
 * Job and its ConfigMap are deleted through the teardown stack (and carry the run-id label
 * so `peakready clean` sweeps them after a crash).
 */
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { environmentError } from '../../contract/errors.js';
import type { RunLoadOptions } from '../../load/run-load.js';
import type { ScheduledLoadRunner } from '../../load/load-runner.js';
import { TeardownStack } from '../../contract/teardown.js';
import type { ResolvedScenario } from '../../scenario/types.js';
import { applyObjects, deleteObject } from './apply.js';
import { loadRunnerObjects, RUNNER_CONTAINER, type LoadRunnerOptions, type RunnerPlacement } from './load-runners.js';
import type { AnswerFields } from '../../scenario/stack-definition.js';
import type { LoadResult } from '../../load/load-result.js';
import { checkRunnerStarts, mergeRunnerLoad, mergeRunnerResults, parseRunnerLog, type MergedEndpoint, type RunnerResult } from './runner-results.js';

/** How long the runners' Job gets to create and start its pods before the common start, by default. */
export const DEFAULT_RUNNER_LEAD_MS = 30_000;

export interface LoadJobOptions extends LoadRunnerOptions {
  readonly kc: KubeConfig;
  readonly teardown: TeardownStack;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** The lead `startAtEpochMs` gave the pods (ms), for the hint when one starts too late. */
  readonly leadMs?: number;
}

/** The API server's Status message of a client error, else the error's own text. */
function apiReason(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string } | undefined;
    if (parsed?.message) return parsed.message;
  } catch {
    // not JSON
  }
  return (err as Error).message;
}

/** What the runners measured, merged. */
export interface LoadJobOutcome {
  /** Whole-run histograms and counts per endpoint, plus "all". */
  readonly endpoints: Map<string, MergedEndpoint>;
  /** Every runner's result line, by index. */
  readonly runners: readonly RunnerResult[];
  /** One LoadResult of all runners (per-second data merged), what runScenario judges. */
  readonly load: LoadResult;
}

/**
 * Applies the Job, waits for every runner, merges their histograms. With `startAtEpochMs`
 * (the common start every runner waits for) the runners' data is merged on that instant, and
 * a runner that started more than RUNNER_START_TOLERANCE_MS after it fails the run
 * (checkRunnerStarts) instead of being merged off its place.
 */
export async function runLoadJob(opts: LoadJobOptions): Promise<LoadJobOutcome> {
  const objects = loadRunnerObjects(opts);
  const job = objects[1]!;
  for (const o of objects) opts.teardown.push(`delete ${o.kind}/${o.metadata.name}`, async () => void (await deleteObject(opts.kc, o)));
  await applyObjects(opts.kc, objects);
  const batch = opts.kc.makeApiClient(BatchV1Api);
  const deadline = Math.max(Date.now(), opts.startAtEpochMs ?? 0) + opts.durationMs + 300_000;
  while (true) {
    const j = await batch.readNamespacedJob({ name: job.metadata.name, namespace: opts.namespace });
    if ((j.status?.succeeded ?? 0) >= opts.runners) break;
    if ((j.status?.failed ?? 0) > 0) throw environmentError(`load runner Job ${job.metadata.name}: ${j.status?.failed} runner(s) failed`, `kubectl -n ${opts.namespace} logs -l job-name=${job.metadata.name}`);
    // The run stopped the traffic (a fault not injected, a halt, Ctrl-C): its own reason stands,
    // not a timeout of this wait; the teardown deletes the Job, which stops the runners.
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error(String(opts.signal.reason));
    if (Date.now() > deadline) throw environmentError(`load runner Job ${job.metadata.name} did not finish in time`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
  }
  const core = opts.kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: opts.namespace, labelSelector: `job-name=${job.metadata.name}` });
  const results = [];
  for (const p of pods.items) {
    if (p.status?.phase !== 'Succeeded') continue;
    const pod = p.metadata!.name!;
    let log: string;
    try {
      log = String(await core.readNamespacedPodLog({ name: pod, namespace: opts.namespace, container: RUNNER_CONTAINER }));
    } catch (err) {
      throw environmentError(`load runner pod ${pod}: cannot read its log (${apiReason(err).slice(0, 300)})`, `kubectl -n ${opts.namespace} logs ${pod}`, err);
    }
    results.push(parseRunnerLog(log, `pod ${pod}`));
  }
  results.sort((a, b) => a.index - b.index);
  const endpoints = mergeRunnerResults(results, opts.runners);
  const startAt = opts.startAtEpochMs;
  if (startAt !== undefined) checkRunnerStarts(results, { startAtEpochMs: startAt, ...(opts.leadMs !== undefined ? { leadMs: opts.leadMs } : {}) });
  return { endpoints, runners: results, load: mergeRunnerLoad(results, opts.runners, startAt !== undefined ? { originEpochMs: startAt } : {}) };
}

/** What `peakready run --load-runners N` needs to drive a run's traffic from the cluster. */
export interface JobLoadRunnerOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly runners: number;
  /** The stack image (it holds the CLI). */
  readonly image: string;
  /** Scheduling and pull fields of the runner pods (the entry's template; placementOf). */
  readonly placement?: RunnerPlacement;
  /** The scenario bundled by bundleScenario. */
  readonly scenarioBundle: string;
  /** Base URL the runners send to (LoadRunnerOptions.target). */
  readonly target?: string;
  /** How the runners classify answers (LoadRunnerOptions.classify). */
  readonly classify?: AnswerFields;
  readonly timeScale?: number;
  readonly rateScale?: number;
  readonly pollMs?: number;
  /**
   * How long before the common start the Job is created (ms, default DEFAULT_RUNNER_LEAD_MS):
   * time for its pods to be scheduled, pull the image and load the scenario. A runner that
   * starts more than 1 s after the start fails the run.
   */
  readonly leadMs?: number;
}

/**
 * RunOptions.loadRunner for the cluster: runs the scenario's traffic as the Indexed Job and
 * returns the merged LoadResult, deleting the Job and its ConfigMap after. The runners send
 * to the gateway Service, not to the harness's port-forward. Started in lockstep: `start`
 * picks the common start (now + the lead) and hands it to every runner (`--start-at`); the
 * harness starts its fault timeline on the same instant, and the runners' data is merged on it.
 */
export function jobLoadRunner(o: JobLoadRunnerOptions): ScheduledLoadRunner {
  return {
    start: async (scenario, run) => {
      const leadMs = o.leadMs ?? DEFAULT_RUNNER_LEAD_MS;
      const startsAtEpochMs = Date.now() + leadMs;
      return { startsAtEpochMs, done: runJob(o, scenario, run, startsAtEpochMs, leadMs) };
    },
  };
}

/** One run of the Job whose runners start at `startAtEpochMs`; its Job and ConfigMap are deleted after. */
async function runJob(o: JobLoadRunnerOptions, scenario: ResolvedScenario, run: RunLoadOptions, startAtEpochMs: number, leadMs: number): Promise<LoadResult> {
  const teardown = new TeardownStack();
  try {
    const outcome = await runLoadJob({
      kc: o.kc,
      teardown,
      namespace: o.namespace,
      runners: o.runners,
      image: o.image,
      ...(o.placement ? { placement: o.placement } : {}),
      ...(o.target ? { target: o.target } : {}),
      ...(o.classify ? { classify: o.classify } : {}),
      scenarioBundle: o.scenarioBundle,
      durationMs: scenario.traffic.durationMs,
      seed: run.seed,
      startAtEpochMs,
      leadMs,
      runId: `${scenario.name}-${Date.now().toString(36)}`,
      ...(run.signal ? { signal: run.signal } : {}),
      ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
      ...(o.rateScale !== undefined ? { rateScale: o.rateScale } : {}),
      ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    });
    return outcome.load;
  } finally {
    await teardown.unwind();
  }
}
