/**
 * The gateway's tabular routes end to end with real processes: tabular v1 (stable), tabular
 * v2-bad (canary), fallback, Debian's redis-server. Covers the protocol of every route, the
 * cache (hit on repeat, still serving with Redis stopped), canary split, probes, metrics and
 * every bad input of the issue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessGroup, features, metric, post, type Proc } from './gateway-processes.js';

const group = new ProcessGroup();
let redis: Proc;
let stable: Proc;
let canary: Proc;
let fallback: Proc;
let gateway: Proc;

beforeAll(async () => {
  const ready = { readyPath: '/v2/health/ready' };
  [redis, stable, canary, fallback] = await Promise.all([
    group.redis(),
    group.service('tabular', ['--version', 'v1'], ready),
    group.service('tabular', ['--version', 'v2-bad'], { ...ready, name: 'tabular-canary' }),
    group.service('fallback', [], ready),
  ]);
  gateway = await group.service(
    'gateway',
    ['--tabular-url', stable.url, '--fallback-url', fallback.url, '--redis-url', redis.url, '--max-batch', '50'],
    { readyPath: '/ready' },
  );
  // The gateway is ready before its Redis connection is (the cache is optional: readiness does
  // not wait for it), and a lookup before the connection answers x-cache: error. Wait until a
  // lookup reaches Redis, with features no test uses, so the first test sees a real miss.
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const probe = await post(`${gateway.url}/api/v1/predict`, { features: features(9_999) });
    if (probe.headers.get('x-cache') !== 'error') break;
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(() => group.stopAll());

const api = (path: string) => `${gateway.url}${path}`;

describe('gateway routes with real tabular, fallback and Redis', () => {
  it('POST /api/v1/predict answers the primary with prediction, probabilities and model headers', async () => {
    const r = await post(api('/api/v1/predict'), { features: features(1), options: { return_probabilities: true } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_type: 'primary', model_version: 'v1', reason: 'ok' });
    expect([0, 1]).toContain(r.json.prediction);
    const p = r.json.probabilities as number[];
    expect(p).toHaveLength(2);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 4);
    expect(r.headers.get('x-model-type')).toBe('primary');
    expect(r.headers.get('x-model-version')).toBe('v1');
    expect(r.headers.get('x-cache')).toBe('miss');
  });

  it('a repeated request is a cache hit with the same answer', async () => {
    const body = { features: features(2), options: { return_probabilities: true } };
    const first = await post(api('/api/v1/predict'), body);
    // Same input, keys in another order: the canonical key must match.
    const again = await post(api('/api/v1/predict'), { options: { return_probabilities: true }, features: features(2) });
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(again.json).toMatchObject({ prediction: first.json.prediction, probabilities: first.json.probabilities, model_type: 'primary', reason: 'cache' });
    expect(await metric(gateway.url, 'gateway_cache_requests_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    // A caller asking for a fresh answer bypasses the lookup.
    const fresh = await fetch(api('/api/v1/predict'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
      body: JSON.stringify(body),
    });
    expect(fresh.headers.get('x-cache')).toBe('bypass');
    expect(((await fresh.json()) as Record<string, unknown>).reason).toBe('ok');
  });

  it('POST /api/v1/predict/batch answers N predictions with one infer', async () => {
    const instances = Array.from({ length: 12 }, (_, i) => ({ features: features(100 + i) }));
    const r = await post(api('/api/v1/predict/batch'), { instances });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_type: 'primary', model_version: 'v1', reason: 'ok' });
    expect(r.json.prediction as number[]).toHaveLength(12);
    expect(r.json.probabilities as number[][]).toHaveLength(12);
  });

  it('refuses every bad input with its 4xx and the error shape, never a 500', async () => {
    const ten = features(3);
    const cases: [string, unknown, number][] = [
      ['/api/v1/predict', { features: ten.slice(0, 9) }, 400],
      ['/api/v1/predict', { features: [...ten.slice(0, 9), 'abc'] }, 400],
      ['/api/v1/predict', { features: [...ten.slice(0, 9), 'NaN'] }, 400],
      ['/api/v1/predict', { features: [...ten.slice(0, 9), null] }, 400],
      ['/api/v1/predict', '{"features": [1,2,', 400],
      ['/api/v1/predict', '', 400],
      ['/api/v1/predict', JSON.stringify({ features: ten, pad: 'x'.repeat(1024 * 1024) }), 413],
      ['/api/v1/predict/detailed', { features: ten }, 400],
      ['/api/v1/predict/batch', { instances: [] }, 400],
      ['/api/v1/predict/batch', { instances: Array.from({ length: 51 }, () => ({ features: ten })) }, 413],
      ['/api/v1/predict/batch', { instances: [{ features: ten }, { features: [1] }] }, 400],
      ['/api/v1/generate', { prompt: 'hello', max_tokens: 257 }, 400],
      ['/api/v1/generate', { prompt: '' }, 400],
    ];
    for (const [path, body, status] of cases) {
      const r = await post(api(path), body);
      expect({ path, body: String(JSON.stringify(body)).slice(0, 60), status: r.status }).toEqual({ path, body: String(JSON.stringify(body)).slice(0, 60), status });
      expect(r.json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(await metric(gateway.url, 'model_prediction_errors_total{model="churn",version="none",error_type="invalid_input"}')).toBeGreaterThanOrEqual(10);
    const health = await fetch(api('/health'));
    expect(health.status).toBe(200);
  });

  it('canary weight 100 sends answers to the canary version, weight 0 back to stable', async () => {
    const set = (weight: number) => post(api('/admin/canary'), { upstream: 'tabular', canaryUrl: canary.url, weight });
    expect((await set(100)).json).toMatchObject({ upstream: 'tabular', canaryUrl: canary.url, weight: 100 });
    for (let i = 0; i < 3; i++) {
      const r = await post(api('/api/v1/predict'), { features: features(2) });
      expect(r.json).toMatchObject({ model_type: 'primary', model_version: 'v2-bad' });
      expect(r.headers.get('x-model-version')).toBe('v2-bad');
    }
    await set(0);
    expect((await post(api('/api/v1/predict'), { features: features(4) })).json.model_version).toBe('v1');
    const got = (await (await fetch(api('/admin/canary'))).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ weight: 0, stableUrl: stable.url });
    expect((await post(api('/admin/canary'), { upstream: 'tabular', canaryUrl: 'ftp://x', weight: 10 })).status).toBe(400);
    expect((await post(api('/admin/canary'), { upstream: 'tabular', weight: 101 })).status).toBe(400);
  });

  it('answers /health, /ready, /startup and the seed /model/status fields', async () => {
    for (const path of ['/health', '/ready', '/startup']) expect((await fetch(api(path))).status).toBe(200);
    const status = (await (await fetch(api('/model/status'))).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ error_rate: 0, using_fallback: false, breakers: { tabular: 'closed' } });
    expect(status.request_count as number).toBeGreaterThan(0);
    expect(typeof status.avg_latency).toBe('number');
  });

  it('/metrics exposes the seed metric names and the gateway series', async () => {
    const text = await (await fetch(api('/metrics'))).text();
    for (const name of [
      'model_prediction_requests_total{model="churn",version="v1"}',
      'model_prediction_latency_seconds_bucket{le="0.01",model="churn",version="v1"}',
      'model_prediction_latency_seconds_bucket{le="10",model="churn",version="v1"}',
      'model_prediction_errors_total{',
      'model_prediction_distribution_bucket{le="0.5",model="churn",version="v1"}',
      'gateway_circuit_breaker_state{upstream="tabular"} 0',
      'gateway_cache_requests_total{result="miss"}',
      'gateway_upstream_requests_total{upstream="tabular",outcome="success"}',
    ]) {
      expect(text).toContain(name);
    }
    // The tabular server exports the model-quality metrics of the seed.
    const tab = await (await fetch(`${stable.url}/metrics`)).text();
    expect(tab).toContain('model_accuracy{');
    expect(tab).toContain('# TYPE model_feature_drift gauge');
  });

  it('keeps answering with Redis stopped: x-cache error, counted in /metrics', async () => {
    const before = await metric(gateway.url, 'gateway_cache_requests_total{result="error"}');
    await group.kill(redis);
    for (let i = 0; i < 3; i++) {
      const r = await post(api('/api/v1/predict'), { features: features(2) });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ model_type: 'primary', reason: 'ok' });
      expect(r.headers.get('x-cache')).toBe('error');
    }
    expect(await metric(gateway.url, 'gateway_cache_requests_total{result="error"}')).toBeGreaterThanOrEqual(before + 3);
    const ready = await fetch(api('/ready'));
    expect(ready.status).toBe(200);
  });
});
