/**
 * Distributed load: the engine runs as an Indexed Job of N runners in the cluster. Each
 * runner drives 1/N of the arrival rate (the load CLI splits by `--runner-index` and
 * `--runners`) and ends its log with one result line holding its HDR histograms; the
 * harness merges them (runner-results.ts) so percentiles and SLOs are global, not per
 * runner as with k6-operator (grafana/k6-operator#413).
 */
import { RUN_ID_LABEL } from '../../faults/chaos-mesh/chaos-invariants.js';
import { dnsLabel } from '../../faults/chaos-mesh/fault-to-chaos.js';
import type { K8sObject } from '../../contract/k8s-objects.js';
import { REFERENCE_SERVICE_PORTS, REFERENCE_STACK } from '../../scenario/reference-stack.js';
import type { AnswerFields } from '../../scenario/stack-definition.js';

export interface LoadRunnerOptions {
  readonly runId: string;
  readonly namespace: string;
  /** How many runners (pods); 1..100. */
  readonly runners: number;
  /** The stack image (it holds the whole CLI). */
  readonly image: string;
  /** The scenario bundled to one ES module (esbuild), mounted at /scenario/scenario.mjs. */
  readonly scenarioBundle: string;
  /** Planned traffic duration; the Job's deadline adds 5 minutes to it. */
  readonly durationMs: number;
  readonly seed: number;
  /** Base URL the runners send to; default the reference stack's entry Service. */
  readonly target?: string;
  /**
   * How the runners classify answers (a stack file's classifier, `peakready load --classify`);
   * default the scenario's own `stack.classify`, else the reference gateway's headers.
   */
  readonly classify?: AnswerFields;
  /** The run's --time-scale and --rate-scale, applied by each runner to the bundled scenario. */
  readonly timeScale?: number;
  readonly rateScale?: number;
  /**
   * The common start (epoch ms) every runner waits for before its schedule starts
   * (`--start-at`), so the runners and the harness's fault timeline start together.
   */
  readonly startAtEpochMs?: number;
  /**
   * Where and how the runner pods run: the gateway pod template's scheduling and image
   * fields (node selector, tolerations, affinity, pull policy and secrets), so the runners
   * land where the stack's own pods may and pull the image the same way.
   */
  readonly placement?: RunnerPlacement;
}

export interface RunnerPlacement {
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: unknown[];
  readonly affinity?: unknown;
  readonly imagePullSecrets?: unknown[];
  readonly imagePullPolicy?: string;
}

/** The placement fields of a workload's pod template (see LoadRunnerOptions.placement). */
export function placementOf(workload: K8sObject | undefined): RunnerPlacement {
  const spec = (workload?.spec as { template?: { spec?: Record<string, any> } } | undefined)?.template?.spec;
  if (!spec) return {};
  const pull = (spec.containers as { imagePullPolicy?: string }[] | undefined)?.[0]?.imagePullPolicy;
  return {
    ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
    ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
    ...(spec.affinity ? { affinity: spec.affinity } : {}),
    ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
    ...(pull ? { imagePullPolicy: pull } : {}),
  };
}

export const RUNNER_CONTAINER = 'runner';

/** The ConfigMap (scenario bundle) and the Indexed Job, in apply order. */
export function loadRunnerObjects(opts: LoadRunnerOptions): K8sObject[] {
  if (!Number.isInteger(opts.runners) || opts.runners < 1 || opts.runners > 100) {
    throw new RangeError(`--load-runners: expected an integer 1..100, got ${opts.runners}`);
  }
  const run = dnsLabel(opts.runId);
  const name = dnsLabel(`pr-load-${run}`, 52); // Job names leave room for the pod suffix.
  const labels = { [RUN_ID_LABEL]: run, 'app.kubernetes.io/managed-by': 'peakready', app: 'peakready-load' };
  const target = opts.target ?? `http://${REFERENCE_STACK.entry}.${opts.namespace}.svc:${REFERENCE_SERVICE_PORTS[REFERENCE_STACK.entry]}`;
  const configMap: K8sObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: opts.namespace, labels },
    data: { 'scenario.mjs': opts.scenarioBundle },
  };
  const job: K8sObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: opts.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: opts.runners,
      parallelism: opts.runners,
      // A runner that fails is a failed measurement: no retries that would skew the rate.
      backoffLimit: 0,
      // Counted from the Job's creation: the wait for the common start comes first.
      activeDeadlineSeconds: Math.ceil((opts.durationMs + Math.max(0, (opts.startAtEpochMs ?? 0) - Date.now())) / 1000) + 300,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
          ...(opts.placement?.nodeSelector ? { nodeSelector: opts.placement.nodeSelector } : {}),
          ...(opts.placement?.tolerations ? { tolerations: opts.placement.tolerations } : {}),
          ...(opts.placement?.affinity ? { affinity: opts.placement.affinity } : {}),
          ...(opts.placement?.imagePullSecrets ? { imagePullSecrets: opts.placement.imagePullSecrets } : {}),
          containers: [
            {
              name: RUNNER_CONTAINER,
              image: opts.image,
              ...(opts.placement?.imagePullPolicy ? { imagePullPolicy: opts.placement.imagePullPolicy } : {}),
              command: ['node', 'dist/cli/main.js'],
              args: [
                'load',
                '--target', target,
                '--scenario', '/scenario/scenario.mjs',
                '--runners', String(opts.runners),
                // Kubernetes sets JOB_COMPLETION_INDEX for Indexed Jobs and expands $(VAR) in args.
                '--runner-index', '$(JOB_COMPLETION_INDEX)',
                '--seed', String(opts.seed),
                '--emit-histograms',
                ...(opts.startAtEpochMs !== undefined ? ['--start-at', String(opts.startAtEpochMs)] : []),
                ...(opts.timeScale !== undefined && opts.timeScale !== 1 ? ['--time-scale', String(opts.timeScale)] : []),
                ...(opts.rateScale !== undefined && opts.rateScale !== 1 ? ['--rate-scale', String(opts.rateScale)] : []),
                ...(opts.classify ? ['--classify', JSON.stringify(opts.classify)] : []),
                // The target is the cluster's own entry Service, never loopback inside a pod.
                '--allow-remote-target',
              ],
              // A small request so runners schedule beside the stack on a small cluster; the
              // limit lets each use a whole core when the node has it.
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              volumeMounts: [{ name: 'scenario', mountPath: '/scenario', readOnly: true }],
            },
          ],
          volumes: [{ name: 'scenario', configMap: { name } }],
        },
      },
    },
  };
  return [configMap, job];
}
