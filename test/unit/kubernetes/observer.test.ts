/**
 * The cluster observer's restart count (issue 14): container restarts plus pods their
 * ReplicaSet replaced, so `restarts(svc)` means on Kubernetes what it means locally, where a
 * killed replica is started again and counted. Fed constructed watch events in the order
 * the API server sends them (and, where it matters, with the pod and ReplicaSet streams out
 * of step, as two separate watches can be).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClusterObserver, type ObservedStream } from '../../../src/platforms/kubernetes/observer.js';
import type { K8sObject } from '../../../src/contract/k8s-objects.js';
import type { PlatformEvent } from '../../../src/platforms/platform.js';

const NS = 'peakready';

function replicaSet(name: string, app: string, replicas: number): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels: { app } },
    spec: { replicas, selector: { matchLabels: { app } } },
    status: { replicas },
  };
}

interface PodShape {
  readonly ready?: boolean;
  readonly restarts?: number;
  /** deletionTimestamp set: terminating. */
  readonly deleting?: boolean;
  readonly phase?: string;
}

function pod(name: string, app: string, rs: string, s: PodShape = {}): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: { app },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `uid-${rs}`, controller: true, blockOwnerDeletion: true }],
      ...(s.deleting ? { deletionTimestamp: '2026-11-26T10:05:00Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    status: {
      phase: s.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: s.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ name: app, restartCount: s.restarts ?? 0, ready: s.ready !== false }],
    },
  };
}

let observer: ClusterObserver;
let events: PlatformEvent[];
const feed = (stream: ObservedStream, type: string, o: K8sObject): void => observer.ingest(stream, type, o);
const restartEvents = (service: string) => events.filter((e): e is Extract<PlatformEvent, { type: 'restart' }> => e.type === 'restart' && e.service === service);

beforeEach(() => {
  // Never started: no watch is opened, the events below are all it sees.
  observer = new ClusterObserver(new KubeConfig(), NS, () => 1_000);
  events = [];
  observer.onEvent((e) => events.push(e));
});

/** A ReplicaSet of `app` at `n` replicas with its ready pods, as the watches list them on connect. */
function steady(rs: string, app: string, pods: readonly string[], shape: (name: string) => PodShape = () => ({})): void {
  feed('replicasets', 'ADDED', replicaSet(rs, app, pods.length));
  for (const p of pods) feed('pods', 'ADDED', pod(p, app, rs, shape(p)));
}

describe('ClusterObserver restarts: replaced pods', () => {
  it('counts a pod-kill whose pod the ReplicaSet replaced as one restart, named after the killed pod', () => {
    steady('tabular-7c9d', 'tabular', ['tabular-7c9d-aaaaa', 'tabular-7c9d-bbbbb']);
    expect(observer.restartsOf('tabular')).toBe(0);
    // Chaos Mesh PodChaos pod-kill: the pod is deleted; the ReplicaSet (spec.replicas still 2) creates another.
    feed('pods', 'MODIFIED', pod('tabular-7c9d-aaaaa', 'tabular', 'tabular-7c9d', { deleting: true, ready: false }));
    feed('pods', 'DELETED', pod('tabular-7c9d-aaaaa', 'tabular', 'tabular-7c9d', { deleting: true, ready: false }));
    expect(observer.restartsOf('tabular')).toBe(0); // not replaced yet
    feed('pods', 'ADDED', pod('tabular-7c9d-ccccc', 'tabular', 'tabular-7c9d', { ready: false }));
    feed('pods', 'MODIFIED', pod('tabular-7c9d-ccccc', 'tabular', 'tabular-7c9d'));
    expect(observer.restartsOf('tabular')).toBe(1);
    expect(restartEvents('tabular')).toEqual([{ t: 1_000, type: 'restart', service: 'tabular', replica: 'tabular-7c9d-aaaaa', restarts: 1 }]);
  });

  it('counts a grace-period-0 kill (DELETED with no terminating state first), also when the ReplicaSet stream lags', () => {
    // The pods arrive before their ReplicaSet: the pod watch connected first.
    for (const p of ['gateway-5f6d-aaaaa', 'gateway-5f6d-bbbbb']) feed('pods', 'ADDED', pod(p, 'gateway', 'gateway-5f6d'));
    feed('pods', 'DELETED', pod('gateway-5f6d-bbbbb', 'gateway', 'gateway-5f6d'));
    feed('pods', 'ADDED', pod('gateway-5f6d-ccccc', 'gateway', 'gateway-5f6d', { ready: false }));
    feed('replicasets', 'ADDED', replicaSet('gateway-5f6d', 'gateway', 2));
    expect(observer.restartsOf('gateway')).toBe(1);
    expect(restartEvents('gateway').map((e) => e.replica)).toEqual(['gateway-5f6d-bbbbb']);
  });

  it('counts an evicted (Failed) pod that was replaced once, not again when it is garbage-collected', () => {
    steady('triton-6b7c', 'triton', ['triton-6b7c-aaaaa']);
    feed('pods', 'MODIFIED', pod('triton-6b7c-aaaaa', 'triton', 'triton-6b7c', { phase: 'Failed', ready: false }));
    feed('pods', 'ADDED', pod('triton-6b7c-bbbbb', 'triton', 'triton-6b7c', { ready: false }));
    feed('pods', 'DELETED', pod('triton-6b7c-aaaaa', 'triton', 'triton-6b7c', { phase: 'Failed', ready: false }));
    expect(observer.restartsOf('triton')).toBe(1);
    expect(restartEvents('triton')).toHaveLength(1);
  });
});

