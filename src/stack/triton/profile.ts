/**
 * Triton simulator profile: the model's config (batching, instances, queue) and its GPU-like
 * latency curve. compute_us(b) = overhead_us + per_item_us * b^exponent — a fixed kernel-launch
 * and transfer cost plus a sublinear per-item cost (a GPU gets more efficient as batches grow).
 */
import { ProfileReader } from '../common/profile-file.js';

export interface TritonProfile {
  readonly file: string;
  readonly model: string;
  readonly version: string;
  readonly platform: string;
  readonly features: number;
  readonly maxBatchSize: number;
  readonly preferredBatchSizes: readonly number[];
  readonly maxQueueDelayUs: number;
  /** Requests waiting in the scheduler beyond this are refused (503). */
  readonly maxQueueSize: number;
  readonly instanceCount: number;
  readonly overheadUs: number;
  readonly perItemUs: number;
  readonly exponent: number;
  readonly gpuUuid: string;
  readonly sources: readonly string[];
}

export function loadTritonProfile(file: string): TritonProfile {
  const r = ProfileReader.load(file);
  const maxBatchSize = r.number('max_batch_size', { min: 1, int: true });
  const preferred = r.numberList('dynamic_batching.preferred_batch_size', { min: 1, int: true, fallback: [] });
  preferred.forEach((p, i) => {
    if (p > maxBatchSize) throw new Error(`${file}: dynamic_batching.preferred_batch_size.${i}: expected <= max_batch_size ${maxBatchSize}, got ${p}`);
  });
  return {
    file,
    model: r.string('model', 'churn-deep'),
    version: r.string('version', '1'),
    platform: r.string('platform', 'onnxruntime_onnx'),
    features: r.number('features', { min: 1, int: true, fallback: 20 }),
    maxBatchSize,
    preferredBatchSizes: [...preferred].sort((a, b) => a - b),
    maxQueueDelayUs: r.number('dynamic_batching.max_queue_delay_microseconds', { min: 0, int: true, fallback: 0 }),
    maxQueueSize: r.number('dynamic_batching.default_queue_policy.max_queue_size', { min: 1, int: true }),
    instanceCount: r.number('instance_group.count', { min: 1, int: true, fallback: 1 }),
    overheadUs: r.number('latency.overhead_us', { min: 0 }),
    perItemUs: r.number('latency.per_item_us', { min: 0 }),
    exponent: r.number('latency.exponent', { min: 0, max: 1.5, fallback: 1 }),
    gpuUuid: r.string('gpu_uuid', 'GPU-00000000-0000-0000-0000-000000000000'),
    sources: r.sources(),
  };
}

/** Simulated GPU execution time of one batch, microseconds. */
export function computeUs(p: TritonProfile, batch: number): number {
  return p.overheadUs + p.perItemUs * Math.pow(batch, p.exponent);
}
