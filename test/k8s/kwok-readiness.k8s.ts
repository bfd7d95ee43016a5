/**
 * kwok's fake nodes against the real scheduler and controllers: pods of a Deployment
 * become Running and Ready without starting an image, GPU pods land on the GPU pool
 * only with the seed's selector and toleration, and an unschedulable pod says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment, V1PodSpec } from '@kubernetes/client-node';
import { apply, connect, createNamespace, deleteNamespace, eventsOf, until, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

function deployment(name: string, replicas: number, podSpec: Partial<V1PodSpec> = {}): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          // An image that does not exist: on fake nodes nothing is pulled.
          containers: [{ name, image: 'registry.invalid/none:0', readinessProbe: { httpGet: { path: '/ready', port: 8080 } } }],
          ...podSpec,
        },
      },
    },
  };
}

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'kwok');
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe('kwok fake nodes', () => {
  it('make every pod of a Deployment Running and Ready on a fake node', async () => {
    await apply(c, deployment('tabular', 3));
    const d = await until(
      'deployment tabular to have 3 ready replicas',
      async () => {
        const got = await c.apps.readNamespacedDeployment({ name: 'tabular', namespace: ns });
        return got.status?.readyReplicas === 3 ? got : undefined;
      },
      { describe: async () => JSON.stringify((await c.apps.readNamespacedDeployment({ name: 'tabular', namespace: ns })).status) },
    );
    expect(d.status?.availableReplicas).toBe(3);
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=tabular' });
    expect(pods.items).toHaveLength(3);
    for (const p of pods.items) {
      expect(p.status?.phase).toBe('Running');
      expect(p.spec?.nodeName).toMatch(/^kwok-cpu-/);
      expect(p.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
      expect(p.status?.podIP).toMatch(/^10\.244\./);
    }
  });

  it('schedule a GPU pod with the seed selector and toleration onto the GPU pool node', async () => {
    await apply(
      c,
      deployment('triton', 1, {
        nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        containers: [{ name: 'triton', image: 'nvcr.io/nvidia/tritonserver:none', resources: { limits: { 'nvidia.com/gpu': '1' } } }],
      }),
    );
    const pod = await until('triton pod to be Ready', async () => {
      const list = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=triton' });
      const p = list.items[0];
      return p?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? p : undefined;
    });
    expect(pod.spec?.nodeName).toBe('kwok-gpu-0');
  });

  it('leave a pod that fits no node Pending, with a FailedScheduling event that says why', async () => {
    // The GPU selector without the toleration: only the tainted GPU node matches.
    await apply(c, deployment('vllm', 1, { nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' } }));
    const pod = await until('vllm pod to exist', async () => {
      const list = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=vllm' });
      return list.items[0];
    });
    const events = await until('a FailedScheduling event for the vllm pod', async () => {
      const ev = await eventsOf(c, ns, pod.metadata?.name ?? '');
      return ev.some((e) => e.startsWith('FailedScheduling')) ? ev : undefined;
    });
    expect(events.join('\n')).toMatch(/untolerated taint|didn't match Pod's node affinity\/selector/);
    const again = await c.core.readNamespacedPod({ name: pod.metadata?.name ?? '', namespace: ns });
    expect(again.status?.phase).toBe('Pending');
  });
});
