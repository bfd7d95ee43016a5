/**
 * A team's own stack on Kubernetes, as its stack file describes it (`kubernetes` fields):
 * which workload runs each service, which labels select its pods, which Service receives the
 * traffic and which Prometheus scrapes it. The platform reads the stack through this and
 * nothing else; the reference stack's names appear nowhere here.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { invalidInput } from '../../contract/errors.js';
import type { K8sObject } from '../../contract/k8s-objects.js';
import type { StackTargets } from '../../faults/catalogue.js';
import type { StackPods } from '../../faults/chaos-mesh/fault-to-chaos.js';
import type { LoadedStack, StackKubernetesWorkload, StackRollout } from '../../scenario/stack-definition.js';
import type { ObserverNaming } from './observer.js';
import type { JsonPatchOp } from './patching.js';

/** The label on a workload that names the version it runs (the observer reads Rollout versions from it). */
const VERSION_LABEL = 'peakready.io/model-version';

const API_VERSION = { Deployment: 'apps/v1', StatefulSet: 'apps/v1', Rollout: 'argoproj.io/v1alpha1' } as const;

/** True when every label of `selector` is on `labels`. */
function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** `k=v,k2=v2`, as the API's labelSelector parameter. */
export function labelSelector(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export class OwnStack {
  readonly name: string;
  readonly shown: string;
  readonly entryName: string;
  readonly prometheus: string | undefined;
  readonly targets: StackTargets;
  /** Each service's (and the Redis') place on Kubernetes, in the stack file's order. */
  private readonly places: ReadonlyMap<string, StackKubernetesWorkload>;
  private readonly entryService: { readonly service: string; readonly port: number; readonly ready: string };
  private readonly rollouts: ReadonlyMap<string, StackRollout>;

  constructor(stack: LoadedStack, private readonly namespace: string) {
    const def = stack.definition;
    this.rollouts = new Map(Object.entries(def.services).flatMap(([name, svc]) => (svc.rollout ? [[name, svc.rollout] as const] : [])));
    this.name = def.name;
    this.shown = stack.shown;
    this.entryName = def.entry;
    this.prometheus = def.kubernetes?.prometheus;
    this.targets = { services: Object.keys(def.services), redis: def.redis === true };
    const places = new Map<string, StackKubernetesWorkload>();
    for (const [name, svc] of Object.entries(def.services)) {
      if (!svc.kubernetes) throw invalidInput(`${stack.shown}: services.${name}.kubernetes: required on the kubernetes platform`);
      places.set(name, svc.kubernetes);
    }
    if (def.redis) {
      if (!def.kubernetes?.redis) throw invalidInput(`${stack.shown}: kubernetes.redis: required on the kubernetes platform with redis: true`);
      places.set('redis', def.kubernetes.redis);
    }
    this.places = places;
    const entry = def.services[def.entry]!;
    if (!entry.kubernetes?.service) throw invalidInput(`${stack.shown}: services.${def.entry}.kubernetes.service: required for the entry service`);
    this.entryService = { service: entry.kubernetes.service.name, port: entry.kubernetes.service.port, ready: entry.ready ?? '/' };
  }

  /** The Service that receives the traffic, its port, and the path that answers once the entry is ready. */
  entry(): { readonly service: string; readonly port: number; readonly ready: string } {
    return this.entryService;
  }

  /** Services and Redis, as `status()` lists them. */
  names(): string[] {
    return [...this.places.keys()];
  }

  /** The workload of a service, as a reference to read (undefined for a name the stack does not have). */
  workload(service: string): K8sObject | undefined {
    const place = this.places.get(service);
    if (!place) return undefined;
    const kind = place.workload?.kind ?? 'Deployment';
    return { apiVersion: API_VERSION[kind], kind, metadata: { name: place.workload?.name ?? service, namespace: this.namespace } };
  }

  /** Every workload the stack runs (what must be ready before the traffic starts). */
  workloads(): K8sObject[] {
    return this.names().map((s) => this.workload(s)!);
  }

  /** In-cluster URLs of the services that have a Service. */
  serviceUrls(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, place] of this.places) if (place.service) out[name] = `http://${place.service.name}.${this.namespace}.svc:${place.service.port}`;
    return out;
  }

  endpointsOf(service: string): string[] {
    const url = this.serviceUrls()[service];
    return url ? [url] : [];
  }

  /**
   * The JSON patch that makes `workload` (the service's, as read from the cluster) run
   * `version` of the stack file: its image and environment variables set on the pod
   * template's container (the stack file's `kubernetes.container`, else the first), and the
   * version label on the workload; and the patch that puts back what it had. The team's
   * rollout controller (Argo Rollouts, or the Deployment's rolling update) does the rest.
   */
  versionPatches(service: string, workload: K8sObject, version: string): { readonly apply: JsonPatchOp[]; readonly revert: JsonPatchOp[] } {
    const wanted = this.rollouts.get(service)?.versions[version];
    if (!wanted) throw invalidInput(`${this.shown}: services.${service}.rollout.versions: the stack ${this.name} has no version ${JSON.stringify(version)} of ${service}`);
    const containers = ((workload.spec as { template?: { spec?: { containers?: { name: string; image?: string; env?: { name: string; value?: string }[] }[] } } } | undefined)?.template?.spec?.containers ?? []);
    const name = this.places.get(service)?.container;
    const index = name === undefined ? 0 : containers.findIndex((c) => c.name === name);
    const container = containers[index];
    if (!container) throw invalidInput(`${this.shown}: services.${service}.kubernetes${name === undefined ? '' : '.container'}: ${workload.kind} ${workload.metadata.name} has no container${name === undefined ? '' : ` named ${JSON.stringify(name)}`}`);
    const at = `/spec/template/spec/containers/${index}`;
    const env = container.env ?? [];
    const newEnv = env.map((e) => (wanted.env && Object.hasOwn(wanted.env, e.name) ? { name: e.name, value: wanted.env[e.name]! } : e));
    for (const [k, v] of Object.entries(wanted.env ?? {})) if (!env.some((e) => e.name === k)) newEnv.push({ name: k, value: v });
    const hadLabels = workload.metadata.labels !== undefined;
    const previous = workload.metadata.labels?.[VERSION_LABEL];
    const labelPath = `/metadata/labels/${VERSION_LABEL.replace('/', '~1')}`;
    const apply: JsonPatchOp[] = [
      ...(wanted.image === undefined ? [] : [{ op: 'replace' as const, path: `${at}/image`, value: wanted.image }]),
      ...(wanted.env === undefined ? [] : [{ op: 'add' as const, path: `${at}/env`, value: newEnv }]),
      hadLabels ? { op: 'add', path: labelPath, value: version } : { op: 'add', path: '/metadata/labels', value: { [VERSION_LABEL]: version } },
    ];
    const revert: JsonPatchOp[] = [
      ...(wanted.image === undefined ? [] : [{ op: 'replace' as const, path: `${at}/image`, value: container.image }]),
      ...(wanted.env === undefined ? [] : [container.env ? { op: 'add' as const, path: `${at}/env`, value: env } : { op: 'remove' as const, path: `${at}/env` }]),
      previous !== undefined ? { op: 'add', path: labelPath, value: previous } : hadLabels ? { op: 'remove', path: labelPath } : { op: 'remove', path: '/metadata/labels' },
    ];
    return { apply, revert };
  }

  /** Pods and workloads by the stack's labels and names (the observer's restarts, replicas and rollouts). */
  naming(): ObserverNaming {
    const byWorkload = new Map(this.names().map((s) => [this.workload(s)!.metadata.name, s]));
    return {
      podService: (labels) => [...this.places].find(([, p]) => selects(p.selector, labels))?.[0],
      workloadService: (name) => byWorkload.get(name) ?? name,
    };
  }

  /**
   * The pods of `target` for a Chaos Mesh fault: its labels, and the running pods of every
   * other service and the Redis (a partition's other side), by name.
   */
  async podsOf(target: string, core: CoreV1Api): Promise<StackPods> {
    const place = this.places.get(target);
    if (!place) throw invalidInput(`fault target ${JSON.stringify(target)}: the stack ${this.name} (${this.shown}) has ${this.names().join(', ')}`);
    const peers = new Set<string>();
    for (const [name, other] of this.places) {
      if (name === target) continue;
      const pods = await core.listNamespacedPod({ namespace: this.namespace, labelSelector: labelSelector(other.selector) });
      for (const p of pods.items) {
        const labels = p.metadata?.labels ?? {};
        // A pod both selectors match is the target's: it is not on the other side.
        if (p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.metadata?.name && !selects(place.selector, labels)) peers.add(p.metadata.name);
      }
    }
    return { selector: place.selector, peers: [...peers].sort(), ...(place.service ? { port: place.service.port } : {}) };
  }
}