describe('ClusterObserver restarts: pods that went away on purpose', () => {
  it('counts nothing for an HPA scale-in, whichever stream reports it first, nor for the scale-out after it', () => {
    // gateway-a restarted once before the observer started: that restart stays counted throughout.
    steady('gateway-5f6d', 'gateway', ['gateway-5f6d-aaaaa', 'gateway-5f6d-bbbbb', 'gateway-5f6d-ccccc', 'gateway-5f6d-ddddd'], (p) => ({ restarts: p.endsWith('aaaaa') ? 1 : 0 }));
    expect(observer.restartsOf('gateway')).toBe(1);

    // HPA 4 → 3: the ReplicaSet's spec.replicas drops, then it deletes a pod.
    feed('hpa', 'MODIFIED', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'gateway' }, spec: { scaleTargetRef: { name: 'gateway' } }, status: { currentReplicas: 4 } });
    feed('hpa', 'MODIFIED', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'gateway' }, spec: { scaleTargetRef: { name: 'gateway' } }, status: { currentReplicas: 3 } });
    feed('replicasets', 'MODIFIED', replicaSet('gateway-5f6d', 'gateway', 3));
    feed('pods', 'MODIFIED', pod('gateway-5f6d-aaaaa', 'gateway', 'gateway-5f6d', { deleting: true, restarts: 1, ready: false }));
    feed('pods', 'DELETED', pod('gateway-5f6d-aaaaa', 'gateway', 'gateway-5f6d', { deleting: true, restarts: 1, ready: false }));

    // 3 → 2 with the pod stream ahead of the ReplicaSet stream.
    feed('pods', 'MODIFIED', pod('gateway-5f6d-bbbbb', 'gateway', 'gateway-5f6d', { deleting: true, ready: false }));
    feed('pods', 'DELETED', pod('gateway-5f6d-bbbbb', 'gateway', 'gateway-5f6d', { deleting: true, ready: false }));
    feed('replicasets', 'MODIFIED', replicaSet('gateway-5f6d', 'gateway', 2));

    // And back out to 3: a new pod, asked for by spec.replicas, replaces nothing.
    feed('replicasets', 'MODIFIED', replicaSet('gateway-5f6d', 'gateway', 3));
    feed('pods', 'ADDED', pod('gateway-5f6d-eeeee', 'gateway', 'gateway-5f6d', { ready: false }));

    expect(observer.restartsOf('gateway')).toBe(1);
    expect(restartEvents('gateway')).toEqual([]);
    expect(events.filter((e) => e.type === 'replicas')).toMatchObject([{ service: 'gateway', from: 4, to: 3 }]);
  });

  it('counts nothing for a rollout that replaces every pod with the new ReplicaSet\'s, nor for an abort that scales the canary away', () => {
    steady('tabular-v1', 'tabular', ['tabular-v1-aaaaa', 'tabular-v1-bbbbb'], (p) => ({ restarts: p.endsWith('aaaaa') ? 1 : 0 }));
    expect(observer.restartsOf('tabular')).toBe(1);

    // Surge one new pod, then retire one old pod, twice (maxSurge 1, maxUnavailable 0).
    feed('replicasets', 'ADDED', replicaSet('tabular-v2', 'tabular', 0));
    feed('replicasets', 'MODIFIED', replicaSet('tabular-v2', 'tabular', 1));
    feed('pods', 'ADDED', pod('tabular-v2-ccccc', 'tabular', 'tabular-v2', { ready: false }));
    feed('pods', 'MODIFIED', pod('tabular-v2-ccccc', 'tabular', 'tabular-v2'));
    feed('replicasets', 'MODIFIED', replicaSet('tabular-v1', 'tabular', 1));
    feed('pods', 'MODIFIED', pod('tabular-v1-aaaaa', 'tabular', 'tabular-v1', { deleting: true, restarts: 1, ready: false }));
    feed('pods', 'DELETED', pod('tabular-v1-aaaaa', 'tabular', 'tabular-v1', { deleting: true, restarts: 1, ready: false }));
    // The second round with the pod stream ahead of the ReplicaSet stream.
    feed('pods', 'ADDED', pod('tabular-v2-ddddd', 'tabular', 'tabular-v2', { ready: false }));
    feed('replicasets', 'MODIFIED', replicaSet('tabular-v2', 'tabular', 2));
    feed('pods', 'MODIFIED', pod('tabular-v1-bbbbb', 'tabular', 'tabular-v1', { deleting: true, ready: false }));
    feed('pods', 'DELETED', pod('tabular-v1-bbbbb', 'tabular', 'tabular-v1', { deleting: true, ready: false }));
    feed('replicasets', 'MODIFIED', replicaSet('tabular-v1', 'tabular', 0));

    // An Argo canary of v3 that is aborted: its ReplicaSet goes 0 → 1 → 0 and is deleted later.
    feed('replicasets', 'ADDED', replicaSet('tabular-v3', 'tabular', 1));
    feed('pods', 'ADDED', pod('tabular-v3-eeeee', 'tabular', 'tabular-v3', { ready: false }));
    feed('replicasets', 'MODIFIED', replicaSet('tabular-v3', 'tabular', 0));
    feed('pods', 'DELETED', pod('tabular-v3-eeeee', 'tabular', 'tabular-v3', { deleting: true, ready: false }));
    feed('replicasets', 'DELETED', replicaSet('tabular-v3', 'tabular', 0));

    expect(observer.restartsOf('tabular')).toBe(1);
    expect(restartEvents('tabular')).toEqual([]);
  });
});

