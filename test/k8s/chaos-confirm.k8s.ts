/**
 * A Chaos object the API server accepts is not yet a fault: on the real API server, a
 * NetworkChaos whose controller never reports it injected (fake nodes have no chaos daemon,
 * and without PEAKREADY_K8S_CHAOS_MESH=1 there is no controller at all) makes inject reject
 * with the reason after the confirmation timeout, and the object is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../src/contract/errors.js';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';
import { connect, createNamespace, deleteNamespace, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'chaos-confirm');
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe('kubernetes inject waits for Chaos Mesh to confirm', () => {
  it('a NetworkChaos nobody injects: inject rejects naming the object and why, within the timeout, and deletes it', async () => {
    const p = new KubernetesPlatform({ context: c.context, namespace: ns, overlay: 'kind', kubeConfig: c.kc, gatewayUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:2', chaosConfirmTimeoutMs: 3000, pollMs: 250 });
    const fault: ResolvedFault = { id: 'slow-redis', kind: 'latency', target: 'redis', atMs: 0, durationMs: 60_000, params: { latency: '200ms' } };
    const t0 = Date.now();
    const err = await p.inject(fault).then(
      () => undefined,
      (e: unknown) => e,
    );
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(PeakreadyError);
    expect((err as PeakreadyError).code).toBe('ENVIRONMENT');
    expect((err as Error).message).toMatch(/NetworkChaos.*Chaos Mesh did not confirm it within 3 s: .*the object was deleted/);
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(15_000);
    const left = (await c.custom.listNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'networkchaos' })) as { items: { metadata?: { deletionTimestamp?: string } }[] };
    expect(left.items.filter((o) => !o.metadata?.deletionTimestamp)).toHaveLength(0);
    expect((await p.status()).activeFaults).toEqual([]);
  }, 30_000);
});
