/**
 * The `kubernetes` platform (kind or GKE): renders deploy/overlays/<overlay>, applies it
 * server-side into an opted-in namespace of the named context, waits for readiness,
 * watches HPAs, Rollouts, pods and Events, rolls model versions through the Rollout, and
 * injects faults as Chaos Mesh resources that are always deleted again.
 *
 * With a team's own stack (a stack file's `kubernetes` fields) it deploys and deletes
 * nothing of the stack: it waits until the stack's workloads are ready, reaches the entry
 * through its Service, watches the same streams with the stack's names, and aims the Chaos
 * Mesh faults at the pods the stack's labels select.
 */
import { fileURLToPath } from 'node:url';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { invalidInput, PeakreadyError } from '../../contract/errors.js';
import type { ResolvedFault } from '../../scenario/fault-spec.js';
import type { StackSpec } from '../../scenario/types.js';
import type { TeardownStack } from '../../contract/teardown.js';
import type { Platform, PlatformEvent, Revert, ServiceStatus, StackEndpoints, StackStatus, UpOptions } from '../platform.js';
import type { LoadRunnerScales, ScheduledLoadRunners, ServiceReach } from '../capabilities.js';
import type { ScheduledLoadRunner } from '../../load/load-runner.js';
import { applyObjects, deleteObject } from './apply.js';
import { chaosObjectTarget } from './chaos-lifecycle.js';
import { ActiveFaults } from '../../faults/active-faults.js';
import { chaosMeshFault } from '../../faults/registry.js';
import { jobLoadRunner } from './load-job.js';
import { placementOf } from './load-runners.js';
import { bundleScenario } from './scenario-bundle.js';
import { pinContext, requireOptIn } from './kube-context.js';
import { renderOverlay } from './kustomize.js';
import { objectRef, type K8sObject } from '../../contract/k8s-objects.js';
import { ClusterObserver } from './observer.js';
import { reachService, type Reach, type ReachKind } from './service-reach.js';
import { waitForReady } from './readiness.js';
import { applyOrder, tailorStack } from './stack-manifests.js';
import { REFERENCE_CLUSTER_SERVICES, REFERENCE_SERVICE_PORTS, REFERENCE_STACK } from '../../scenario/reference-stack.js';
import type { LoadedStack } from '../../scenario/stack-definition.js';
import { OwnStack } from './own-stack.js';
import type { JsonPatchOp } from './patching.js';

/** How to reach the cluster and what to deploy. */
export interface KubernetesPlatformOptions {
  /** The kubeconfig context to act in; required (nothing else is ever touched). */
  readonly context: string | undefined;
  readonly namespace: string;
  /** kind, gke, or the path of an own overlay folder (see overlayDir). */
  readonly overlay: string;
  /** A loaded KubeConfig (tests); default: $KUBECONFIG / ~/.kube/config. */
  readonly kubeConfig?: KubeConfig;
  /** The deploy/ folder; default the repository's. */
  readonly deployDir?: string;
  /** Prometheus' base URL; default its Service (ClusterIP, NodePort, else a port-forward). */
  readonly prometheusUrl?: string;
  /** The gateway's base URL; default its Service (ClusterIP, NodePort, else a port-forward). */
  readonly gatewayUrl?: string;
  /** Server-side apply force on field conflicts (default false for the stack, true for chaos). */
  readonly forceConflicts?: boolean;
  /** Readiness timeout (default 300 s). */
  readonly readyTimeoutMs?: number;
  readonly pollMs?: number;
  /** How long Chaos Mesh may take to report a fault injected (default: 30 s, at most half the fault's duration). */
  readonly chaosConfirmTimeoutMs?: number;
  /** A team's own stack, deployed by its own manifests into `namespace` (checked by stackPlatformProblems). */
  readonly stack?: LoadedStack;
}

/** The repository's deploy/ folder (two levels above src/ or dist/). */
export function defaultDeployDir(): string {
  return fileURLToPath(new URL('../../../deploy/', import.meta.url));
}

/** Renders an overlay for a namespace, in apply order; needs no cluster (`deploy --dry-run`). */
export function renderStack(opts: { overlay: string; namespace: string; deployDir?: string; stack?: StackSpec; timeScale?: number }): K8sObject[] {
  const objects = renderOverlay(opts.deployDir ?? defaultDeployDir(), opts.overlay);
  return applyOrder(tailorStack(objects, { namespace: opts.namespace, ...(opts.stack ? { stack: opts.stack } : {}), timeScale: opts.timeScale ?? 1 }));
}


