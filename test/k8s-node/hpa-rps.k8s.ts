/**
 * The seed's third HPA metric on the real node: inference_requests_per_second, the gauge every
 * stack pod exports at /metrics, served per pod as a Pods custom metric by the cluster add-ons
 * node-up.sh starts (a cluster Prometheus scraping every pod's `http` port, prometheus-adapter
 * behind custom.metrics.k8s.io). Traffic from the host to a Deployment of fallback pods through
 * their ClusterIP Service raises the metric; the custom metrics API answers a value per pod;
 * the HPA reads it (ScalingActive, no FailedGetPodsMetric) and scales the Deployment above
 * minReplicas. A missing Prometheus or adapter is a failure, never a skip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { apply, connect, createNamespace, deleteNamespace, eventsOf, rawRequest, until, type TestCluster } from '../k8s/helpers/cluster.js';
import { clusterPrometheus, realNode, stackServiceWorkload, type RealNode } from './helpers/real-node.js';

const METRIC = 'inference_requests_per_second';
const APP = 'fallback';
const MODEL = 'churn-fallback';
const MIN_REPLICAS = 1;
const MAX_REPLICAS = 3;
/** Requests per second the host sends in all: far above TARGET per pod at MAX_REPLICAS. */
const LOAD_RPS = 40;
const TARGET = '5';
/** The load stops by itself after this long, whatever the tests do. */
const LOAD_LIMIT_MS = 240_000;

/** GET of an API path with the test cluster's credentials: what `kubectl get --raw PATH` prints, parsed. */
async function getRaw(c: TestCluster, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await rawRequest(c, 'GET', path);
  try {
    return { status: r.status, body: JSON.parse(r.text) as Record<string, unknown> };
  } catch {
    return { status: r.status, body: { message: r.text } };
  }
}

/** A Kubernetes quantity as a number ("12", "12500m", "1.5k"). */
function quantity(q: string | number | undefined): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)(m|k|M|G)?$/.exec(q ?? '');
  if (!m) return Number.NaN;
  const scale = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * scale;
}

