/**
 * The kubernetes platform (src/platforms/kubernetes) driven through its Platform
 * interface against the real control plane: `up` server-side applies the kind overlay
 * and waits until kwok's fake nodes make everything Ready; a second apply changes
 * nothing; a model version whose analysis fails (Prometheus provider pointed at a
 * loopback fake the test controls) is aborted by Argo Rollouts and reported as a
 * rollback with its timing; a pod-kill fault is created with the run id and deleted.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { K8sObject } from '../../src/contract/k8s-objects.js';
import { applyObjects } from '../../src/platforms/kubernetes/apply.js';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import type { PlatformEvent } from '../../src/platforms/platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';
import { appliedState, connect, createNamespace, deleteNamespace, until, type TestCluster } from './helpers/cluster.js';
import { startFakePrometheus, type FakePrometheus } from './helpers/fake-prometheus.js';

const RUN_ID = 'k8s-kind-run';
let c: TestCluster;
let ns: string;
let p: KubernetesPlatform;
let prom: FakePrometheus;
const teardown = new TeardownStack();
const events: PlatformEvent[] = [];
const controllerRunning = process.env.PEAKREADY_K8S_CHAOS_MESH === '1';

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'kind');
  prom = await startFakePrometheus({ model_accuracy: 0.97, model_latency_ms: 40 });
  p = new KubernetesPlatform({
    context: c.context,
    namespace: ns,
    overlay: 'kind',
    kubeConfig: c.kc,
    // Fake nodes run no containers: nothing to port-forward to.
    gatewayUrl: 'http://127.0.0.1:1',
    prometheusUrl: prom.url,
    readyTimeoutMs: 90_000,
  });
  p.onEvent((e) => events.push(e));
});
afterAll(async () => {
  await teardown.unwind();
  if (c) await deleteNamespace(c, ns);
  await prom?.close();
});

/** The fields the observer reads of a Rollout or ReplicaSet (a recorded fixture stays small and readable). */
function trimmed(o: K8sObject): K8sObject {
  const m = o.metadata as K8sObject['metadata'] & { uid?: string; ownerReferences?: { kind?: string; name?: string; uid?: string; controller?: boolean }[] };
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: m.name,
      ...(m.uid ? { uid: m.uid } : {}),
      ...(m.labels ? { labels: m.labels } : {}),
      ...(m.ownerReferences ? { ownerReferences: m.ownerReferences.map((r) => ({ kind: r.kind, name: r.name, uid: r.uid, controller: r.controller })) } : {}),
    },
    spec: { replicas: (o.spec as { replicas?: number } | undefined)?.replicas },
    status: o.status,
  } as K8sObject;
}

