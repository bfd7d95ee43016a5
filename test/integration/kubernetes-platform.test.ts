/**
 * What only a fake API server on loopback can show about the kubernetes platform: the
 * mapping of recorded HPA, Rollout and pod watch streams (an HPA scaling, a pod
 * restarting) to platform events, and the port-forward framing to Prometheus and the
 * gateway. Apply, readiness, rollout abort, the chaos lifecycle and the opt-in refusals run
 * against the real control plane in test/k8s (make test-k8s).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeardownStack } from '../../src/contract/teardown.js';
import type { PlatformEvent } from '../../src/platforms/platform.js';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import { FakeApiServer, recordedWatch } from '../fixtures/kubernetes/fake-api-server.js';

const NS = 'peakready';

function platform(server: FakeApiServer, extra: Partial<ConstructorParameters<typeof KubernetesPlatform>[0]> = {}): KubernetesPlatform {
  return new KubernetesPlatform({
    context: 'kind-peakready',
    namespace: NS,
    overlay: 'kind',
    kubeConfig: server.kubeConfig(),
    gatewayUrl: 'http://127.0.0.1:1',
    prometheusUrl: 'http://127.0.0.1:2',
    pollMs: 50,
    readyTimeoutMs: 5_000,
    ...extra,
  });
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kubernetes platform: watch streams to platform events', () => {
  const server = new FakeApiServer({ autoReady: true });
  let p: KubernetesPlatform;
  const events: PlatformEvent[] = [];

  beforeAll(async () => {
    await server.start();
    server.replay(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`, recordedWatch('watch-hpa.ndjson'));
    server.replay(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`, recordedWatch('watch-rollout.ndjson'));
    server.replay(`/api/v1/namespaces/${NS}/pods`, recordedWatch('watch-pods.ndjson'));
    p = platform(server);
    p.onEvent((e) => events.push(e));
    await p.startObserver();
  });
  afterAll(async () => {
    await p?.down();
    await server.stop();
  });

  it('turns the HPA, Rollout and pod watch streams into platform events', async () => {
    await until(() => events.some((e) => e.type === 'restart') && events.some((e) => e.type === 'replicas') && events.filter((e) => e.type === 'rollout').length >= 3);
    expect(events.find((e) => e.type === 'replicas')).toMatchObject({ service: 'gateway', from: 2, to: 4, reason: 'the HPA controller was able to update the target scale to 4' });
    const rollout = events.filter((e) => e.type === 'rollout');
    expect(rollout.map((e) => [e.phase, e.weight, e.version])).toEqual([
      ['Healthy', 100, 'v1'],
      ['Paused', 20, 'v2-bad'],
      ['Aborted', 0, 'v2-bad'],
    ]);
    expect(events.find((e) => e.type === 'restart')).toMatchObject({ service: 'triton', replica: 'triton-6b7c9d8f4-x2k9p', restarts: 1 });
    expect(events.find((e) => e.type === 'ready')).toMatchObject({ service: 'triton', ready: false });
    // A live push after the replay arrives too.
    server.push(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`, {
      type: 'MODIFIED',
      object: { ...recordedWatch('watch-hpa.ndjson')[1]!.object, status: { currentReplicas: 7 } },
    });
    await until(() => events.some((e) => e.type === 'replicas' && e.to === 7));
  });

  it('stops watching on down', async () => {
    expect(server.watching(`/api/v1/namespaces/${NS}/pods`)).toBe(1);
    await p.down();
    // The server sees the watch connection close shortly after.
    await until(() => server.watching(`/api/v1/namespaces/${NS}/pods`) === 0);
  });
});

describe('kubernetes platform: Prometheus and the gateway through port-forwards', () => {
  const server = new FakeApiServer({ autoReady: true });
  // Stand-ins for the pods' containers: real HTTP servers on loopback.
  const pods = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url?.startsWith('/api/v1/query') ? JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'peakready' }, value: [1, '1'] }] } }) : JSON.stringify({ status: 'healthy' }));
  });
  const pod = (name: string, app: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app } },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  beforeAll(async () => {
    await server.start();
    await new Promise<void>((r) => pods.listen(0, '127.0.0.1', () => r()));
    const port = (pods.address() as AddressInfo).port;
    server.put(pod('prometheus-5f6d-abcde', 'prometheus'));
    server.put(pod('gateway-7d9f-fghij', 'gateway'));
    server.podPorts.set('prometheus-5f6d-abcde', port);
    server.podPorts.set('gateway-7d9f-fghij', port);
  });
  afterAll(async () => {
    pods.closeAllConnections();
    await new Promise((r) => pods.close(r));
    await server.stop();
  });

  it('queries Prometheus over a forwarded loopback port and closes it on teardown', async () => {
    const teardown = new TeardownStack();
    const p = platform(server, { gatewayUrl: undefined, prometheusUrl: undefined });
    const endpoints = await p.up({ stack: {}, timeScale: 1, runId: 'pf', teardown });
    expect(endpoints.prometheus).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = (await (await fetch(`${endpoints.prometheus}/api/v1/query?query=up`)).json()) as { status: string; data: { result: unknown[] } };
    expect(answer.status).toBe('success');
    expect(answer.data.result).toHaveLength(1);
    expect(await (await fetch(`${endpoints.gateway}/health`)).json()).toEqual({ status: 'healthy' });
    expect(server.requests.filter((r) => r.method === 'UPGRADE').map((r) => [r.path, r.query.get('ports')])).toEqual(
      expect.arrayContaining([
        [`/api/v1/namespaces/${NS}/pods/prometheus-5f6d-abcde/portforward`, '9090'],
        [`/api/v1/namespaces/${NS}/pods/gateway-7d9f-fghij/portforward`, '8080'],
      ]),
    );
    await teardown.unwind();
    await expect(fetch(`${endpoints.prometheus}/api/v1/query?query=up`)).rejects.toThrow();
  });
});
