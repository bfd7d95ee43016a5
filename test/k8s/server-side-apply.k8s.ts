/**
 * Server-side apply and schema validation against the real API server: what a user
 * sees when `peakready deploy` applies twice, when someone else owns a field, and
 * when a manifest has a wrong field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { applyObjects } from '../../src/platforms/kubernetes/apply.js';
import type { K8sObject } from '../../src/contract/k8s-objects.js';
import { tailorStack } from '../../src/platforms/kubernetes/stack-manifests.js';
import { PeakreadyError } from '../../src/contract/errors.js';
import { apiMessage, apply, connect, createNamespace, deleteNamespace, rawApply, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

function deployment(replicas: number, name = 'gateway'): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: 'gateway' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'gateway' } },
      template: {
        metadata: { labels: { app: 'gateway' } },
        spec: { containers: [{ name: 'gateway', image: 'peakready/stack:test', args: ['gateway'] }] },
      },
    },
  };
}

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'ssa');
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe('server-side apply', () => {
  it('a second identical apply is a no-op: nothing is written (same resourceVersion)', async () => {
    const config: KubernetesObject & { data: Record<string, string> } = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gateway-policy', namespace: ns }, data: { breaker: '50%', timeout: '2s' } };
    const first = await apply(c, config);
    const second = await apply(c, config);
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('a second identical apply of a Deployment leaves its generation and our field ownership as they were', async () => {
    const first = await apply(c, deployment(2));
    const second = await apply(c, deployment(2));
    // The Deployment controller writes status meanwhile; the spec must not change.
    expect(second.metadata?.generation).toBe(first.metadata?.generation);
    const ours = (o: V1Deployment) => o.metadata?.managedFields?.find((f) => f.manager === 'peakready-k8s-test' && f.operation === 'Apply');
    expect(ours(second)).toBeDefined();
    expect(ours(second)?.time).toEqual(ours(first)?.time);
  });

  it('a changed apply bumps the generation', async () => {
    const before = await apply(c, deployment(2));
    const after = await apply(c, deployment(3));
    expect(after.spec?.replicas).toBe(3);
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
  });

  it('a field owned by another manager is a 409 conflict naming the field and the owner, unless forced', async () => {
    await apply(c, deployment(3));
    const err = await apply(c, deployment(5), 'hpa-like-owner').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the conflicting apply must fail').toBeDefined();
    expect((err as { code?: number }).code).toBe(409);
    expect(apiMessage(err)).toMatch(/conflict/i);
    expect(apiMessage(err)).toContain('.spec.replicas');
    expect(apiMessage(err)).toContain('peakready-k8s-test');
    const forced = await apply(c, deployment(5), 'hpa-like-owner', true);
    expect(forced.spec?.replicas).toBe(5);
  });
});

describe('schema validation by the API server', () => {
  it('rejects a core object with a field of the wrong type, naming the field', async () => {
    const bad = deployment(1, 'typo-type') as unknown as { spec: Record<string, unknown> } & KubernetesObject;
    bad.spec.replicas = 'three';
    const err = await apply(c, bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(apiMessage(err)).toContain('replicas');
  });

  it('refuses an unknown field in an applied core object, naming it; the typed client drops it before sending', async () => {
    const bad = deployment(1, 'typo-field') as unknown as { spec: Record<string, unknown> } & KubernetesObject;
    bad.spec.replcias = 2;
    // On the wire, server-side apply refuses a field its schema does not declare.
    const raw = await rawApply(c, `/apis/apps/v1/namespaces/${ns}/deployments/typo-field`, bad, {});
    expect(raw.status).toBeGreaterThanOrEqual(400);
    expect(raw.body.message).toContain('.spec.replcias: field not declared in schema');
    // @kubernetes/client-node serialises known kinds through their model and drops the
    // typo without a word: only offline validation (`peakready validate`) catches it.
    const stored = await apply(c, bad);
    expect(JSON.stringify(stored.spec)).not.toContain('replcias');
  });

  it('peakready\'s apply sends the object untouched with strict validation: a typo fails naming the field and the object', async () => {
    const bad = deployment(1, 'typo-strict') as unknown as K8sObject;
    (bad.spec as Record<string, unknown>).replcias = 2;
    const err = await applyObjects(c.kc, [bad]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PeakreadyError);
    expect((err as PeakreadyError).code).toBe('INVALID_INPUT');
    expect((err as PeakreadyError).message).toMatch(/server-side apply of Deployment\/typo-strict in \S+ refused by the API server's schema/);
    expect((err as PeakreadyError).message).toContain('.spec.replcias: field not declared in schema');
    // Nothing was stored.
    await expect(c.apps.readNamespacedDeployment({ name: 'typo-strict', namespace: ns })).rejects.toMatchObject({ code: 404 });
    // The same object without the typo goes through the same path.
    delete (bad.spec as Record<string, unknown>).replcias;
    const [stored] = await applyObjects(c.kc, [bad]);
    expect(stored?.metadata.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'peakready', operation: 'Apply' })]));
  });

  it('validates custom resources against the installed CRD schema (Rollout from deploy/crds)', async () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'bad-rollout', namespace: ns },
      spec: {
        replicas: 'many',
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x' }] } },
        strategy: { canary: { steps: [{ setWeight: 20 }] } },
      },
    };
    const err = await apply(c, rollout).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(apiMessage(err)).toMatch(/spec\.replicas/);
  });
});

describe('re-applying a stack whose HPA has scaled a workload', () => {
  function stack(): K8sObject[] {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'scaled' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    };
    return tailorStack([deployment(2, 'scaled') as unknown as K8sObject, hpa as unknown as K8sObject], { namespace: ns });
  }

  it('does not send .spec.replicas of an HPA target, so the re-apply neither conflicts nor undoes the scale-out', async () => {
    const objects = stack();
    expect(objects[0]?.spec).not.toHaveProperty('replicas');
    await applyObjects(c.kc, objects);
    // What the HPA controller does: an update of the scale subresource by kube-controller-manager.
    await c.apps.patchNamespacedDeploymentScale(
      { name: 'scaled', namespace: ns, body: { spec: { replicas: 4 } }, fieldManager: 'kube-controller-manager' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const again = await applyObjects(c.kc, stack());
    expect((again[0]?.spec as { replicas?: number }).replicas).toBe(4);
    const live = await c.apps.readNamespacedDeployment({ name: 'scaled', namespace: ns });
    expect(live.spec?.replicas).toBe(4);
  });

  it('keeps .spec.replicas when the scenario switches the autoscaler off', () => {
    const objects = tailorStack([deployment(2, 'scaled') as unknown as K8sObject], { namespace: ns, stack: { disable: ['autoscaler'] } });
    expect((objects[0]?.spec as { replicas?: number }).replicas).toBe(2);
  });
});