describe('kubernetes platform on the kind overlay', () => {
  it('up applies the overlay server-side and returns once kwok made every workload Ready', async () => {
    const endpoints = await p.up({ stack: {}, timeScale: 0.01, runId: RUN_ID, teardown });
    expect(endpoints.prometheus).toBe(prom.url);
    const status = await p.status();
    const names = status.services.map((s) => s.name).sort();
    expect(names).toEqual(expect.arrayContaining(['fallback', 'gateway', 'generative', 'redis', 'tabular', 'triton']));
    for (const s of status.services) expect(s.ready, `${s.name} ready replicas`).toBe(s.replicas);
    expect(await p.replicas('gateway')).toBeGreaterThan(0);
  });

  it('a second server-side apply of the same manifests is idempotent (nothing of ours changes)', async () => {
    const objects = p.render({ stack: {}, timeScale: 0.01 });
    const first = await applyObjects(p.kc, objects, { force: false });
    const second = await applyObjects(p.kc, objects, { force: false });
    expect(second.length).toBe(objects.length);
    const state = appliedState(second, 'peakready');
    expect(Object.entries(state).filter(([, v]) => v.endsWith('not owned'))).toEqual([]);
    expect(state).toEqual(appliedState(first, 'peakready'));
  });

  it('a version whose analysis fails is aborted by Argo Rollouts, and the platform reports the rollback with its timing', async () => {
    // Point the analysis at the loopback fake Prometheus, and make accuracy bad.
    await c.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
      {
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'analysistemplates',
        name: 'model-accuracy-check',
        body: [{ op: 'replace', path: '/spec/args/1/value', value: prom.url }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    prom.values.set('model_accuracy', 0.42);
    // What Argo reports, as the observer's watches see it: PEAKREADY_RECORD_ARGO=<file> keeps it as a fixture
    // (test/unit/kubernetes/fixtures/argo-abort-stream.json was recorded this way).
    const recorded: { dtMs: number; stream: 'rollouts' | 'replicasets'; type: string; object: K8sObject }[] = [];
    const recordFrom = Date.now();
    const recorders = await Promise.all(
      (['rollouts', 'replicasets'] as const).map((stream) =>
        new Watch(c.kc).watch(
          stream === 'rollouts' ? `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts` : `/apis/apps/v1/namespaces/${ns}/replicasets`,
          {},
          (type: string, o: K8sObject) => {
            if (o.metadata.name === 'tabular' || o.metadata.name.startsWith('tabular-')) recorded.push({ dtMs: Date.now() - recordFrom, stream, type, object: trimmed(o) });
          },
          () => undefined,
        ),
      ),
    );
    teardown.push('stop the recording watches', () => recorders.forEach((r) => r.abort()));
    const started = Date.now();
    const revert = await p.deployVersion('tabular', 'v2');
    teardown.push('restore tabular v1', revert);
    const aborted = await until(
      'a rollout Aborted event for tabular',
      async () => events.find((e): e is Extract<PlatformEvent, { type: 'rollout' }> => e.type === 'rollout' && e.service === 'tabular' && e.phase === 'Aborted' && e.t >= started),
      { timeoutMs: 90_000, describe: async () => JSON.stringify(events.filter((e) => e.type === 'rollout').slice(-5)) },
    );
    const abortMs = aborted.t - started;
    expect(abortMs).toBeGreaterThan(0);
    expect(aborted.version).toBe('v2');
    expect(aborted.message ?? '').toMatch(/model-accuracy/);
    expect(prom.queries.some((q) => q.includes('model_accuracy') && q.includes('v2'))).toBe(true);
    // Rolled back means the canary's pods are gone (no traffic routing: the weight is the pods' share), not only the abort decided.
    const rolledBack = await until('tabular Aborted at weight 0 (the canary ReplicaSet has no available pod)', async () =>
      events.find((e): e is Extract<PlatformEvent, { type: 'rollout' }> => e.type === 'rollout' && e.service === 'tabular' && e.phase === 'Aborted' && e.weight === 0 && e.t >= started),
    );
    expect(rolledBack.t).toBeGreaterThanOrEqual(aborted.t);
    console.info(`[platform-kind] deployVersion v2 -> abort reported after ${abortMs} ms, rolled back (canary pods gone) after ${rolledBack.t - started} ms`);
    if (process.env.PEAKREADY_RECORD_ARGO) writeFileSync(process.env.PEAKREADY_RECORD_ARGO, `${JSON.stringify(recorded, null, 1)}\n`);
    // The revert restores the stable version and the Rollout is Healthy again.
    const reverted = Date.now();
    await revert();
    await until('tabular Healthy on v1 again', async () =>
      events.find((e) => e.type === 'rollout' && e.service === 'tabular' && e.phase === 'Healthy' && e.t >= reverted),
    );
  });

  // A fault nobody confirms is test/k8s/chaos-confirm.k8s.ts's case; here the controller must be there.
  it(
    'a kill-replica fault deletes a pod that the ReplicaSet replaces; being instantaneous, it is over (PodChaos deleted) once Chaos Mesh confirmed it',
    async () => {
      expect(controllerRunning, 'the Chaos Mesh controller is not running (PEAKREADY_K8S_CHAOS_MESH != 1): build it with scripts/k8s/build.sh chaos-mesh').toBe(true);
      const fault: ResolvedFault = { id: 'kill-fallback', kind: 'kill-replica', target: 'fallback', atMs: 0, durationMs: 30_000, params: { count: 1 } };
      const podNames = async (): Promise<string[]> =>
        (await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=fallback' })).items.filter((x) => !x.metadata?.deletionTimestamp).map((x) => x.metadata?.name ?? '');
      const edges: string[] = [];
      const off = p.onEvent((e) => {
        if (e.type === 'fault' && e.id === 'kill-fallback') edges.push(e.edge);
      });
      const before = await podNames();
      const revert = await p.inject(fault);
      // Confirmed (every selected pod injected), then over at once, as on the local platform.
      expect(edges).toEqual(['start', 'end']);
      expect((await p.status()).activeFaults).toHaveLength(0);
      await until('the PodChaos to be gone', async () => {
        const left = (await c.custom.listNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'podchaos' })) as { items: unknown[] };
        return left.items.length === 0 ? true : undefined;
      });
      await until('a fallback pod to be replaced', async () => {
        const now = await podNames();
        return now.length === before.length && now.some((n) => !before.includes(n)) ? now : undefined;
      });
      await revert(); // harmless once over
      expect(edges).toEqual(['start', 'end']);
      off();
    },
  );

  it('down deletes what up applied', async () => {
    await p.down();
    await until('the stack workloads to be gone', async () => {
      const d = await c.apps.listNamespacedDeployment({ namespace: ns });
      return d.items.filter((x) => !x.metadata?.deletionTimestamp).length === 0 ? true : undefined;
    });
  });
});
