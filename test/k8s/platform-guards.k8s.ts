/**
 * The kubernetes platform's safety rules against the real API server: it acts only in
 * the kubeconfig context the user names, and only in namespaces labelled
 * peakready.io/chaos=enabled; a refusal changes nothing in the cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../src/contract/errors.js';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';
import { connect, createNamespace, deleteNamespace, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let unlabelled: string;

const kill: ResolvedFault = { id: 'kill-one', kind: 'kill-replica', target: 'fallback', atMs: 0, durationMs: 30_000, params: { count: 1 } };

function platform(namespace: string, context = c.context): KubernetesPlatform {
  return new KubernetesPlatform({ context, namespace, overlay: 'kind', kubeConfig: c.kc, gatewayUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:2', readyTimeoutMs: 60_000 });
}

async function rejection(p: Promise<unknown>): Promise<PeakreadyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').toBeInstanceOf(PeakreadyError);
  return err as PeakreadyError;
}

beforeAll(async () => {
  c = connect();
  unlabelled = await createNamespace(c, 'no-opt-in', false);
});
afterAll(async () => {
  if (c) await deleteNamespace(c, unlabelled);
});

describe('kubernetes platform guards', () => {
  it('refuses to deploy into a namespace without the opt-in label, and creates nothing there', async () => {
    const teardown = new TeardownStack();
    const err = await rejection(platform(unlabelled).up({ stack: {}, timeScale: 0.01, runId: 'guard', teardown }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(`namespace ${unlabelled} has not opted in`);
    expect(err.message).toContain('peakready.io/chaos=enabled');
    await teardown.unwind();
    const deployments = await c.apps.listNamespacedDeployment({ namespace: unlabelled });
    const ns = await c.core.readNamespace({ name: unlabelled });
    expect(deployments.items).toHaveLength(0);
    expect(ns.metadata?.labels?.['peakready.io/chaos']).toBeUndefined();
  });

  it('refuses to inject a fault into a namespace without the opt-in label', async () => {
    const err = await rejection(platform(unlabelled).inject(kill));
    expect(err.message).toContain('has not opted in');
    const chaos = (await c.custom.listNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: unlabelled, plural: 'podchaos' })) as { items: unknown[] };
    expect(chaos.items).toHaveLength(0);
  });

  it('refuses a context the kubeconfig does not name, listing the ones it has', () => {
    expect(() => platform(unlabelled, 'gke_prod_europe-west1_serving')).toThrow(/no context "gke_prod_europe-west1_serving"/);
    expect(() => platform(unlabelled, 'gke_prod_europe-west1_serving')).toThrow(PeakreadyError);
  });

  it('refuses when no context is named at all', () => {
    expect(() => new KubernetesPlatform({ context: undefined, namespace: unlabelled, overlay: 'kind', kubeConfig: c.kc })).toThrow(/--context: required/);
  });
});
