/**
 * The reference stack on the real node: `peakready deploy` with the kind overlay (as the
 * test overlay runs it: images assembled here, imagePullPolicy Never, placed on the real
 * node) brings every pod to Ready by its own probes; the kubernetes platform then reaches
 * the gateway and Prometheus through their Services (ClusterIP through kube-proxy), not a
 * port-forward to one pod; predictions, streamed generation and Prometheus' scrape of every
 * pod work through them; a killed pod that its ReplicaSet replaces counts as a restart; and
 * teardown removes every pod.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import type { StackEndpoints } from '../../src/platforms/platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import { connect, deleteNamespace, until, type TestCluster } from '../k8s/helpers/cluster.js';
import { peakready, realNode, TEST_OVERLAY, type RealNode } from './helpers/real-node.js';

const WORKLOADS = ['gateway', 'tabular', 'fallback', 'triton', 'generative', 'redis', 'prometheus'];


const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

describe('the reference stack on the real node', () => {
  let c: TestCluster;
  let node: RealNode;
  const ns = `stack-${Date.now().toString(36)}`;
  const teardown = new TeardownStack();
  let platform: KubernetesPlatform;
  let endpoints: StackEndpoints;

  const pods = async () => (await c.core.listNamespacedPod({ namespace: ns })).items.filter((p) => !p.metadata?.deletionTimestamp);

  beforeAll(() => {
    c = connect();
    node = realNode();
  });

  afterAll(async () => {
    await teardown.unwind();
    if (c) await deleteNamespace(c, ns);
  });

  it('peakready deploy brings every workload to Ready on the real node, by its own probes', async () => {
    const r = await peakready(['deploy', '--overlay', TEST_OVERLAY, '--context', c.context, '--namespace', ns, '--ready-timeout', '240s']);
    expect(r.stderr).toContain('all workloads ready');
    expect(r.code).toBe(0);
    const all = await pods();
    for (const w of WORKLOADS) {
      const mine = all.filter((p) => p.metadata?.labels?.app === w);
      expect(mine.filter(isReady).length, `ready pods of ${w}`).toBeGreaterThan(0);
      for (const p of mine.filter(isReady)) {
        // Real containers on the real node: started by containerd from an imported image.
        expect(p.spec?.nodeName).toBe(node.name);
        expect(p.status?.containerStatuses?.[0]?.imageID).toMatch(/sha256:[0-9a-f]{64}/);
        expect(p.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBeTruthy();
      }
    }
  }, 300_000);

  it('the kubernetes platform reaches the gateway and Prometheus through their ClusterIP Services', async () => {
    platform = new KubernetesPlatform({ context: c.context, namespace: ns, overlay: TEST_OVERLAY, kubeConfig: c.kc, readyTimeoutMs: 240_000 });
    endpoints = await platform.up({ stack: {}, timeScale: 1, runId: 'real-node-stack', teardown });
    expect(platform.reachedBy()).toEqual({ gateway: 'cluster-ip', prometheus: 'cluster-ip' });
    const gw = await c.core.readNamespacedService({ name: 'gateway', namespace: ns });
    expect(endpoints.gateway).toBe(`http://${gw.spec?.clusterIP}:8080`);
  }, 300_000);

  it('predictions go through gateway, tabular and Redis: a miss, then the same features hit the cache', async () => {
    const body = JSON.stringify({ features: Array.from({ length: 10 }, (_, i) => (i + 1) / 17) });
    const ask = async () => {
      const res = await fetch(`${endpoints.gateway}/api/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, cache: res.headers.get('x-cache'), type: res.headers.get('x-model-type'), json: (await res.json()) as Record<string, unknown> };
    };
    const first = await ask();
    expect(first).toMatchObject({ status: 200, cache: 'miss', type: 'primary' });
    expect(await ask()).toMatchObject({ status: 200, cache: 'hit' });
  });

  it('streamed generation arrives as server-sent tokens through the Service', async () => {
    const res = await fetch(`${endpoints.gateway}/api/v1/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'gift ideas for the holidays', max_tokens: 16, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    const events = text.split('\n\n').filter((e) => e.startsWith('data: ') && !e.includes('[DONE]'));
    expect(events.length).toBeGreaterThanOrEqual(8);
    expect(text).toContain('data: [DONE]');
  });

  it("Prometheus discovers and scrapes every pod of the stack (Kubernetes service discovery, in-cluster credentials)", async () => {
    const apps = ['gateway', 'tabular', 'fallback', 'triton', 'generative'];
    const up = await until(
      'every app scraped and up',
      async () => {
        const res = await fetch(`${endpoints.prometheus}/api/v1/query?query=${encodeURIComponent('up == 1')}`);
        const json = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
        const seen = new Set(json.data.result.map((r) => r.metric.service ?? ''));
        return apps.every((a) => [...seen].some((s) => s === a)) ? seen : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect([...up]).toEqual(expect.arrayContaining(apps));
    // The predictions above, counted by the tabular pods and scraped (the seed's metric).
    const served = await until(
      'the predictions counted in Prometheus',
      async () => {
        const res = await fetch(`${endpoints.prometheus}/api/v1/query?query=${encodeURIComponent('sum(model_prediction_requests_total{service="tabular"})')}`);
        const v = Number(((await res.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1] ?? 0);
        return v > 0 ? v : undefined;
      },
      { timeoutMs: 45_000 },
    );
    expect(served).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('a killed tabular pod that its ReplicaSet replaces counts as a restart, as a killed local replica does', async () => {
    const before = (await platform.status()).services.find((s) => s.name === 'tabular')!.restarts;
    const victim = (await pods()).find((p) => p.metadata?.labels?.app === 'tabular' && isReady(p))!;
    await c.core.deleteNamespacedPod({ name: victim.metadata!.name!, namespace: ns, gracePeriodSeconds: 0 });
    const after = await until(
      'the replacement counted as a restart',
      async () => {
        const r = (await platform.status()).services.find((s) => s.name === 'tabular')!.restarts;
        return r > before ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(after).toBe(before + 1);
  }, 90_000);

  it('teardown deletes the stack: no pod of it is left on the node', async () => {
    await teardown.unwind();
    await until('every pod of the stack gone', async () => ((await pods()).length === 0 ? true : undefined), { timeoutMs: 120_000 });
    expect(await pods()).toEqual([]);
  }, 150_000);
});
