/**
 * HorizontalPodAutoscalers with the seed's targets (CPU 70 %, memory 80 %,
 * inference_requests_per_second 100) against the real HPA controller, fed by the real
 * metrics-server, which scrapes kwok's emulated kubelet metrics (pod usage comes from the
 * kwok.x-k8s.io/usage-cpu annotation). No custom-metrics API runs here, so the Pods
 * metric stays unavailable, which the controller tolerates for scaling up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { apiMessage, apply, connect, createNamespace, deleteNamespace, eventsOf, until, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

function deployment(replicas: number, name = 'gateway', cpuUsage = '10m'): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        // kwok reports this as the pod's CPU usage through its emulated kubelet metrics.
        metadata: { labels: { app: name }, annotations: { 'kwok.x-k8s.io/usage-cpu': cpuUsage, 'kwok.x-k8s.io/usage-memory': '64Mi' } },
        spec: { containers: [{ name, image: 'registry.invalid/none:0', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
      },
    },
  };
}

function hpa(minReplicas: number, maxReplicas: number, name = 'gateway'): V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas,
      maxReplicas,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Pods', pods: { metric: { name: 'inference_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } } },
      ],
    },
  };
}

let stored: V2HorizontalPodAutoscaler;

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'hpa');
  // Both workloads start at once: metrics take a few scrapes to arrive, wait for them once.
  await apply(c, deployment(1));
  stored = await apply(c, hpa(3, 10));
  await apply(c, deployment(1, 'tabular', '900m'));
  await apply(c, hpa(1, 4, 'tabular'));
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe('HorizontalPodAutoscaler', () => {
  it('is accepted with the seed targets, and its status and conditions can be read', async () => {
    expect(stored.spec?.metrics?.map((m) => m.type)).toEqual(['Resource', 'Resource', 'Pods']);
    // Once metrics-server has CPU and memory, what is left missing is the Pods metric: no
    // custom-metrics adapter serves inference_requests_per_second here, and the HPA says so.
    const withStatus = await until(
      'the HPA to report the missing inference_requests_per_second metric',
      async () => {
        const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'gateway', namespace: ns });
        return h.status?.conditions?.some((x) => x.type === 'ScalingActive' && x.reason === 'FailedGetPodsMetric') ? h : undefined;
      },
      { timeoutMs: 90_000, describe: async () => JSON.stringify((await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'gateway', namespace: ns })).status?.conditions) },
    );
    const conditions = Object.fromEntries((withStatus.status?.conditions ?? []).map((x) => [x.type, x]));
    expect(conditions.AbleToScale?.status).toBe('True');
    expect(conditions.ScalingActive?.status).toBe('False');
    expect(conditions.ScalingActive?.message).toContain('inference_requests_per_second');
  });

  it('scales the Deployment out to minReplicas and the new pods become Ready', async () => {
    const d = await until(
      'gateway scaled to 3 ready replicas by the HPA',
      async () => {
        const got = await c.apps.readNamespacedDeployment({ name: 'gateway', namespace: ns });
        return got.spec?.replicas === 3 && got.status?.readyReplicas === 3 ? got : undefined;
      },
      { describe: async () => (await eventsOf(c, ns, 'gateway')).join(' | ') },
    );
    expect(d.status?.readyReplicas).toBe(3);
    const events = await eventsOf(c, ns, 'gateway');
    expect(events.join('\n')).toMatch(/SuccessfulRescale: New size: 3; reason: Current number of replicas below Spec\.MinReplicas/);
    const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'gateway', namespace: ns });
    expect(h.status?.desiredReplicas).toBe(3);
  });

  it('scales out on CPU: pods using 180 % of their request make it add replicas, which become Ready', async () => {
    // metrics-server serves the usage kwok emulates, through the aggregation layer.
    const usage = await until('pod metrics of tabular in metrics.k8s.io', async () => {
      const list = (await c.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace: ns, plural: 'pods', labelSelector: 'app=tabular' })) as {
        items: { containers: { usage: { cpu: string } }[] }[];
      };
      return list.items[0]?.containers[0]?.usage.cpu;
    }, { timeoutMs: 90_000 });
    expect(usage).toMatch(/^(8\d\d|9\d\d)\d*[mun]$/);
    const scaled = await until(
      'the HPA to scale tabular out',
      async () => {
        const d = await c.apps.readNamespacedDeployment({ name: 'tabular', namespace: ns });
        return (d.spec?.replicas ?? 0) > 1 && d.status?.readyReplicas === d.spec?.replicas ? d : undefined;
      },
      { timeoutMs: 90_000, describe: async () => (await eventsOf(c, ns, 'tabular')).join(' | ') },
    );
    expect(scaled.spec?.replicas).toBeGreaterThanOrEqual(3);
    const events = await eventsOf(c, ns, 'tabular');
    expect(events.join('\n')).toMatch(/SuccessfulRescale: New size: \d; reason: cpu resource utilization \(percentage of request\) above target/);
    const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'tabular', namespace: ns });
    const cpu = h.status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    expect(cpu?.resource?.current.averageUtilization).toBeGreaterThan(150);
  });

  it('is refused when maxReplicas is below minReplicas, naming the field', async () => {
    const err = await apply(c, { ...hpa(5, 2), metadata: { name: 'broken', namespace: ns } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(apiMessage(err)).toContain('spec.maxReplicas');
  });
});
