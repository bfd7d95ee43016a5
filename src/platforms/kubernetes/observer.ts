/**
 * Turns watch streams into the platform's events: HPA replica changes, Rollout phase and
 * canary weight (the weight Argo routes, or without traffic routing the share of available
 * pods its ReplicaSets run: see `canaryWeight`), pod restarts and readiness. Kubernetes
 * Events are kept (latest first) for status and timeout messages. A stream that ends is
 * re-opened until `stop()`.
 *
 * Restarts mean what they mean on the local platform, where a replica that dies (a crash,
 * or the kill-replica fault's SIGKILL) is started again and counted as a restart: a
 * service's restarts are its pods' container restarts plus the pods that went away and were
 * replaced by their ReplicaSet (a Chaos Mesh pod-kill deletes the pod; its replacement
 * starts with restartCount 0). See `ReplicaSetBook` for which replacements count.
 */
import { PlatformEventHub } from '../event-hub.js';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { PlatformEvent, RolloutPhase } from '../platform.js';
import type { K8sObject } from '../../contract/k8s-objects.js';

type Listener = (e: PlatformEvent) => void;

/** The watched collections, relative to the namespace. */
const STREAMS = {
  hpa: (ns: string) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
  rollouts: (ns: string) => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`,
  replicasets: (ns: string) => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  pods: (ns: string) => `/api/v1/namespaces/${ns}/pods`,
  events: (ns: string) => `/api/v1/namespaces/${ns}/events`,
} as const;

export type ObservedStream = keyof typeof STREAMS;

/** One Kubernetes Event as kept by the observer. */
export interface ClusterEvent {
  readonly t: number;
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

const PHASES: readonly RolloutPhase[] = ['Healthy', 'Progressing', 'Paused', 'Degraded', 'Aborted'];

/** What the observer remembers of one pod (keyed by uid). */
interface PodState {
  readonly name: string;
  readonly service: string;
  /** Key of the controlling ReplicaSet, once known. */
  owner: string | undefined;
  /** Sum of the containers' restartCount, last seen. */
  restarts: number;
  ready: boolean;
  /** Deletion started, deleted, or Failed/Succeeded: the ReplicaSet no longer counts it. */
  gone: boolean;
}

/**
 * Bookkeeping of one ReplicaSet (a Deployment's or an Argo Rollout's revision), from which
 * the replacements are counted. The rule:
 *
 *   created = pods of the ReplicaSet ever seen        grown  = sum of the increases of spec.replicas
 *   lost    = of those, pods that went away            shrunk = sum of the decreases of spec.replicas
 *             (deletion started, deleted, or Failed)            (from 0 when first seen; deleted → 0)
 *
 *   replaced = max(replaced so far, min(created − grown, lost − shrunk))
 *
 * A ReplicaSet keeps created − lost = grown − shrunk pods. Pods lost beyond what a lower
 * spec.replicas asked for, and pods created beyond what a higher one asked for, are pods
 * the ReplicaSet replaced while it still wanted them: a pod-kill, an eviction, a pod that
 * failed. An HPA scale-in lowers spec.replicas before the ReplicaSet deletes the pod, and a
 * rollout scales the old ReplicaSet down and the new one up: neither counts, and neither
 * does a scale-in followed by a scale-out (the new pod is asked for). A lost pod only
 * counts once its replacement appears (both differences must agree), so a pod event that
 * arrives before the ReplicaSet event that explains it (separate watch streams) counts
 * nothing; and the count never goes down, so a late ReplicaSet event cannot make an
 * already counted replacement count again.
 *
 * Limits: a pod deleted and replaced while the pod watch was disconnected is not counted
 * (the relist shows the replacement but not the loss); if the pod stream runs ahead of the
 * ReplicaSet stream through both a scale-out and a scale-in of the same ReplicaSet, one
 * replacement can be counted that was none.
 */
interface ReplicaSetBook {
  desired: number | undefined;
  grown: number;
  shrunk: number;
  created: number;
  lost: number;
  replaced: number;
  /** Names and container restarts of lost pods not yet paired with a replacement, newest last. */
  readonly unreplaced: { name: string; restarts: number }[];
}

interface OwnerRef {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

/** What Argo Rollouts reports of a Rollout, as the observer last saw it. */
interface RolloutView {
  phase: RolloutPhase;
  /** The canary weight Argo reports with traffic routing (status.canary.weights); absent without it. */
  routedWeight: number | undefined;
  /** Pod-template hashes of the stable and the current (canary, while one runs) ReplicaSet. */
  stableHash: string | undefined;
  currentHash: string | undefined;
  version: string;
  message: string | undefined;
}

/** A Rollout's ReplicaSet: its pod-template hash and how many of its pods are available. */
interface RolloutReplicaSet {
  readonly rollout: string;
  readonly hash: string;
  available: number;
}

/**
 * Which service of the stack a pod, or a workload an HPA or Rollout names, belongs to. The
 * reference stack's pods carry `app=<service>` and its workloads are named like their
 * services; a team's own stack (a stack file) says by label selectors and workload names.
 */
export interface ObserverNaming {
  /** The service whose pods carry these labels; undefined for a pod of none. */
  podService(labels: Readonly<Record<string, string>>): string | undefined;
  /** The service run by the workload of this name. */
  workloadService(name: string): string;
}

/** The reference stack's naming. */
export const REFERENCE_NAMING: ObserverNaming = { podService: (labels) => labels.app, workloadService: (name) => name };

/** Watches one namespace; create with `start()`. */
export class ClusterObserver {
  private readonly eventHub = new PlatformEventHub();
  private readonly controllers: AbortController[] = [];
  private stopped = false;
  private readonly hpaReplicas = new Map<string, number>();
  private readonly pods = new Map<string, PodState>();
  private readonly replicaSets = new Map<string, ReplicaSetBook>();
  /** Restarts per service (by ObserverNaming.podService) since the observer started; never decreases. */
  private readonly serviceRestarts = new Map<string, number>();
  private readonly rolloutState = new Map<string, string>();
  private readonly rollouts = new Map<string, RolloutView>();
  /** ReplicaSets owned by a Rollout, by uid (or name). */
  private readonly rolloutReplicaSets = new Map<string, RolloutReplicaSet>();
  /** Latest Kubernetes Events, newest last, at most 200. */
  readonly events: ClusterEvent[] = [];

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly now: () => number = Date.now,
    private readonly naming: ObserverNaming = REFERENCE_NAMING,
  ) {}

  onEvent(listener: Listener): () => void {
    return this.eventHub.on(listener);
  }

  private emit(e: PlatformEvent): void {
    this.eventHub.emit(e);
  }

  /** Opens every watch; resolves once all are connected. */
  async start(): Promise<void> {
    await Promise.all((Object.keys(STREAMS) as ObservedStream[]).map((s) => this.watch(STREAMS[s](this.namespace), (type, o) => this.ingest(s, type, o))));
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.controllers.splice(0)) c.abort();
  }

  /** Handles one watch event of a stream (what the watches call; tests feed recorded events here). */
  ingest(stream: ObservedStream, type: string, o: K8sObject): void {
    switch (stream) {
      case 'hpa':
        return this.onHpa(type, o);
      case 'rollouts':
        return this.onRollout(type, o);
      case 'replicasets':
        return this.onReplicaSet(type, o);
      case 'pods':
        return this.onPod(type, o);
      case 'events':
        return this.onClusterEvent(type, o);
    }
  }

  private async watch(path: string, handle: (type: string, o: K8sObject) => void): Promise<void> {
    if (this.stopped) return;
    const w = new Watch(this.kc);
    try {
      const controller = await w.watch(path, {}, (type, o: K8sObject) => handle(type, o), () => this.reopen(path, handle));
      this.controllers.push(controller);
    } catch {
      this.reopen(path, handle);
    }
  }

  private reopen(path: string, handle: (type: string, o: K8sObject) => void): void {
    if (this.stopped) return;
    // Streams end on API server timeouts; a short pause avoids a hot loop when it is down.
    setTimeout(() => void this.watch(path, handle), 1000).unref();
  }

  private onHpa(type: string, o: K8sObject): void {
    if (type === 'DELETED') return;
    const target = (o.spec as { scaleTargetRef?: { name?: string } } | undefined)?.scaleTargetRef?.name ?? o.metadata.name;
    const status = (o.status ?? {}) as { currentReplicas?: number; desiredReplicas?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
    const to = status.currentReplicas;
    if (to === undefined) return;
    const from = this.hpaReplicas.get(target);
    this.hpaReplicas.set(target, to);
    if (from === undefined || from === to) return;
    // ScalingActive names the metric that set the count ("... from pods metric inference_requests_per_second").
    const why = status.conditions?.find((c) => c.type === 'ScalingActive') ?? status.conditions?.find((c) => c.type === 'AbleToScale');
    this.emit({ t: this.now(), type: 'replicas', service: this.naming.workloadService(target), from, to, reason: why?.message ?? why?.reason ?? 'hpa' });
  }

  private onRollout(type: string, o: K8sObject): void {
    if (type === 'DELETED') {
      this.rollouts.delete(o.metadata.name);
      return;
    }
    const status = (o.status ?? {}) as {
      phase?: string;
      message?: string;
      abort?: boolean;
      stableRS?: string;
      currentPodHash?: string;
      canary?: { weights?: { canary?: { weight?: number } } };
    };
    this.rollouts.set(o.metadata.name, {
      phase: status.abort ? 'Aborted' : PHASES.includes(status.phase as RolloutPhase) ? (status.phase as RolloutPhase) : 'Progressing',
      routedWeight: status.canary?.weights?.canary?.weight,
      stableHash: status.stableRS,
      currentHash: status.currentPodHash,
      version: o.metadata.labels?.['peakready.io/model-version'] ?? '',
      message: status.message,
    });
    this.emitRollout(o.metadata.name);
  }

  /**
   * The canary weight as Argo really runs it. With traffic routing Argo reports it
   * (status.canary.weights). Without, the weight is the share of pods: the available pods of
   * the current ReplicaSet among those of the current and the stable one. So an aborted
   * canary counts as rolled back (weight 0) once its pods are gone, not when the abort is
   * decided; and a Rollout whose current ReplicaSet is the stable one runs at 100.
   */
  private canaryWeight(name: string, view: RolloutView): number {
    if (view.routedWeight !== undefined) return view.routedWeight;
    if (view.currentHash === undefined || view.currentHash === view.stableHash) return view.phase === 'Healthy' ? 100 : 0;
    let canary = 0;
    let stable = 0;
    for (const rs of this.rolloutReplicaSets.values()) {
      if (rs.rollout !== name) continue;
      if (rs.hash === view.currentHash) canary += rs.available;
      else if (rs.hash === view.stableHash) stable += rs.available;
    }
    return canary + stable === 0 ? 0 : Math.round((100 * canary) / (canary + stable));
  }

  private emitRollout(name: string): void {
    const view = this.rollouts.get(name);
    if (!view) return;
    const weight = this.canaryWeight(name, view);
    const key = `${view.phase}|${weight}|${view.version}`;
    if (this.rolloutState.get(name) === key) return;
    this.rolloutState.set(name, key);
    this.emit({ t: this.now(), type: 'rollout', service: this.naming.workloadService(name), phase: view.phase, weight, version: view.version, ...(view.message ? { message: view.message } : {}) });
  }

  /** A Rollout's ReplicaSet changed: its available pods move the canary weight. */
  private trackRolloutReplicaSet(type: string, o: K8sObject): void {
    const key = String(o.metadata.uid ?? o.metadata.name);
    const owner = (o.metadata as { ownerReferences?: OwnerRef[] }).ownerReferences?.find((r) => r.kind === 'Rollout');
    const hash = o.metadata.labels?.['rollouts-pod-template-hash'];
    if (!owner?.name || hash === undefined) return;
    const available = type === 'DELETED' ? 0 : Number((o.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0);
    const rs = this.rolloutReplicaSets.get(key) ?? { rollout: owner.name, hash, available };
    rs.available = available;
    if (type === 'DELETED') this.rolloutReplicaSets.delete(key);
    else this.rolloutReplicaSets.set(key, rs);
    this.emitRollout(owner.name);
  }

  private book(key: string): ReplicaSetBook {
    let b = this.replicaSets.get(key);
    if (!b) this.replicaSets.set(key, (b = { desired: undefined, grown: 0, shrunk: 0, created: 0, lost: 0, replaced: 0, unreplaced: [] }));
    return b;
  }

  private onReplicaSet(type: string, o: K8sObject): void {
    this.trackRolloutReplicaSet(type, o);
    const b = this.book(String(o.metadata.uid ?? o.metadata.name));
    // A deleted ReplicaSet wants no pods (its pods go with it); the API server defaults spec.replicas to 1.
    const desired = type === 'DELETED' ? 0 : Number((o.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    const before = b.desired ?? 0;
    b.desired = desired;
    if (desired > before) b.grown += desired - before;
    else b.shrunk += before - desired;
    // Lower differences can only lower the count: nothing to emit.
  }

  private onPod(type: string, o: K8sObject): void {
    const name = o.metadata.name;
    const key = String(o.metadata.uid ?? name);
    const service = this.naming.podService(o.metadata.labels ?? {}) ?? name;
    const meta = o.metadata as { ownerReferences?: OwnerRef[]; deletionTimestamp?: string };
    const owner = meta.ownerReferences?.find((r) => r.controller !== false && r.kind === 'ReplicaSet');
    const ownerKey = owner ? String(owner.uid ?? owner.name) : undefined;
    const status = (o.status ?? {}) as { phase?: string; containerStatuses?: { restartCount?: number }[]; conditions?: { type: string; status: string }[] };
    const restarts = (status.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const gone = type === 'DELETED' || meta.deletionTimestamp !== undefined || status.phase === 'Failed' || status.phase === 'Succeeded';

    let pod = this.pods.get(key);
    if (!pod) {
      // Restarts from before the pod was first seen count in the total, without events.
      pod = { name, service, owner: undefined, restarts, ready, gone: false };
      this.pods.set(key, pod);
      this.addRestarts(service, restarts);
    } else if (restarts > pod.restarts) {
      // One event per restart, as the local platform sends them.
      for (let n = pod.restarts + 1; n <= restarts; n++) this.emit({ t: this.now(), type: 'restart', service, replica: name, restarts: n });
      this.addRestarts(service, restarts - pod.restarts);
      pod.restarts = restarts;
    }
    if (ownerKey !== undefined && pod.owner === undefined) {
      pod.owner = ownerKey;
      this.book(ownerKey).created += 1;
    }
    if (gone && !pod.gone) {
      pod.gone = true;
      if (pod.owner !== undefined) {
        const b = this.book(pod.owner);
        b.lost += 1;
        b.unreplaced.push({ name, restarts: pod.restarts });
        if (b.unreplaced.length > 50) b.unreplaced.shift();
      }
    }
    if (pod.owner !== undefined) this.countReplacements(this.book(pod.owner), service);

    if (type === 'DELETED') {
      this.pods.delete(key);
      return;
    }
    const wasReady = pod.ready;
    pod.ready = ready;
    if (wasReady !== ready) this.emit({ t: this.now(), type: 'ready', service, replica: name, ready });
  }

  /** Applies the rule of `ReplicaSetBook`; emits a restart per new replacement, named after the pod it replaced. */
  private countReplacements(b: ReplicaSetBook, service: string): void {
    const replaced = Math.min(b.created - b.grown, b.lost - b.shrunk);
    for (; b.replaced < replaced; b.replaced++) {
      const lost = b.unreplaced.pop();
      this.addRestarts(service, 1);
      this.emit({ t: this.now(), type: 'restart', service, replica: lost?.name ?? service, restarts: (lost?.restarts ?? 0) + 1 });
    }
  }

  private addRestarts(service: string, n: number): void {
    if (n > 0) this.serviceRestarts.set(service, (this.serviceRestarts.get(service) ?? 0) + n);
  }

  private onClusterEvent(type: string, o: K8sObject): void {
    if (type === 'DELETED') return;
    const e = o as K8sObject & { involvedObject?: { kind?: string; name?: string }; type?: string; reason?: string; message?: string };
    this.events.push({ t: this.now(), object: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`, type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' });
    if (this.events.length > 200) this.events.splice(0, this.events.length - 200);
  }

  /**
   * Restarts of the pods of `service` (ObserverNaming.podService): container restarts plus pods their
   * ReplicaSet replaced (see `ReplicaSetBook`), including pods gone since. Cumulative: it
   * never decreases, so each increase of a sampled series is a restart.
   */
  restartsOf(service: string): number {
    return this.serviceRestarts.get(service) ?? 0;
  }
}
