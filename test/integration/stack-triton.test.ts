import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, postJson, startService, stopAll, type ServiceProcess } from './stack-process.js';

const infer = (n: number, f = 20, data: unknown = Array.from({ length: n * f }, (_x, i) => (i % 11) / 11)) => ({
  inputs: [{ name: 'input-0', shape: [n, f], datatype: 'FP32', data }],
});

/** A copy of the shipped profile with some fields replaced (a slow, tiny GPU for queue tests). */
function profileWith(dir: string, name: string, patch: (p: any) => void): string {
  const p = JSON.parse(readFileSync('src/stack/profiles/triton-a100-churn.json', 'utf8'));
  patch(p);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(p));
  return file;
}

describe('triton simulator (KServe v2 as Triton serves it)', () => {
  let dir: string;
  let triton: ServiceProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peakready-triton-'));
    triton = await startService('triton');
  });
  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers Triton's server, health, model metadata, readiness and config routes", async () => {
    for (const path of ['/health', '/ready', '/v2/health/live', '/v2/health/ready', '/v2/models/churn-deep/ready']) {
      expect((await fetch(triton.url + path)).status, path).toBe(200);
    }
    expect(await (await fetch(`${triton.url}/v2`)).json()).toMatchObject({ name: 'triton' });
    const meta = await (await fetch(`${triton.url}/v2/models/churn-deep`)).json();
    expect(meta).toMatchObject({ name: 'churn-deep', versions: ['1'], inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 20] }] });
    const config = await (await fetch(`${triton.url}/v2/models/churn-deep/config`)).json();
    expect(config).toMatchObject({ name: 'churn-deep', max_batch_size: 64, dynamic_batching: { preferred_batch_size: [16, 32, 64], max_queue_delay_microseconds: 2000 } });
    expect((await fetch(`${triton.url}/v2/models/nope/config`)).status).toBe(404);
  });

  it('infers probabilities [N,2] and explanation [N,20] whose contributions add up', async () => {
    const r = await postJson(`${triton.url}/v2/models/churn-deep/infer`, { id: 'x', ...infer(3) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_name: 'churn-deep', model_version: '1', id: 'x' });
    const [probs, expl] = r.json.outputs;
    expect(probs).toMatchObject({ name: 'probabilities', shape: [3, 2], datatype: 'FP32' });
    expect(expl).toMatchObject({ name: 'explanation', shape: [3, 20], datatype: 'FP32' });
    // Additive model: p1 = sigmoid(bias + sum of contributions).
    const contrib = expl.data.slice(0, 20).reduce((a: number, b: number) => a + b, 0);
    expect(probs.data[1]).toBeCloseTo(1 / (1 + Math.exp(-(-0.1 + contrib))), 4);
    const only = await postJson(`${triton.url}/v2/models/churn-deep/infer`, { ...infer(1), outputs: [{ name: 'probabilities' }] });
    expect(only.json.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities']);
  });

  it('refuses bad inputs with 400/413 and the error shape', async () => {
    const url = `${triton.url}/v2/models/churn-deep/infer`;
    const cases: Array<[string, unknown, number]> = [
      ['10 features instead of 20', infer(1, 10), 400],
      ['batch over max_batch_size', infer(65), 400],
      ['"NaN"', infer(1, 20, [...Array(19).fill(0.5), 'NaN']), 400],
      ['null', infer(1, 20, [...Array(19).fill(0.5), null]), 400],
      ['unknown output', { ...infer(1), outputs: [{ name: 'logits' }] }, 400],
      ['malformed JSON', '{', 400],
      ['over 1 MiB', JSON.stringify({ x: 'y'.repeat(1_100_000) }), 413],
    ];
    for (const [name, body, status] of cases) {
      const r = await postJson(url, body);
      expect(r.status, name).toBe(status);
      expect(typeof r.json.error?.code, name).toBe('string');
    }
    expect((await fetch(`${triton.url}/health`)).status).toBe(200);
  });

  it('batches concurrent requests dynamically (fewer executions than requests)', async () => {
    const file = profileWith(dir, 'batching.json', (p) => {
      p.max_batch_size = 8;
      p.dynamic_batching.preferred_batch_size = [8];
      p.dynamic_batching.max_queue_delay_microseconds = 100_000;
      p.instance_group.count = 1;
    });
    const s = await startService('triton', ['--profile', file]);
    const results = await Promise.all(Array.from({ length: 8 }, () => postJson(`${s.url}/v2/models/churn-deep/infer`, infer(1))));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(text, 'nv_inference_count', 'model="churn-deep"')).toBe(8);
    expect(metricValue(text, 'nv_inference_exec_count', 'model="churn-deep"')).toBeLessThanOrEqual(2);
    expect(metricValue(text, 'nv_inference_request_success', 'model="churn-deep"')).toBe(8);
  });

  it('answers 503 once its bounded queue is full, and counts the failures', async () => {
    const file = profileWith(dir, 'tiny-queue.json', (p) => {
      p.max_batch_size = 1;
      p.dynamic_batching.preferred_batch_size = [1];
      p.dynamic_batching.max_queue_delay_microseconds = 0;
      p.dynamic_batching.default_queue_policy.max_queue_size = 2;
      p.instance_group.count = 1;
      p.latency = { overhead_us: 300_000, per_item_us: 0, exponent: 1 };
    });
    const s = await startService('triton', ['--profile', file]);
    // One executes, two wait, the rest find the queue full.
    const results = await Promise.all(Array.from({ length: 6 }, () => postJson(`${s.url}/v2/models/churn-deep/infer`, infer(1))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 503, 503, 503]);
    expect(results.find((r) => r.status === 503)!.json.error.code).toBe('queue_full');
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(text, 'nv_inference_request_failure', 'model="churn-deep"')).toBe(3);
  });

  it("exposes Triton's metric names with its labels", async () => {
    await postJson(`${triton.url}/v2/models/churn-deep/infer`, infer(4));
    const text = await (await fetch(`${triton.url}/metrics`)).text();
    for (const name of ['nv_inference_request_success', 'nv_inference_request_failure', 'nv_inference_queue_duration_us', 'nv_inference_compute_infer_duration_us', 'nv_inference_count', 'nv_inference_exec_count', 'nv_gpu_utilization']) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(/nv_gpu_utilization\{gpu_uuid="GPU-[^"]+"\}/);
    expect(metricValue(text, 'nv_inference_compute_infer_duration_us', 'version="1"')).toBeGreaterThan(0);
  });
});
