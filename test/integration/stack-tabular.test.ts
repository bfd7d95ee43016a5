import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/stack/models/rng.js';
import { metricValue, postJson, runBuilt, startService, stopAll, waitFor200, type ServiceProcess } from './stack-process.js';

const row10 = (v = 0.4) => Array.from({ length: 10 }, (_x, i) => (v + i * 0.05) % 1);
const infer = (n: number, f = 10, data: unknown = Array.from({ length: n * f }, (_x, i) => (i % 7) / 7)) => ({
  inputs: [{ name: 'input-0', shape: [n, f], datatype: 'FP32', data }],
});

describe('tabular and fallback services (KServe v2)', () => {
  let v1: ServiceProcess;
  let bad: ServiceProcess;
  let fb: ServiceProcess;

  beforeAll(async () => {
    // Train (or find cached) models once, so the three services only read the cache.
    const trained = (await runBuilt('dist/stack/models/train.js')).trim().split('\n').map((l) => JSON.parse(l));
    expect(trained.map((t) => t.model)).toEqual(['v1', 'v2-bad', 'fallback']);
    [v1, bad, fb] = await Promise.all([
      startService('tabular', ['--version', 'v1', '--accuracy-interval-ms', '200', '--max-batch', '64']),
      startService('tabular', ['--version', 'v2-bad']),
      startService('fallback', [], { lifeline: false }),
    ]);
    await Promise.all([v1, bad, fb].map((s) => waitFor200(`${s.url}/ready`)));
  });
  afterAll(stopAll);

  it('answers the v2 health, metadata and readiness routes', async () => {
    for (const path of ['/health', '/ready', '/v2/health/live', '/v2/health/ready', '/v2/models/churn/ready']) {
      expect((await fetch(v1.url + path)).status, path).toBe(200);
    }
    const meta = (await (await fetch(`${v1.url}/v2/models/churn`)).json()) as any;
    expect(meta).toMatchObject({ name: 'churn', versions: ['v1'], inputs: [{ name: 'input-0', shape: [-1, 10] }] });
    expect(meta.outputs.map((o: { name: string }) => o.name)).toEqual(['predict', 'predict_proba']);
    expect((await fetch(`${fb.url}/v2/models/churn-fallback`)).status).toBe(200);
    expect((await fetch(`${v1.url}/v2/models/other`)).status).toBe(404);
  });

  it('predicts a flat or nested [N,10] batch with predict and predict_proba outputs', async () => {
    const flat = await postJson(`${v1.url}/v2/models/churn/infer`, { id: 'req-1', ...infer(3) });
    expect(flat.status).toBe(200);
    expect(flat.json).toMatchObject({ model_name: 'churn', model_version: 'v1', id: 'req-1' });
    const [predict, proba] = flat.json.outputs;
    expect(predict).toMatchObject({ name: 'predict', shape: [3], datatype: 'INT64' });
    expect(predict.data.every((v: number) => v === 0 || v === 1)).toBe(true);
    expect(proba).toMatchObject({ name: 'predict_proba', shape: [3, 2], datatype: 'FP32' });
    for (let i = 0; i < 3; i++) {
      expect(proba.data[2 * i] + proba.data[2 * i + 1]).toBeCloseTo(1, 5);
      expect(predict.data[i]).toBe(proba.data[2 * i + 1] >= 0.5 ? 1 : 0);
    }
    const nested = await postJson(`${fb.url}/v2/models/churn-fallback/infer`, infer(2, 10, [row10(0.1), row10(0.7)]));
    expect(nested.status).toBe(200);
    expect(nested.json.model_name).toBe('churn-fallback');
    expect(nested.json.outputs[0].shape).toEqual([2]);
    // A high-risk row (long tenure, heavy usage) is churn for the forest.
    const risky = await postJson(`${v1.url}/v2/models/churn/versions/v1/infer`, infer(1, 10, [0.9, 0.9, 0.1, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1]));
    expect(risky.json.outputs[0].data).toEqual([1]);
  });

  it("exports v2-bad's accuracy lower than v1's (model_accuracy gauge)", async () => {
    const acc = async (s: ServiceProcess, version: string) => metricValue(await (await fetch(`${s.url}/metrics`)).text(), 'model_accuracy', `version="${version}"`);
    const good = await acc(v1, 'v1');
    const worse = await acc(bad, 'v2-bad');
    const light = await acc(fb, 'v1');
    expect(good).toBeGreaterThan(0.9);
    expect(worse).toBeLessThan(0.8);
    expect(light).toBeGreaterThan(0.8);
    expect(light).toBeLessThan(good!);
  });

  it('refuses every bad input with its 4xx and the error shape, and stays up', async () => {
    const url = `${v1.url}/v2/models/churn/infer`;
    const cases: Array<[string, unknown, number, string]> = [
      ['wrong feature count', infer(1, 9), 400, 'wrong_feature_count'],
      ['nested row too short', infer(1, 10, [[1, 2, 3]]), 400, 'wrong_feature_count'],
      ['string value', infer(1, 10, [...row10().slice(0, 9), 'abc']), 400, 'invalid_input'],
      ['"NaN" string', infer(1, 10, [...row10().slice(0, 9), 'NaN']), 400, 'invalid_input'],
      ['null value', infer(1, 10, [...row10().slice(0, 9), null]), 400, 'invalid_input'],
      ['data length mismatch', infer(2, 10, row10()), 400, 'invalid_input'],
      ['batch over the limit', infer(65), 400, 'batch_too_large'],
      ['no inputs', { inputs: [] }, 400, 'invalid_input'],
      ['malformed JSON', '{"inputs": [', 400, 'malformed_json'],
      ['body over 1 MiB', JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }), 413, 'payload_too_large'],
    ];
    for (const [name, body, status, code] of cases) {
      const r = await postJson(url, body);
      expect(r.status, name).toBe(status);
      expect(r.json.error, name).toMatchObject({ code });
      expect(typeof r.json.error.message, name).toBe('string');
    }
    // The fallback refuses more than 10 features (the gateway sends the first 10).
    const wide = await postJson(`${fb.url}/v2/models/churn-fallback/infer`, infer(1, 12));
    expect(wide.status).toBe(400);
    expect((await fetch(`${v1.url}/health`)).status).toBe(200);
    const metrics = await (await fetch(`${v1.url}/metrics`)).text();
    expect(metricValue(metrics, 'model_prediction_errors_total', 'error_type="wrong_feature_count"')).toBeGreaterThanOrEqual(2);
  });

  it("exposes the seed's metric names, drift and the HPA / analysis gauges", async () => {
    // 600 seeded uniform rows: with only ~60 the PSI of a matching distribution is
    // sampling noise that crosses 0.25 about one run in eight.
    const rand = mulberry32(2026);
    for (let i = 0; i < 12; i++) await postJson(`${v1.url}/v2/models/churn/infer`, infer(50, 10, Array.from({ length: 500 }, rand)));
    const text = await (await fetch(`${v1.url}/metrics`)).text();
    for (const name of ['model_prediction_requests_total', 'model_prediction_latency_seconds_bucket', 'model_prediction_errors_total', 'model_accuracy', 'model_feature_drift', 'model_prediction_distribution_bucket', 'model_latency_ms', 'inference_requests_per_second']) {
      expect(text, name).toContain(name);
    }
    expect(text).toContain('model_prediction_latency_seconds_bucket{le="0.025",model="churn",version="v1"}');
    expect(metricValue(text, 'inference_requests_per_second', 'model="churn"')).toBeGreaterThan(0);
    expect(metricValue(text, 'model_latency_ms', 'model="churn"')).toBeGreaterThan(0);
    // Uniform inputs like the training data: stable (PSI < 0.1) on every feature.
    for (let f = 0; f < 10; f++) expect(metricValue(text, 'model_feature_drift', `feature="feature_${f}"`), `feature_${f}`).toBeLessThan(0.1);
  });

  it('reports strong drift when inputs leave the training distribution', async () => {
    const s = await startService('fallback');
    await waitFor200(`${s.url}/ready`);
    // 500 rows: the gauge reports from DRIFT_MIN_SAMPLES rows on.
    for (let i = 0; i < 10; i++) await postJson(`${s.url}/v2/models/churn-fallback/infer`, infer(50, 10, Array.from({ length: 500 }, () => 0.95 + Math.random() * 0.04)));
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(text, 'model_feature_drift', 'feature="feature_3"')).toBeGreaterThan(0.25);
  });

  it('exits when its lifeline pipe closes (the harness died)', async () => {
    const s = await startService('fallback', [], { lifeline: true });
    (s.child.stdio[3] as NodeJS.WritableStream & { destroy(): void }).destroy();
    const { code } = await s.exited;
    expect(code).toBe(0);
  });

  it('runs any role through the dispatcher (dist/stack/main.js <role>) and refuses unknown roles', async () => {
    const viaDispatcher = await startService('fallback', [], { dispatcher: true });
    await waitFor200(`${viaDispatcher.url}/v2/models/churn-fallback/ready`);
    const bad = spawnSync(process.execPath, ['dist/stack/main.js', 'mystery'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: main.js <gateway|tabular|fallback|triton|generative>');
  });
});
