/**
 * `replicas(svc)` and `status()` on the kubernetes platform mean what they mean locally
 * (issue 14): replicas are the ready ones (status.readyReplicas, not status.replicas), and
 * restarts count pods the ReplicaSet replaced. Against the fake API server on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesPlatform } from '../../../src/platforms/kubernetes/kubernetes-platform.js';
import { FakeApiServer } from '../../fixtures/kubernetes/fake-api-server.js';

const NS = 'peakready';

const workload = (apiVersion: string, kind: string, name: string, status: Record<string, unknown>) => ({
  apiVersion,
  kind,
  metadata: { name, namespace: NS, labels: { app: name } },
  spec: { replicas: 3 },
  status,
});

const pod = (name: string, rs: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, uid: `uid-${name}`, labels: { app: 'tabular' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `uid-${rs}`, controller: true }], ...extra },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'tabular', restartCount: 0 }] },
});

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kubernetes platform: replicas and status', () => {
  const server = new FakeApiServer();
  let p: KubernetesPlatform;

  beforeAll(async () => {
    await server.start();
    // Three pods, one ready (two starting after a scale-out); a Rollout with every pod ready; one with none.
    server.put(workload('apps/v1', 'Deployment', 'gateway', { replicas: 3, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 3 }));
    server.put(workload('argoproj.io/v1alpha1', 'Rollout', 'tabular', { phase: 'Healthy', replicas: 2, readyReplicas: 2, availableReplicas: 2 }));
    server.put(workload('apps/v1', 'Deployment', 'triton', { replicas: 1, unavailableReplicas: 1 }));
    p = new KubernetesPlatform({ context: 'kind-peakready', namespace: NS, overlay: 'kind', kubeConfig: server.kubeConfig(), gatewayUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:2' });
  });
  afterAll(async () => {
    await p?.down().catch(() => undefined);
    await server.stop();
  });

  it('counts only ready replicas', async () => {
    expect(await p.replicas('gateway')).toBe(1);
    expect(await p.replicas('tabular')).toBe(2);
    expect(await p.replicas('triton')).toBe(0);
  });

  it('reports all and ready replicas in status, the SLO series reading the ready ones', async () => {
    const st = await p.status();
    expect(st.services.map((s) => [s.name, s.replicas, s.ready])).toEqual([
      ['gateway', 3, 1],
      ['tabular', 2, 2],
      ['triton', 1, 0],
    ]);
  });

  it('counts a killed pod its ReplicaSet replaced as a restart in status', async () => {
    server.replay(`/apis/apps/v1/namespaces/${NS}/replicasets`, [
      { type: 'ADDED', object: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'tabular-7c9d', namespace: NS, uid: 'uid-tabular-7c9d', labels: { app: 'tabular' } }, spec: { replicas: 2 } } },
    ]);
    server.replay(`/api/v1/namespaces/${NS}/pods`, [
      { type: 'ADDED', object: pod('tabular-7c9d-aaaaa', 'tabular-7c9d') },
      { type: 'ADDED', object: pod('tabular-7c9d-bbbbb', 'tabular-7c9d') },
    ]);
    await p.startObserver();
    const restarts = async () => (await p.status()).services.find((s) => s.name === 'tabular')?.restarts;
    // The listing was written on each stream when it connected; the kill follows it.
    expect(await restarts()).toBe(0);
    server.push(`/api/v1/namespaces/${NS}/pods`, { type: 'DELETED', object: pod('tabular-7c9d-aaaaa', 'tabular-7c9d', { deletionTimestamp: '2026-11-26T10:05:00Z' }) });
    server.push(`/api/v1/namespaces/${NS}/pods`, { type: 'ADDED', object: pod('tabular-7c9d-ccccc', 'tabular-7c9d') });
    await until(async () => (await restarts()) === 1);
  });
});
