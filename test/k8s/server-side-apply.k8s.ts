/**
 * Server-side apply and schema validation against the real API server: what a user
 * sees when `peakready deploy` applies twice, when someone else owns a field, and
 * when a manifest has a wrong field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { apiMessage, apply, connect, createNamespace, deleteNamespace, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

function deployment(replicas: number): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gateway', namespace: ns, labels: { app: 'gateway' } },
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
  it('a second identical apply changes nothing (same resourceVersion and generation)', async () => {
    const first = await apply(c, deployment(2));
    const second = await apply(c, deployment(2));
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    expect(second.metadata?.generation).toBe(first.metadata?.generation);
    const managers = (second.metadata?.managedFields ?? []).map((f) => f.manager);
    expect(managers).toContain('peakready-k8s-test');
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
    const bad = deployment(1) as unknown as { spec: Record<string, unknown> } & KubernetesObject;
    bad.spec.replicas = 'three';
    const err = await apply(c, bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(apiMessage(err)).toContain('replicas');
  });

  it('rejects an unknown field in an applied core object', async () => {
    const bad = deployment(1) as unknown as { spec: Record<string, unknown> } & KubernetesObject;
    bad.spec.replcias = 2;
    const err = await apply(c, bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(apiMessage(err)).toContain('replcias');
  });

  it('validates custom resources against the installed CRD schema (Rollout from ../shared/crds)', async () => {
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
