/**
 * HorizontalPodAutoscalers with the seed's targets (CPU 70 %, memory 80 %,
 * inference_requests_per_second 100) against the real HPA controller. There is no
 * metrics API on this control plane, so the controller reports that it cannot read
 * the metrics; it still enforces minReplicas, which is the scale-out observed here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { apiMessage, apply, connect, createNamespace, deleteNamespace, eventsOf, until, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

function deployment(replicas: number): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gateway', namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'gateway' } },
      template: {
        metadata: { labels: { app: 'gateway' } },
        spec: { containers: [{ name: 'gateway', image: 'registry.invalid/none:0', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
      },
    },
  };
}

function hpa(minReplicas: number, maxReplicas: number): V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'gateway', namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' },
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

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'hpa');
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe('HorizontalPodAutoscaler', () => {
  it('is accepted with the seed targets, and its status and conditions can be read', async () => {
    await apply(c, deployment(1));
    const stored = await apply(c, hpa(3, 10));
    expect(stored.spec?.metrics?.map((m) => m.type)).toEqual(['Resource', 'Resource', 'Pods']);
    const withStatus = await until('the HPA controller to report conditions', async () => {
      const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'gateway', namespace: ns });
      return h.status?.conditions?.some((x) => x.type === 'ScalingActive') ? h : undefined;
    });
    const conditions = Object.fromEntries((withStatus.status?.conditions ?? []).map((x) => [x.type, x]));
    expect(conditions.AbleToScale?.status).toBe('True');
    // No metrics.k8s.io here: the controller says it cannot get the resource metric.
    expect(conditions.ScalingActive?.status).toBe('False');
    expect(conditions.ScalingActive?.reason).toMatch(/^FailedGet(Resource|Pods)Metric$/);
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

  it('is refused when maxReplicas is below minReplicas, naming the field', async () => {
    const err = await apply(c, { ...hpa(5, 2), metadata: { name: 'broken', namespace: ns } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(apiMessage(err)).toContain('spec.maxReplicas');
  });
});