/** An item of custom.metrics.k8s.io/v1beta1's MetricValueList. */
interface MetricValue {
  describedObject: { kind: string; name: string; namespace: string };
  metricName: string;
  value: string;
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;

describe('the HPA on inference_requests_per_second (cluster Prometheus + prometheus-adapter)', () => {
  let c: TestCluster;
  let node: RealNode;
  let prometheus: string;
  let ns: string;
  let load: { stop: () => Promise<{ sent: number; ok: number }> } | undefined;
  let loadStarted = 0;

  const pods = async () =>
    (await c.core.listNamespacedPod({ namespace: ns, labelSelector: `app=${APP}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const readHpa = () => c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: APP, namespace: ns });
  const describeHpa = async () => {
    const h = await readHpa();
    return `status ${JSON.stringify({ currentReplicas: h.status?.currentReplicas, desiredReplicas: h.status?.desiredReplicas, currentMetrics: h.status?.currentMetrics, conditions: h.status?.conditions?.map((x) => `${x.type}=${x.status} ${x.reason}: ${x.message}`) })} events: ${(await eventsOf(c, ns, APP)).join('; ')}`;
  };
  const metricValues = async (): Promise<MetricValue[]> => {
    const r = await getRaw(c, `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${ns}/pods/*/${METRIC}`);
    if (r.status !== 200) throw new Error(`custom metrics API answered ${r.status}: ${String(r.body.message ?? JSON.stringify(r.body))}`);
    return (r.body.items ?? []) as MetricValue[];
  };

  /** LOAD_RPS predictions a second to the Service's ClusterIP from the host, until stopped or LOAD_LIMIT_MS. */
  function startLoad(url: string): { stop: () => Promise<{ sent: number; ok: number }> } {
    const body = JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 10], datatype: 'FP32', data: Array.from({ length: 10 }, (_, i) => (i + 1) / 13) }] });
    let sent = 0;
    let ok = 0;
    const inflight = new Set<Promise<void>>();
    const deadline = Date.now() + LOAD_LIMIT_MS;
    const timer = setInterval(() => {
      if (Date.now() > deadline) return void clearInterval(timer);
      sent++;
      const p: Promise<void> = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 200) ok++;
        })
        .catch(() => undefined)
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }, 1000 / LOAD_RPS);
    return {
      stop: async () => {
        clearInterval(timer);
        await Promise.all([...inflight]);
        return { sent, ok };
      },
    };
  }

  beforeAll(async () => {
    node = realNode();
    prometheus = clusterPrometheus();
    c = connect();
    ns = await createNamespace(c, 'hpa-rps');
  });

  afterAll(async () => {
    await load?.stop();
    if (c) await deleteNamespace(c, ns);
  });

  it('runs fallback pods on the real node behind a ClusterIP Service, with an HPA on the Pods metric', async () => {
    // deploy/base/fallback.yaml's container (same arguments, port and probe paths), with small
    // requests so that MAX_REPLICAS fit on the node beside the other tests' pods.
    const { deployment: d, service: svc } = stackServiceWorkload(ns, APP, { replicas: MIN_REPLICAS, resources: { requests: { cpu: '50m', memory: '64Mi' } } });
    // The seed's Pods metric (deploy/base/hpa.yaml) with a small target, alone: CPU and memory
    // would scale too and hide whether this metric works.
    const hpa: V2HorizontalPodAutoscaler = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: APP, namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: APP },
        minReplicas: MIN_REPLICAS,
        maxReplicas: MAX_REPLICAS,
        metrics: [{ type: 'Pods', pods: { metric: { name: METRIC }, target: { type: 'AverageValue', averageValue: TARGET } } }],
      },
    };
    await apply(c, d);
    await apply(c, svc);
    await apply(c, hpa);
    const pod = await until('a fallback pod Ready on the real node', async () => (await pods()).find(isReady), {
      timeoutMs: 120_000,
      describe: async () => {
        const p = (await pods())[0];
        return p ? `${JSON.stringify(p.status?.containerStatuses)} events: ${(await eventsOf(c, ns, p.metadata?.name ?? '')).join('; ')}` : 'no pod';
      },
    });
    expect(pod.spec?.nodeName).toBe(node.name);
    // The Service answers from the host through kube-proxy before the load starts.
    const clusterIP = (await c.core.readNamespacedService({ name: APP, namespace: ns })).spec?.clusterIP;
    const url = `http://${clusterIP}:8080/v2/models/${MODEL}/infer`;
    await until('a prediction through the ClusterIP', async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 10], datatype: 'FP32', data: Array(10).fill(0.5) }] }), signal: AbortSignal.timeout(2000) });
      return res.status === 200;
    });
    load = startLoad(url);
    loadStarted = Date.now();
  }, 180_000);

  it('traffic raises the gauge that the cluster Prometheus scrapes from each pod, labelled namespace and pod', async () => {
    const series = await until(
      `${METRIC} of ${ns} above 0 in the cluster Prometheus`,
      async () => {
        const q = encodeURIComponent(`${METRIC}{namespace="${ns}"} > 0`);
        const json = (await (await fetch(`${prometheus}/api/v1/query?query=${q}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        return json.data.result.length > 0 ? json.data.result : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const names = new Set((await pods()).map((p) => p.metadata?.name));
    for (const s of series) {
      expect(s.metric).toMatchObject({ namespace: ns, service: APP });
      expect(names.has(s.metric.pod)).toBe(true);
      expect(Number(s.value[1])).toBeGreaterThan(0);
    }
  }, 90_000);

  it('the custom metrics API answers a value for each pod (kubectl get --raw .../pods/*/inference_requests_per_second)', async () => {
    const items = await until(
      `a non-zero ${METRIC} for every Ready pod from custom.metrics.k8s.io`,
      async () => {
        const ready = (await pods()).filter(isReady).map((p) => p.metadata?.name ?? '');
        const values = await metricValues();
        const byPod = new Map(values.map((v) => [v.describedObject.name, quantity(v.value)]));
        return ready.length > 0 && ready.every((n) => (byPod.get(n) ?? 0) > 0) ? values : undefined;
      },
      { timeoutMs: 90_000, describe: async () => JSON.stringify(await metricValues()) },
    );
    for (const v of items) {
      expect(v.describedObject).toMatchObject({ kind: 'Pod', namespace: ns });
      expect(v.metricName).toBe(METRIC);
      expect(quantity(v.value)).toBeGreaterThan(0);
    }
  }, 120_000);

  it('the HPA reads the Pods metric (ScalingActive, no FailedGetPodsMetric) and scales the Deployment above minReplicas', async () => {
    const scaled = await until(
      `the HPA to scale ${APP} above ${MIN_REPLICAS} on ${METRIC}`,
      async () => {
        const h = await readHpa();
        return (h.status?.desiredReplicas ?? 0) > MIN_REPLICAS && (h.status?.currentReplicas ?? 0) > MIN_REPLICAS ? h : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000, describe: describeHpa },
    );
    const scaleSeconds = (Date.now() - loadStarted) / 1000;
    const conditions = Object.fromEntries((scaled.status?.conditions ?? []).map((x) => [x.type, x]));
    expect(conditions.ScalingActive?.status, JSON.stringify(conditions.ScalingActive)).toBe('True');
    expect(conditions.ScalingActive?.reason).not.toBe('FailedGetPodsMetric');
    expect(conditions.AbleToScale?.status).toBe('True');
    const current = scaled.status?.currentMetrics?.find((m) => m.type === 'Pods');
    expect(current?.pods?.metric.name).toBe(METRIC);
    expect(quantity(current?.pods?.current.averageValue)).toBeGreaterThan(Number(TARGET));
    // The scale reaches the Deployment, and its new pods run on the real node.
    const dep = await c.apps.readNamespacedDeployment({ name: APP, namespace: ns });
    expect(dep.spec?.replicas).toBeGreaterThan(MIN_REPLICAS);
    expect(dep.spec?.replicas).toBeLessThanOrEqual(MAX_REPLICAS);
    const ready = await until(`more than ${MIN_REPLICAS} ${APP} pods Ready`, async () => {
      const r = (await pods()).filter(isReady);
      return r.length > MIN_REPLICAS ? r : undefined;
    }, { timeoutMs: 90_000 });
    for (const p of ready) expect(p.spec?.nodeName).toBe(node.name);
    console.info(`[hpa-rps] scaled to ${dep.spec?.replicas} replicas ${scaleSeconds.toFixed(1)} s after the load started; current ${METRIC} ${current?.pods?.current.averageValue} per pod (target ${TARGET}); HPA ${await describeHpa()}`);
  }, 240_000);

  it('the scaled pods get their own value from the custom metrics API too, and the load was served', async () => {
    await until(
      `a value of ${METRIC} for every Ready pod after scaling`,
      async () => {
        const ready = (await pods()).filter(isReady).map((p) => p.metadata?.name ?? '');
        const got = new Set((await metricValues()).map((v) => v.describedObject.name));
        return ready.length > MIN_REPLICAS && ready.every((n) => got.has(n)) ? true : undefined;
      },
      { timeoutMs: 60_000, describe: async () => JSON.stringify(await metricValues()) },
    );
    const h = await readHpa();
    expect(h.status?.conditions?.find((x) => x.type === 'ScalingActive')?.status).toBe('True');
    const served = await load!.stop();
    load = undefined;
    expect(served.ok).toBeGreaterThan(0);
    expect(served.ok / served.sent).toBeGreaterThan(0.9);
  }, 90_000);
});
