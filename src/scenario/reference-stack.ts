/**
 * The reference stack as a stack definition: the one place in the harness that names its
 * services, their replicas, versions, ports and switches. `stacks/reference.ts` publishes it
 * as a stack file (`--stack stacks/reference.ts` runs this very definition), and everything
 * the harness does with the built-in reference stack reads it from here: the local
 * platform's layout, the fault targets, the versions a deploy may name, the Services and
 * ports on Kubernetes, the default entry of the traffic, and what capacity measures.
 * test/unit/architecture/reference-names.test.ts fails on any other module of the harness
 * that spells one of its service names.
 *
 * What a stack definition has no words for, because only a stack peakready itself wrote can
 * say it (which gateway route reaches which model and how the gateway calls it, which
 * services are simulators), is in REFERENCE_ROLES below, keyed by the same names.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNodeFlags } from '../stack/node-flags.js';
import { defineStack, fillTemplate, REFERENCE_CLASSIFIER, stackVersions, type StackDefinition, type StackServiceDefinition } from './stack-definition.js';

/** The package root: this file sits at <root>/{src,dist}/scenario/. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The reference stack's HTTP port on Kubernetes (model servers on KServe's 8080, simulators on 8000). */
const KSERVE_PORT = 8080;
const SIMULATOR_PORT = 8000;

/**
 * A reference service as built by scripts/build.mjs: `node <its flags> dist/stack/<name>/main.js
 * <args>` locally, pods labelled `app: <name>` behind a Service of the same name on Kubernetes.
 */
function referenceService(name: string, args: readonly string[], port: number, more: Partial<StackServiceDefinition> = {}): StackServiceDefinition {
  return {
    command: [process.execPath, ...serviceNodeFlags(name), referenceEntryFile(name), ...args],
    cwd: ROOT,
    port: { flag: '--port' },
    ready: '/ready',
    replicas: 1,
    ...more,
    kubernetes: { selector: { app: name }, service: { name, port }, ...more.kubernetes },
  };
}

/** A version of the tabular model: `--version` locally, MODEL_VERSION on Kubernetes (deploy/base/tabular.yaml reads it). */
const modelVersion = (v: string) => ({ args: ['--version', v], env: { MODEL_VERSION: v } });

export const REFERENCE_STACK = defineStack({
  name: 'reference',
  description: 'gateway with fallback, circuit breakers and a Redis prediction cache in front of the tabular, fallback, Triton and generative model servers',
  entry: 'gateway',
  redis: true,
  services: {
    gateway: referenceService(
      'gateway',
      [...['tabular', 'fallback', 'triton', 'generative'].flatMap((s) => [`--${s}-url`, `{{${s}.url}}`]), '--redis-url', '{{redis.url}}'],
      KSERVE_PORT,
    ),
    tabular: referenceService('tabular', [], KSERVE_PORT, {
      replicas: 2,
      kubernetes: { workload: { kind: 'Rollout', name: 'tabular' }, selector: { app: 'tabular' } },
      rollout: {
        versions: { v1: modelVersion('v1'), 'v2-bad': modelVersion('v2-bad') },
        // The seed's AnalysisTemplate "model-accuracy-check"; the service label keeps the
        // fallback model (which also reports version="v1") out of the average.
        analysis: [
          { name: 'model-accuracy', query: 'avg(model_accuracy{service="{{service}}",version="{{version}}"}) > 0.9' },
          { name: 'model-latency', query: 'avg(model_latency_ms{service="{{service}}",version="{{version}}"}) < 100' },
        ],
      },
    }),
    fallback: referenceService('fallback', [], KSERVE_PORT),
    triton: referenceService('triton', [], SIMULATOR_PORT),
    generative: referenceService('generative', ['--warmup-ms', '300'], SIMULATOR_PORT),
  },
  // The gateway's headers.
  classify: REFERENCE_CLASSIFIER,
  switches: {
    fallback: { service: 'gateway', args: ['--no-fallback'] },
    breaker: { service: 'gateway', args: ['--no-breaker'] },
    cache: { service: 'gateway', args: ['--no-cache'] },
  },
  kubernetes: { redis: { selector: { app: 'redis' }, service: { name: 'redis', port: 6379 } } },
}) satisfies StackDefinition;

/** The Prometheus of the reference stack's overlays (deploy/base/prometheus.yaml), a Service beside the stack's. */
const PROMETHEUS_PORT = 9090;

/** The entry file of a reference service as scripts/build.mjs builds it, under the package root (or `root`). */
export function referenceEntryFile(service: string, root = ROOT): string {
  return join(root, 'dist', 'stack', service, 'main.js');
}

/** Its services by name, as any stack definition's. */
const SERVICES: Readonly<Record<string, StackServiceDefinition>> = REFERENCE_STACK.services;