describe('ClusterObserver restarts: container restarts', () => {
  it('counts restartCount 0 → 2 as two restarts (one event each), and keeps them once the pod is gone', () => {
    steady('triton-6b7c', 'triton', ['triton-6b7c-aaaaa', 'triton-6b7c-bbbbb']);
    feed('pods', 'MODIFIED', pod('triton-6b7c-aaaaa', 'triton', 'triton-6b7c', { restarts: 2, ready: false }));
    expect(observer.restartsOf('triton')).toBe(2);
    expect(restartEvents('triton').map((e) => [e.replica, e.restarts])).toEqual([
      ['triton-6b7c-aaaaa', 1],
      ['triton-6b7c-aaaaa', 2],
    ]);
    // Scaled in afterwards: the restarts happened and stay counted (the sampled series never drops).
    feed('replicasets', 'MODIFIED', replicaSet('triton-6b7c', 'triton', 1));
    feed('pods', 'DELETED', pod('triton-6b7c-aaaaa', 'triton', 'triton-6b7c', { deleting: true, restarts: 2, ready: false }));
    expect(observer.restartsOf('triton')).toBe(2);
  });

  it('adds a replacement to the container restarts of the pod it replaced', () => {
    steady('triton-6b7c', 'triton', ['triton-6b7c-aaaaa']);
    feed('pods', 'MODIFIED', pod('triton-6b7c-aaaaa', 'triton', 'triton-6b7c', { restarts: 2 }));
    feed('pods', 'DELETED', pod('triton-6b7c-aaaaa', 'triton', 'triton-6b7c', { restarts: 2, ready: false }));
    feed('pods', 'ADDED', pod('triton-6b7c-bbbbb', 'triton', 'triton-6b7c', { ready: false }));
    expect(observer.restartsOf('triton')).toBe(3);
    expect(restartEvents('triton').at(-1)).toMatchObject({ replica: 'triton-6b7c-aaaaa', restarts: 3 });
  });

  it('attributes restarts by the pods\' app label, not by their name', () => {
    steady('llm-server-8d9e', 'generative', ['llm-server-8d9e-aaaaa']);
    steady('gateway-canary-1a2b', 'gateway', ['gateway-canary-1a2b-aaaaa']);
    feed('pods', 'MODIFIED', pod('llm-server-8d9e-aaaaa', 'generative', 'llm-server-8d9e', { restarts: 1 }));
    feed('pods', 'MODIFIED', pod('gateway-canary-1a2b-aaaaa', 'gateway', 'gateway-canary-1a2b', { restarts: 1 }));
    expect(observer.restartsOf('generative')).toBe(1);
    expect(observer.restartsOf('gateway')).toBe(1);
  });
});