export class KubernetesPlatform implements Platform, ScheduledLoadRunners, ServiceReach {
  readonly name = 'kubernetes' as const;
  readonly kc: KubeConfig;
  private applied: K8sObject[] = [];
  private observer: ClusterObserver | undefined;
  private readonly reaches = new Map<string, Reach>();
  private readonly pendingListeners = new Set<(e: PlatformEvent) => void>();
  private runId = 'manual';
  private teardown: TeardownStack | undefined;
  /** The team's own stack, when the run has a stack file. */
  private readonly own: OwnStack | undefined;

  constructor(private readonly opts: KubernetesPlatformOptions) {
    this.kc = pinContext(opts.context, opts.kubeConfig);
    this.own = opts.stack ? new OwnStack(opts.stack, opts.namespace) : undefined;
  }

  /** The manifests `up` would apply (none for a team's own stack: its manifests are its own). */
  render(up?: Pick<UpOptions, 'stack' | 'timeScale'>): K8sObject[] {
    if (this.own) return [];
    return renderStack({ overlay: this.opts.overlay, namespace: this.opts.namespace, ...(this.opts.deployDir ? { deployDir: this.opts.deployDir } : {}), ...(up?.stack ? { stack: up.stack } : {}), timeScale: up?.timeScale ?? 1 });
  }