/** The reference stack's model-serving services, the entry first. */
export const REFERENCE_SERVICES: readonly string[] = Object.keys(SERVICES);

/** Its services as Kubernetes knows them: the model-serving ones, Redis and Prometheus. */
export const REFERENCE_CLUSTER_SERVICES: readonly string[] = [...REFERENCE_SERVICES, 'redis', 'prometheus'];

/** The port each of its Kubernetes Services listens on. */
export const REFERENCE_SERVICE_PORTS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(Object.entries(SERVICES).map(([name, s]) => [name, s.kubernetes?.service?.port])),
  redis: REFERENCE_STACK.kubernetes.redis.service.port,
  prometheus: PROMETHEUS_PORT,
};

/** Replicas of each service when a scenario names none. */
export const REFERENCE_REPLICAS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(SERVICES).map(([name, s]) => [name, s.replicas ?? 1]));

/** The versions each versioned service can be deployed at, stable first. */
export const REFERENCE_VERSIONS: Readonly<Record<string, readonly string[]>> = stackVersions(REFERENCE_STACK);

/**
 * The arguments a reference service takes after its entry file, with `{{svc.url}}` and
 * `{{redis.url}}` filled in from `urls`. A flag whose value names a service that is not
 * running is left out with its value (a reduced stack, as tests and capacity start).
 */
export function referenceServiceArgs(service: string, urls: Readonly<Record<string, string>>): string[] {
  const command = SERVICES[service]?.command;
  if (!command) return [];
  const out: string[] = [];
  for (const arg of command.slice(command.indexOf(referenceEntryFile(service)) + 1)) {
    const filled = fillTemplate(arg, urls);
    // fillTemplate leaves the template of a name it has no URL for: that value goes, and its flag with it.
    if (filled.includes('{{')) out.pop();
    else out.push(filled);
  }
  return out;
}

/** The arguments that make a replica of `service` run `version` (none for a service without versions). */
export function referenceVersionArgs(service: string, version: string): readonly string[] {
  return SERVICES[service]?.rollout?.versions[version]?.args ?? [];
}

/** The kind of workload that runs `service` on Kubernetes (deploy/base): an Argo Rollout for the canaried model, else a Deployment. */
export function referenceWorkloadKind(service: string): 'Deployment' | 'StatefulSet' | 'Rollout' {
  return SERVICES[service]?.kubernetes?.workload?.kind ?? 'Deployment';
}

/** How the reference gateway calls a model for one of its routes: KServe v2 infer (one row, or the batch's rows), or OpenAI completions. */
export type UpstreamCall = { readonly infer: string; readonly width: number; readonly rows: 'one' | 'batch' } | { readonly completions: true };

/** What only the reference stack's own code knows of a service (capacity reads it). */
export interface ReferenceRole {
  /** The gateway routes whose answers this service computes, and how the gateway calls it for each. */
  readonly routes: Readonly<Record<string, UpstreamCall>>;
  /** The service's own paths (a mix written against the service directly). */
  readonly native: readonly string[];
  /** A simulator, started with a `--profile` file of published figures. */
  readonly simulator: boolean;
  /** Streams generated tokens: sized by time to first token and inter-token latency. */
  readonly generates: boolean;
  /** Exports the seed's `inference_requests_per_second` itself (the HPA's pods metric). */
  readonly seedMetric: boolean;
}

const PREDICT = '/api/v1/predict';
const DETAILED = '/api/v1/predict/detailed';
const BATCH = '/api/v1/predict/batch';
const GENERATE = '/api/v1/generate';
const kserve = (model: string, width: number, rows: 'one' | 'batch' = 'one'): UpstreamCall => ({ infer: model, width, rows });

/** Each reference service's role, by the names of REFERENCE_STACK. */
export const REFERENCE_ROLES: Readonly<Record<string, ReferenceRole>> = {
  gateway: { routes: {}, native: [], simulator: false, generates: false, seedMetric: true },
  tabular: { routes: { [PREDICT]: kserve('churn', 10), [BATCH]: kserve('churn', 10, 'batch') }, native: ['/v2/models/churn/'], simulator: false, generates: false, seedMetric: true },
  // The fallback is reached only when the primary of these routes fails.
  fallback: {
    routes: { [PREDICT]: kserve('churn-fallback', 10), [DETAILED]: kserve('churn-fallback', 10), [BATCH]: kserve('churn-fallback', 10, 'batch') },
    native: ['/v2/models/churn-fallback/'],
    simulator: false,
    generates: false,
    seedMetric: true,
  },
  triton: { routes: { [DETAILED]: kserve('churn-deep', 20) }, native: ['/v2/models/churn-deep/'], simulator: true, generates: false, seedMetric: false },
  generative: { routes: { [GENERATE]: { completions: true } }, native: ['/v1/completions', '/v1/chat/completions'], simulator: true, generates: true, seedMetric: false },
};
