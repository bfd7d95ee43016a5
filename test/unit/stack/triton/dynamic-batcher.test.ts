import { describe, expect, it } from 'vitest';
import { DynamicBatcher, QueueFullError } from '../../../../src/stack/triton/dynamic-batcher.js';
import { computeUs, type TritonProfile } from '../../../../src/stack/triton/profile.js';

const base: TritonProfile = {
  file: 'test',
  model: 'churn-deep',
  version: '1',
  platform: 'onnxruntime_onnx',
  features: 20,
  maxBatchSize: 8,
  preferredBatchSizes: [4],
  maxQueueDelayUs: 200_000,
  maxQueueSize: 10,
  instanceCount: 1,
  overheadUs: 5_000,
  perItemUs: 100,
  exponent: 0.5,
  gpuUuid: 'GPU-test',
  sources: ['test'],
};

describe('DynamicBatcher', () => {
  it('runs a preferred batch size at once instead of waiting the max queue delay', async () => {
    const executed: number[] = [];
    const b = new DynamicBatcher(base, (x) => executed.push(x.size));
    const started = Date.now();
    const timings = await Promise.all([1, 1, 1, 1].map((n) => b.submit(n)));
    expect(executed).toEqual([4]);
    expect(timings.every((t) => t.batchSize === 4)).toBe(true);
    expect(Date.now() - started).toBeLessThan(150); // far below the 200 ms max delay
  });

  it('waits up to max_queue_delay for more requests, then runs what it has', async () => {
    const executed: number[] = [];
    const b = new DynamicBatcher({ ...base, maxQueueDelayUs: 60_000 }, (x) => executed.push(x.size));
    const started = Date.now();
    const [t] = await Promise.all([b.submit(1), b.submit(2)]);
    expect(executed).toEqual([3]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(t!.queueUs).toBeGreaterThanOrEqual(50_000);
  });

  it('never exceeds max_batch_size and splits what does not fit', async () => {
    const executed: number[] = [];
    const b = new DynamicBatcher({ ...base, preferredBatchSizes: [], maxQueueDelayUs: 0 }, (x) => executed.push(x.size));
    await Promise.all([5, 5, 3].map((n) => b.submit(n)));
    expect(Math.max(...executed)).toBeLessThanOrEqual(8);
    expect(executed.reduce((a, c) => a + c, 0)).toBe(13);
  });

  it('refuses new requests once max_queue_size are waiting', async () => {
    const b = new DynamicBatcher({ ...base, maxBatchSize: 1, preferredBatchSizes: [], maxQueueDelayUs: 0, maxQueueSize: 2, overheadUs: 50_000 });
    const running = b.submit(1); // executes at once
    const waiting = [b.submit(1), b.submit(1)];
    expect(() => b.submit(1)).toThrow(QueueFullError);
    expect(b.pending).toBe(2);
    await Promise.all([running, ...waiting]);
    expect(b.pending).toBe(0);
  });

  it('has a GPU-like latency curve: fixed overhead plus a sublinear per-item cost', () => {
    const one = computeUs(base, 1);
    const big = computeUs(base, 64);
    expect(one).toBeCloseTo(5_100);
    expect(big).toBeLessThan(one * 2); // 64× the work costs far less than 64× the time
    expect(big / 64).toBeLessThan(one / 10); // per-item cost drops with batching
  });
});