  async up(opts: UpOptions): Promise<StackEndpoints> {
    this.runId = opts.runId;
    this.teardown = opts.teardown;
    if (this.own) return this.upOwn(opts);
    const objects = this.render(opts);
    await requireOptIn(this.kc, this.opts.namespace, objects);
    // Registered before the first request, so a half-applied stack is still removed.
    opts.teardown.push(`delete the ${this.opts.overlay} stack in ${this.opts.namespace}`, () => this.down());
    this.applied = objects;
    await applyObjects(this.kc, objects, { force: this.opts.forceConflicts ?? false });
    await waitForReady(this.kc, objects, { timeoutMs: this.opts.readyTimeoutMs ?? 300_000, ...(this.opts.pollMs ? { pollMs: this.opts.pollMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    await this.startObserver();
    return this.endpoints(opts.log);
  }

  /**
   * A RunOptions.loadRunner that drives the traffic from `runners` pods (an Indexed Job of
   * peakready's image) instead of this process. Bundles the scenario now, so a scenario that
   * cannot be bundled fails before anything is deployed. The runners and the harness start
   * together, `leadMs` after the Job is created (default 20 s; see jobLoadRunner).
   *
   * The reference stack's runners run its gateway's image (the stack image holds the CLI),
   * placed like the gateway's pods, and send to its Service. A team's own stack names
   * peakready's image (`scales.image`, `--runner-image`); the runners are placed like its
   * entry's pods, send to the entry's Service, and classify answers by the stack file's
   * classifier (when the scenario has none of its own, which its bundle carries).
   */
  async loadRunner(runners: number, scenarioFile: string, scales: LoadRunnerScales = {}): Promise<ScheduledLoadRunner> {
    if (!Number.isInteger(runners) || runners < 1 || runners > 100) throw invalidInput(`--load-runners: expected an integer 1..100, got ${runners}`);
    const { image: runnerImage, classify, ...rest } = scales;
    const common = { kc: this.kc, namespace: this.opts.namespace, runners, ...rest, ...(this.opts.pollMs ? { pollMs: this.opts.pollMs } : {}) };
    if (this.own) {
      if (!runnerImage) throw invalidInput(`--runner-image: the stack ${this.own.name} (${this.own.shown}) does not run peakready's image; name the peakready image its runner pods run, got nothing`);
      const placement = placementOf(await this.workload(this.own.entryName));
      const scenarioBundle = await bundleScenario(scenarioFile);
      return jobLoadRunner({ ...common, image: runnerImage, placement, scenarioBundle, target: this.own.serviceUrls()[this.own.entryName]!, ...(classify ? { classify } : {}) });
    }
    const gateway = this.render().find((o) => o.kind === 'Deployment' && o.metadata.name === REFERENCE_STACK.entry);
    const image = runnerImage ?? (gateway?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec?.containers?.[0]?.image;
    if (!image) throw invalidInput(`overlay ${this.opts.overlay}: no ${REFERENCE_STACK.entry} Deployment with an image to run the load runners from`);
    const scenarioBundle = await bundleScenario(scenarioFile);
    return jobLoadRunner({ ...common, image, placement: placementOf(gateway), scenarioBundle });
  }

  /** A team's own stack: nothing applied; its workloads ready, then watched and reached like the reference stack's. */
  private async upOwn(opts: UpOptions): Promise<StackEndpoints> {
    const own = this.own!;
    await requireOptIn(this.kc, this.opts.namespace);
    opts.teardown.push(`stop watching the stack ${own.name} in ${this.opts.namespace}`, () => this.down());
    await this.pinOwnReplicas(opts);
    await waitForReady(this.kc, own.workloads(), { timeoutMs: this.opts.readyTimeoutMs ?? 300_000, ...(this.opts.pollMs ? { pollMs: this.opts.pollMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    await this.startObserver();
    const entry = own.entry();
    const r = this.opts.gatewayUrl ? undefined : await reachService(this.kc, this.opts.namespace, entry.service, entry.port, { probePath: entry.ready });
    if (r) {
      this.reaches.set(own.entryName, r);
      if (r.kind === 'port-forward') opts.log?.(`${own.entryName} reached through a port-forward to one pod (${r.tried.length > 0 ? `${r.tried.join(', ')} did not answer from here` : 'its Service has no ClusterIP or NodePort'}); --gateway-url names another address`);
    }
    const gateway = this.opts.gatewayUrl ?? r!.url;
    // stackPlatformProblems made sure one of the two is there.
    const prometheus = (this.opts.prometheusUrl ?? own.prometheus)!;
    return { gateway, prometheus, services: { ...own.serviceUrls(), [own.entryName]: gateway, gateway, prometheus } };
  }

  /**
   * A scenario's or a capacity search's replicas for services of a team's stack: each
   * service's workload scaled to its count and, with the autoscaler off (a capacity search),
   * every HPA that targets it held at that count (min = max), so the rate per replica is what
   * is measured. What it finds is put back at the end, each undo registered before it acts:
   * the HPAs first, then the workload's replicas.
   */
  private async pinOwnReplicas(opts: UpOptions): Promise<void> {
    const holdHpas = opts.stack.disable?.includes('autoscaler') === true;
    for (const [service, n] of Object.entries(opts.stack.replicas ?? {})) {
      const w = await this.workload(service);
      const before = (w.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      opts.teardown.push(`put ${objectRef(w)} back to ${before} replicas`, () => this.scaleWorkload(w, before));
      const hpas = holdHpas ? await this.hpasOf(w) : [];
      for (const h of hpas) {
        const { minReplicas, maxReplicas } = h;
        opts.teardown.push(`put HorizontalPodAutoscaler/${h.name} back to ${minReplicas ?? 1}..${maxReplicas}`, () => this.patchHpa(h.name, minReplicas, maxReplicas));
        await this.patchHpa(h.name, n, n);
      }
      await this.scaleWorkload(w, n);
      opts.log?.(`${service}: ${objectRef(w)} at ${n} replicas (was ${before})${hpas.length ? `, held there by ${hpas.map((h) => `HorizontalPodAutoscaler/${h.name}`).join(', ')}` : ''}`);
    }
  }

  /** The HPAs of the run's namespace that scale `w`. */
  private async hpasOf(w: K8sObject): Promise<{ name: string; minReplicas: number | undefined; maxReplicas: number }[]> {
    const list = await this.kc.makeApiClient(AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace: this.opts.namespace });
    return list.items
      .filter((h) => h.spec?.scaleTargetRef.kind === w.kind && h.spec.scaleTargetRef.name === w.metadata.name)
      .map((h) => ({ name: h.metadata!.name!, minReplicas: h.spec!.minReplicas, maxReplicas: h.spec!.maxReplicas }));
  }

  private async patchHpa(name: string, minReplicas: number | undefined, maxReplicas: number): Promise<void> {
    const ops: JsonPatchOp[] = [minReplicas === undefined ? { op: 'remove', path: '/spec/minReplicas' } : { op: 'add', path: '/spec/minReplicas', value: minReplicas }, { op: 'replace', path: '/spec/maxReplicas', value: maxReplicas }];
    await this.kc
      .makeApiClient(AutoscalingV2Api)
      .patchNamespacedHorizontalPodAutoscaler({ name, namespace: this.opts.namespace, body: ops, fieldManager: 'peakready' }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  }

  /** Sets a Deployment's, StatefulSet's or Rollout's replicas. */
  private scaleWorkload(w: K8sObject, replicas: number): Promise<void> {
    return this.jsonPatchWorkload(w, [{ op: 'add', path: '/spec/replicas', value: replicas }]);
  }

  /** Starts the watches (also usable without `up`, against a stack deployed earlier). */
  async startObserver(): Promise<void> {
    if (this.observer) return;
    this.observer = new ClusterObserver(this.kc, this.opts.namespace, Date.now, this.own?.naming());
    for (const l of this.pendingListeners) this.observer.onEvent(l);
    await this.observer.start();
  }

  private async endpoints(log?: (line: string) => void): Promise<StackEndpoints> {
    const ns = this.opts.namespace;
    const services = Object.fromEntries(Object.entries(REFERENCE_SERVICE_PORTS).map(([s, port]) => [s, `http://${s}.${ns}.svc:${port}`]));
    const reach = async (service: string, probePath: string): Promise<string> => {
      const r = await reachService(this.kc, ns, service, REFERENCE_SERVICE_PORTS[service]!, { probePath });
      this.reaches.set(service, r);
      if (r.kind === 'port-forward') {
        const why = r.tried.length > 0 ? `${r.tried.join(', ')} did not answer from here` : 'its Service has no ClusterIP or NodePort';
        log?.(`${service} reached through a port-forward to one pod (${why}); --${service}-url names another address`);
      }
      return r.url;
    };
    const gateway = this.opts.gatewayUrl ?? (await reach(REFERENCE_STACK.entry, '/health'));
    const prometheus = this.opts.prometheusUrl ?? (await reach('prometheus', '/-/ready'));
    return { gateway, prometheus, services: { ...services, gateway, prometheus } };
  }

  /** How the harness reaches the gateway and Prometheus (after `up`): Service, NodePort or port-forward. */
  reachedBy(): Readonly<Record<string, ReachKind>> {
    return Object.fromEntries([...this.reaches].map(([service, r]) => [service, r.kind]));
  }

  async down(): Promise<void> {
    // A backstop: the run's FaultTimeline reverts its faults itself.
    await this.faults.revertAll();
    this.observer?.stop();
    this.observer = undefined;
    for (const r of this.reaches.values()) await r.close();
    this.reaches.clear();
    // Reverse apply order; the namespace last (deleting it first would hide the rest).
    const objects = [...this.applied].reverse();
    this.applied = [];
    const errors: string[] = [];
    for (const o of objects) {
      try {
        await deleteObject(this.kc, o);
      } catch (err) {
        errors.push(`${objectRef(o)}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0) throw new PeakreadyError('ENVIRONMENT', `teardown left ${errors.length} object(s) behind in ${this.opts.namespace}`, { problems: errors, hint: `peakready teardown --context ${this.opts.context} --namespace ${this.opts.namespace}` });
  }

  private workloads(): KubernetesObjectApi {
    return KubernetesObjectApi.makeApiClient(this.kc);
  }

  /** The Deployment or Rollout object of a service (the stack file's workload for a team's own stack). */
  private async workload(service: string): Promise<K8sObject> {
    const api = this.workloads();
    const own = this.own?.workload(service);
    if (own) {
      try {
        return (await api.read(own)) as K8sObject;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        throw invalidInput(`service ${JSON.stringify(service)}: no ${own.kind} ${own.metadata.name} in ${this.opts.namespace} (${this.own!.shown})`);
      }
    }
    for (const [apiVersion, kind] of [['apps/v1', 'Deployment'], ['argoproj.io/v1alpha1', 'Rollout']] as const) {
      try {
        return (await api.read({ apiVersion, kind, metadata: { name: service, namespace: this.opts.namespace } })) as K8sObject;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
    throw invalidInput(`service ${JSON.stringify(service)}: no Deployment or Rollout of that name in ${this.opts.namespace}`);
  }

  /**
   * Ready replicas (the Deployment's or Rollout's status.readyReplicas), as the local
   * platform's service proxy routes only to ready replicas and the `replicas(svc)` SLO reads
   * `status().ready`: a pod that is starting, terminating or failing its probe serves nothing.
   */
  async replicas(service: string): Promise<number> {
    const w = await this.workload(service);
    return Number((w.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0);
  }

  async status(): Promise<StackStatus> {
    const services: ServiceStatus[] = [];
    for (const name of this.own ? this.own.names() : REFERENCE_CLUSTER_SERVICES) {
      let w: K8sObject;
      try {
        w = await this.workload(name);
      } catch {
        continue;
      }
      const st = (w.status ?? {}) as { replicas?: number; readyReplicas?: number };
      services.push({
        name,
        replicas: st.replicas ?? 0,
        ready: st.readyReplicas ?? 0,
        restarts: this.observer?.restartsOf(name) ?? 0,
        endpoints: this.own ? this.own.endpointsOf(name) : [`http://${name}.${this.opts.namespace}.svc:${REFERENCE_SERVICE_PORTS[name] ?? 8080}`],
        ...(w.metadata.labels?.['peakready.io/model-version'] ? { version: w.metadata.labels['peakready.io/model-version'] } : {}),
      });
    }
    return { services, activeFaults: this.faults.list() };
  }

  private readonly faults = new ActiveFaults((edge, f, t) => {
    const e: PlatformEvent = { t, type: 'fault', id: f.id, kind: f.kind, target: f.target, edge };
    for (const l of this.pendingListeners) l(e);
  });

  /** Rolls `version` out through the service's Rollout (env MODEL_VERSION + version label). */
  async deployVersion(service: string, version: string): Promise<Revert> {
    const w = await this.workload(service);
    if (this.own) {
      // A team's own stack: the version's image and environment on its workload; its own controller rolls it out.
      const { apply, revert } = this.own.versionPatches(service, w, version);
      await this.jsonPatchWorkload(w, apply);
      let undone = false;
      return async () => {
        if (undone) return;
        undone = true;
        await this.jsonPatchWorkload(w, revert);
      };
    }
    if (w.kind !== 'Rollout') throw invalidInput(`service ${service}: versions roll out through an Argo Rollout, but ${objectRef(w)} is not one`);
    const containers = ((w.spec as any)?.template?.spec?.containers ?? []) as { env?: { name: string; value?: string }[] }[];
    const envIndex = containers[0]?.env?.findIndex((e) => e.name === 'MODEL_VERSION') ?? -1;
    if (envIndex < 0) throw invalidInput(`${objectRef(w)}: spec.template.spec.containers[0].env has no MODEL_VERSION`);
    const previous = containers[0]!.env![envIndex]!.value ?? '';
    const setVersion = (v: string): Promise<void> =>
      this.jsonPatchRollout(service, [
        { op: 'replace', path: `/spec/template/spec/containers/0/env/${envIndex}/value`, value: v },
        // The analysis reads the version it judges from this label.
        { op: 'add', path: '/metadata/labels/peakready.io~1model-version', value: v },
      ]);
    await setVersion(version);
    let reverted = false;
    return async () => {
      if (reverted) return;
      reverted = true;
      await setVersion(previous);
    };
  }

  /**
   * JSON6902 on a workload of the run's namespace: a Rollout, a Deployment or a StatefulSet
   * (replicas are set on any of them; versions roll out through the first two only, which
   * stackPlatformProblems checks before a run).
   */
  private async jsonPatchWorkload(w: K8sObject, ops: readonly JsonPatchOp[]): Promise<void> {
    if (w.kind === 'Rollout') return this.jsonPatchRollout(w.metadata.name, ops);
    const apps = this.kc.makeApiClient(AppsV1Api);
    const req = { name: w.metadata.name, namespace: this.opts.namespace, body: ops, fieldManager: 'peakready' };
    const json = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    if (w.kind === 'Deployment') await apps.patchNamespacedDeployment(req, json);
    else if (w.kind === 'StatefulSet') await apps.patchNamespacedStatefulSet(req, json);
    else throw invalidInput(`${objectRef(w)}: expected a Rollout, a Deployment or a StatefulSet`);
  }

  /** JSON6902 on a Rollout: lists in CRDs are atomic under apply, so only this edits one env value. */
  private async jsonPatchRollout(name: string, ops: readonly JsonPatchOp[]): Promise<void> {
    const api = this.kc.makeApiClient(CustomObjectsApi);
    await api.patchNamespacedCustomObject(
      { group: 'argoproj.io', version: 'v1alpha1', namespace: this.opts.namespace, plural: 'rollouts', name, body: ops, fieldManager: 'peakready' },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
  }

  /** Injects a fault through the Chaos Mesh back end; resolves once Chaos Mesh reports every selected pod injected. The caller (the run's FaultTimeline) owns the revert. */
  async inject(fault: ResolvedFault): Promise<Revert> {
    const target = chaosObjectTarget({
      kc: this.kc,
      namespace: this.opts.namespace,
      runId: this.runId,
      ...(this.opts.chaosConfirmTimeoutMs === undefined ? {} : { confirmTimeoutMs: this.opts.chaosConfirmTimeoutMs }),
      ...(this.opts.pollMs ? { confirmPollMs: this.opts.pollMs } : {}),
    });
    const own = this.own;
    const aimed = own ? { ...target, stack: { targets: own.targets, pods: (t: string) => own.podsOf(t, this.kc.makeApiClient(CoreV1Api)) } } : target;
    return this.faults.inject(fault, () => chaosMeshFault(fault.kind).prepare(aimed, fault));
  }

  onEvent(listener: (event: PlatformEvent) => void): () => void {
    this.pendingListeners.add(listener);
    const off = this.observer?.onEvent(listener);
    return () => {
      this.pendingListeners.delete(listener);
      off?.();
    };
  }
}
