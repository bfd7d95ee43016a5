/**
 * A team's own stack on the control plane (issue 17): a scenario's `stack.replicas` and a
 * capacity search's pinned service are applied to the team's workload, and a capacity
 * search holds the HPAs that scale it at that count. Whatever peakready changed is put back
 * when its teardown unwinds; the other services and HPAs are not touched. kwok's fake nodes
 * run the pods, so their readiness is kwok's; the traffic is not sent here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { LoadedStack, StackDefinition } from '../../src/scenario/stack-definition.js';
import { apply, connect, createNamespace, deleteNamespace, until, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

const deployment = (name: string, replicas: number): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    replicas,
    selector: { matchLabels: { 'app.kubernetes.io/name': name } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/name': name }, annotations: { 'kwok.x-k8s.io/usage-cpu': '10m' } },
      spec: { containers: [{ name, image: 'registry.invalid/none:0', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
    },
  },
});
const hpa = (name: string, target: string, minReplicas: number, maxReplicas: number): V2HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: ns },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
    minReplicas,
    maxReplicas,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
  },
});

const definition: StackDefinition = {
  name: 'shop',
  entry: 'api',
  services: {
    api: { ready: '/ready', kubernetes: { selector: { 'app.kubernetes.io/name': 'api' }, service: { name: 'api', port: 8080 } } },
    model: { kubernetes: { selector: { 'app.kubernetes.io/name': 'model' } } },
  },
};
const stack: LoadedStack = { definition, dir: '/teams/shop', shown: 'stacks/shop.ts' };

const platform = () =>
  // Traffic and Prometheus are not reached here: their URLs are given, never called.
  new KubernetesPlatform({ context: c.context, namespace: ns, overlay: 'kind', kubeConfig: c.kc, stack, gatewayUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:2', readyTimeoutMs: 90_000 });
const replicasOf = async (name: string) => {
  const d = await c.apps.readNamespacedDeployment({ name, namespace: ns });
  return { spec: d.spec?.replicas, ready: d.status?.readyReplicas ?? 0 };
};
const bounds = async (name: string) => {
  const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace: ns });
  return [h.spec?.minReplicas, h.spec?.maxReplicas];
};

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'own-replicas');
  await apply(c, deployment('api', 1));
  await apply(c, deployment('model', 1));
  await apply(c, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: ns }, spec: { selector: { 'app.kubernetes.io/name': 'api' }, ports: [{ port: 8080 }] } });
  // The team's HPA on the model, and one on the api that must stay as it is.
  await apply(c, hpa('model', 'model', 1, 4));
  await apply(c, hpa('api', 'api', 1, 5));
  await until('both workloads ready', async () => ((await replicasOf('api')).ready >= 1 && (await replicasOf('model')).ready >= 1) || undefined, { timeoutMs: 90_000 });
}, 120_000);
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe("a team's own stack: replicas and HPAs for a run and a capacity search", () => {
  it("a capacity search's service at 3 replicas, its HPA held at 3..3; both put back as they were, the others untouched", async () => {
    const teardown = new TeardownStack();
    const lines: string[] = [];
    await platform().up({ stack: { replicas: { model: 3 }, disable: ['autoscaler'] }, timeScale: 1, runId: 'pin', teardown, log: (l) => lines.push(l) });
    expect(await replicasOf('model')).toEqual({ spec: 3, ready: 3 });
    expect(await bounds('model')).toEqual([3, 3]);
    expect(await bounds('api')).toEqual([1, 5]);
    expect(lines).toEqual(['model: Deployment/model at 3 replicas (was 1), held there by HorizontalPodAutoscaler/model']);
    expect(await teardown.unwind()).toEqual([]);
    expect(await bounds('model')).toEqual([1, 4]);
    expect((await replicasOf('model')).spec).toBe(1);
    expect(await bounds('api')).toEqual([1, 5]);
  }, 120_000);

  it("a run's stack.replicas scales the workload for the run and leaves its HPA alone", async () => {
    const teardown = new TeardownStack();
    await platform().up({ stack: { replicas: { api: 2 } }, timeScale: 1, runId: 'scale', teardown });
    expect(await replicasOf('api')).toEqual({ spec: 2, ready: 2 });
    expect(await bounds('api')).toEqual([1, 5]);
    expect(await teardown.unwind()).toEqual([]);
    expect((await replicasOf('api')).spec).toBe(1);
  }, 120_000);
});