describe('ClusterObserver readiness', () => {
  it('reports a pod turning unready and ready again, and nothing for pods first seen', () => {
    steady('tabular-7c9d', 'tabular', ['tabular-7c9d-aaaaa']);
    feed('pods', 'MODIFIED', pod('tabular-7c9d-aaaaa', 'tabular', 'tabular-7c9d', { ready: false }));
    feed('pods', 'MODIFIED', pod('tabular-7c9d-aaaaa', 'tabular', 'tabular-7c9d'));
    expect(events.filter((e) => e.type === 'ready').map((e) => (e as { ready: boolean }).ready)).toEqual([false, true]);
  });
});

describe('ClusterObserver rollouts: a real Argo Rollouts abort, recorded', () => {
  /**
   * Recorded from the real Argo Rollouts controller of the control-plane suite (kwok nodes, no
   * traffic routing): test/k8s/platform-kind.k8s.ts with PEAKREADY_RECORD_ARGO set. The
   * tabular canary runs one v2 pod beside one v1 pod, its analysis fails, Argo aborts, and
   * the canary ReplicaSet is scaled to 0.
   */
  interface Recorded {
    readonly dtMs: number;
    readonly stream: ObservedStream;
    readonly type: string;
    readonly object: K8sObject;
  }
  const stream = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'argo-abort-stream.json'), 'utf8')) as Recorded[];

  function replay(): Extract<PlatformEvent, { type: 'rollout' }>[] {
    let now = 0;
    const o = new ClusterObserver(new KubeConfig(), NS, () => now);
    const seen: PlatformEvent[] = [];
    o.onEvent((e) => seen.push(e));
    for (const r of stream) {
      now = r.dtMs;
      o.ingest(r.stream, r.type, r.object);
    }
    return seen.filter((e): e is Extract<PlatformEvent, { type: 'rollout' }> => e.type === 'rollout' && e.service === 'tabular');
  }
  const rolloutStatus = (r: Recorded) => r.object.status as { abort?: boolean; currentPodHash?: string; canary?: { weights?: unknown } };

  it('Argo reports no routed weight without traffic routing: the weight is the canary pods\' share of the available pods', () => {
    expect(stream.filter((r) => r.stream === 'rollouts').every((r) => rolloutStatus(r).canary?.weights === undefined)).toBe(true);
    const events = replay();
    expect(events[0]).toMatchObject({ phase: 'Healthy', weight: 100 });
    // One v2 pod beside one v1 pod at each of the canary's two pauses: half the pods (the old reading said 0).
    expect(events.filter((e) => e.phase === 'Paused').map((e) => e.weight)).toEqual([50, 50]);
  });

  it('rolled back (Aborted at weight 0) only once the canary ReplicaSet has no available pod, not when the abort is decided', () => {
    const events = replay();
    const abortAt = stream.find((r) => r.stream === 'rollouts' && rolloutStatus(r).abort === true)!.dtMs;
    const canaryHash = rolloutStatus(stream.find((r) => r.stream === 'rollouts' && rolloutStatus(r).abort === true)!).currentPodHash!;
    const podsGoneAt = stream.find(
      (r) => r.stream === 'replicasets' && r.dtMs >= abortAt && r.object.metadata.labels?.['rollouts-pod-template-hash'] === canaryHash && !((r.object.status as { availableReplicas?: number }).availableReplicas ?? 0),
    )!.dtMs;
    expect(podsGoneAt).toBeGreaterThan(abortAt);
    const aborted = events.filter((e) => e.phase === 'Aborted');
    expect(aborted[0]).toMatchObject({ t: abortAt, weight: 50, version: expect.any(String) });
    expect(aborted[0]!.message).toMatch(/RolloutAborted/);
    expect(aborted.find((e) => e.weight === 0)!.t).toBe(podsGoneAt);
  });
});
