/**
 * The kubernetes platform against a replaying fake API server on loopback (recorded
 * discovery, Events and watch streams): apply, wait, observe, chaos lifecycle, refusals.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../src/errors.js';
import { TeardownStack } from '../../src/runner/teardown.js';
import type { PlatformEvent } from '../../src/platforms/platform.js';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';
import { FakeApiServer, recorded, recordedWatch } from '../fixtures/kubernetes/fake-api-server.js';

const NS = 'peakready';
const latency: ResolvedFault = { id: 'slow-tabular', kind: 'latency', target: 'tabular', atMs: 0, durationMs: 60_000, params: { latency: '300ms', jitter: '50ms' } };

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

describe('kubernetes platform: apply, observe, versions and chaos on a healthy cluster', () => {
  const server = new FakeApiServer({ autoReady: true });
  const teardown = new TeardownStack();
  let p: KubernetesPlatform;
  const events: PlatformEvent[] = [];

  beforeAll(async () => {
    await server.start();
    server.replay(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`, recordedWatch('watch-hpa.ndjson'));
    server.replay(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`, recordedWatch('watch-rollout.ndjson'));
    server.replay(`/api/v1/namespaces/${NS}/pods`, recordedWatch('watch-pods.ndjson'));
    p = platform(server);
    p.onEvent((e) => events.push(e));
  });
  afterAll(async () => {
    await teardown.unwind();
    await server.stop();
  });

  it('server-side applies the whole kind overlay with field manager peakready, namespace first, pauses time-scaled', async () => {
    const endpoints = await p.up({ stack: { replicas: { gateway: 3 } }, timeScale: 0.01, runId: 'run-42', teardown });
    expect(endpoints.gateway).toBe('http://127.0.0.1:1');
    expect(endpoints.prometheus).toBe('http://127.0.0.1:2');
    const applies = server.requests.filter((r) => r.method === 'PATCH' && r.contentType === 'application/apply-patch+yaml');
    expect(applies).toHaveLength(32);
    expect(applies.every((r) => r.query.get('fieldManager') === 'peakready' && r.query.get('force') === 'false')).toBe(true);
    expect(applies[0]!.path).toBe(`/api/v1/namespaces/${NS}`);
    expect(server.get('Deployment', 'gateway', NS)?.spec.replicas).toBe(3);
    const steps = server.get('Rollout', 'tabular', NS)?.spec.strategy.canary.steps as { pause?: { duration: string } }[];
    // 10m × 0.01 = 6s
    expect(steps.filter((s) => s.pause).map((s) => s.pause!.duration)).toEqual(['6s', '6s', '6s', '6s']);
    expect(server.get('AnalysisTemplate', 'model-accuracy-check', NS)?.spec.metrics[0].interval).toBe('3s');
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

  it('rolls a model version out through the Rollout and reverts it', async () => {
    const revert = await p.deployVersion('tabular', 'v2-bad');
    const ro = () => server.get('Rollout', 'tabular', NS)!;
    expect(ro().spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'MODEL_VERSION').value).toBe('v2-bad');
    expect(ro().metadata.labels['peakready.io/model-version']).toBe('v2-bad');
    await revert();
    expect(ro().spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'MODEL_VERSION').value).toBe('v1');
    await expect(p.deployVersion('gateway', 'v2')).rejects.toThrow(/not one/);
  });

  it('creates a namespaced, labelled, time-bounded NetworkChaos for a latency fault and deletes it on revert', async () => {
    const revert = await p.inject(latency);
    const [chaos] = server.list('NetworkChaos', NS);
    expect(chaos).toBeDefined();
    expect(chaos!.metadata.labels['peakready.io/run-id']).toBe('run-42');
    expect(chaos!.spec).toMatchObject({ action: 'delay', duration: '60s', delay: { latency: '300ms', jitter: '50ms' }, selector: { namespaces: [NS], labelSelectors: { app: 'tabular' } } });
    expect((await p.status()).activeFaults.map((f) => f.id)).toEqual(['slow-tabular']);
    await revert();
    expect(server.list('NetworkChaos', NS)).toHaveLength(0);
    expect((await p.status()).activeFaults).toHaveLength(0);
    await revert(); // idempotent
  });

  it('deletes chaos left running and the whole stack when the teardown stack unwinds', async () => {
    await p.inject({ ...latency, id: 'kill-triton', kind: 'kill-replica', target: 'triton', durationMs: 0, params: {} });
    expect(server.list('PodChaos', NS)).toHaveLength(1);
    expect(server.list('PodChaos', NS)[0]!.spec.duration).toBe('1s');
    const errors = await teardown.unwind();
    expect(errors).toEqual([]);
    expect(server.list('PodChaos', NS)).toHaveLength(0);
    expect(server.list('Deployment', NS)).toHaveLength(0);
    expect(server.list('Rollout', NS)).toHaveLength(0);
    expect(server.watching(`/api/v1/namespaces/${NS}/pods`)).toBe(0);
  });
});

describe('kubernetes platform: readiness timeout', () => {
  const recordedStuck = recorded<{ status: Record<string, unknown>; events: { items: Record<string, any>[] } }>('gateway-unavailable.json');
  const server = new FakeApiServer({ autoReady: true, stuck: { gateway: recordedStuck.status } });
  beforeAll(async () => {
    await server.start();
    for (const e of recordedStuck.events.items) server.put({ apiVersion: 'v1', kind: 'Event', ...e });
  });
  afterAll(() => server.stop());

  it('names the unready object, its conditions and its latest Events, and still tears down', async () => {
    const teardown = new TeardownStack();
    const p = platform(server, { readyTimeoutMs: 600 });
    const err = await p.up({ stack: {}, timeScale: 1, runId: 'run-t', teardown }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeakreadyError);
    const e = err as PeakreadyError;
    expect(e.code).toBe('ENVIRONMENT');
    expect(e.message).toBe('not ready after 1s: Deployment/gateway');
    expect(e.problems).toContain('Deployment/gateway: 0/2 replicas ready, 2 updated, 0 available');
    expect(e.problems).toContain('  condition Available=False (MinimumReplicasUnavailable): Deployment does not have minimum availability.');
    expect(e.problems[e.problems.length - 2]).toMatch(/^ {2}event Warning FailedCreatePodSandBox: Back-off pulling image "peakready\/stack:dev"/);
    expect(teardown.size).toBe(1);
    await teardown.unwind();
    expect(server.list('Deployment', NS)).toHaveLength(0);
  });
});

describe('kubernetes platform: refusals', () => {
  const server = new FakeApiServer({ autoReady: true });
  beforeAll(async () => {
    await server.start();
    server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } });
  });
  afterEach(() => server.requests.splice(0));
  afterAll(() => server.stop());

  it('refuses to inject chaos in a namespace without peakready.io/chaos=enabled and sends no write', async () => {
    const p = platform(server, { namespace: 'team-a' });
    const err = (await p.inject(latency).catch((e: unknown) => e)) as PeakreadyError;
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/namespace team-a has not opted in .*peakready\.io\/chaos=enabled/);
    expect(err.hint).toBe('kubectl label namespace team-a peakready.io/chaos=enabled');
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(server.list('NetworkChaos')).toHaveLength(0);
  });

  it('refuses to deploy the stack into that namespace', async () => {
    const p = platform(server, { namespace: 'team-a' });
    await expect(p.up({ stack: {}, timeScale: 1, runId: 'r', teardown: new TeardownStack() })).rejects.toThrow(/has not opted in/);
    expect(server.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('refuses a missing --context and any context the kubeconfig does not name', () => {
    expect(() => platform(server, { context: undefined })).toThrow(/--context: required .*current context is "production"/);
    expect(() => platform(server, { context: 'gke-prod' })).toThrow(/no context "gke-prod"/);
    expect(platform(server).kc.getCurrentContext()).toBe('kind-peakready');
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
