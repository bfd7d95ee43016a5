/**
 * Turns watch streams into the platform's events: HPA replica changes, Rollout phase and
 * canary weight, pod restarts and readiness. Kubernetes Events are kept (latest first)
 * for status and timeout messages. A stream that ends is re-opened until `stop()`.
 */
import { PlatformEventHub } from '../event-hub.js';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { PlatformEvent, RolloutPhase } from '../platform.js';
import type { K8sObject } from './manifest.js';

type Listener = (e: PlatformEvent) => void;

/** The watched collections, relative to the namespace. */
const STREAMS = {
  hpa: (ns: string) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
  rollouts: (ns: string) => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`,
  pods: (ns: string) => `/api/v1/namespaces/${ns}/pods`,
  events: (ns: string) => `/api/v1/namespaces/${ns}/events`,
} as const;

/** One Kubernetes Event as kept by the observer. */
export interface ClusterEvent {
  readonly t: number;
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

const PHASES: readonly RolloutPhase[] = ['Healthy', 'Progressing', 'Paused', 'Degraded', 'Aborted'];

/** Watches one namespace; create with `start()`. */
export class ClusterObserver {
  private readonly eventHub = new PlatformEventHub();
  private readonly controllers: AbortController[] = [];
  private stopped = false;
  private readonly hpaReplicas = new Map<string, number>();
  private readonly podRestarts = new Map<string, number>();
  private readonly podReady = new Map<string, boolean>();
  private readonly rolloutState = new Map<string, string>();
  /** Latest Kubernetes Events, newest last, at most 200. */
  readonly events: ClusterEvent[] = [];

  constructor(private readonly kc: KubeConfig, private readonly namespace: string, private readonly now: () => number = Date.now) {}

  onEvent(listener: Listener): () => void {
    return this.eventHub.on(listener);
  }

  private emit(e: PlatformEvent): void {
    this.eventHub.emit(e);
  }

  /** Opens every watch; resolves once all are connected. */
  async start(): Promise<void> {
    await Promise.all([
      this.watch(STREAMS.hpa(this.namespace), (type, o) => this.onHpa(type, o)),
      this.watch(STREAMS.rollouts(this.namespace), (type, o) => this.onRollout(type, o)),
      this.watch(STREAMS.pods(this.namespace), (type, o) => this.onPod(type, o)),
      this.watch(STREAMS.events(this.namespace), (type, o) => this.onClusterEvent(type, o)),
    ]);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.controllers.splice(0)) c.abort();
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
    const able = status.conditions?.find((c) => c.type === 'AbleToScale' || c.type === 'ScalingActive');
    this.emit({ t: this.now(), type: 'replicas', service: target, from, to, reason: able?.message ?? able?.reason ?? 'hpa' });
  }

  private onRollout(type: string, o: K8sObject): void {
    if (type === 'DELETED') return;
    const status = (o.status ?? {}) as { phase?: string; message?: string; abort?: boolean; canary?: { weights?: { canary?: { weight?: number } } }; currentStepIndex?: number };
    const phase: RolloutPhase = status.abort ? 'Aborted' : PHASES.includes(status.phase as RolloutPhase) ? (status.phase as RolloutPhase) : 'Progressing';
    const weight = status.canary?.weights?.canary?.weight ?? (phase === 'Healthy' ? 100 : 0);
    const version = o.metadata.labels?.['peakready.io/model-version'] ?? '';
    const key = `${phase}|${weight}|${version}`;
    if (this.rolloutState.get(o.metadata.name) === key) return;
    this.rolloutState.set(o.metadata.name, key);
    this.emit({ t: this.now(), type: 'rollout', service: o.metadata.name, phase, weight, version, ...(status.message ? { message: status.message } : {}) });
  }

  private onPod(type: string, o: K8sObject): void {
    const name = o.metadata.name;
    if (type === 'DELETED') {
      this.podRestarts.delete(name);
      this.podReady.delete(name);
      return;
    }
    const service = o.metadata.labels?.app ?? name;
    const status = (o.status ?? {}) as { containerStatuses?: { restartCount?: number }[]; conditions?: { type: string; status: string }[] };
    const restarts = (status.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
    const before = this.podRestarts.get(name);
    this.podRestarts.set(name, restarts);
    if (before !== undefined && restarts > before) this.emit({ t: this.now(), type: 'restart', service, replica: name, restarts });
    const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const wasReady = this.podReady.get(name);
    this.podReady.set(name, ready);
    if (wasReady !== undefined && wasReady !== ready) this.emit({ t: this.now(), type: 'ready', service, replica: name, ready });
  }

  private onClusterEvent(type: string, o: K8sObject): void {
    if (type === 'DELETED') return;
    const e = o as K8sObject & { involvedObject?: { kind?: string; name?: string }; type?: string; reason?: string; message?: string };
    this.events.push({ t: this.now(), object: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`, type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' });
    if (this.events.length > 200) this.events.splice(0, this.events.length - 200);
  }

  /** Total container restarts of the pods whose `app` label is `service`. */
  restartsOf(service: string): number {
    let n = 0;
    for (const [pod, r] of this.podRestarts) if (pod.startsWith(`${service}-`)) n += r;
    return n;
  }
}
