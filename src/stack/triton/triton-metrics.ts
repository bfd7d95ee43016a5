/**
 * Triton's Prometheus metrics, same names and labels as the real server exposes on :8002
 * (`model`, `version` on nv_inference_*; `gpu_uuid` on nv_gpu_*). Durations are cumulative
 * microsecond counters, as in Triton.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SlidingWindow } from '../common/sliding-window.js';
import type { TritonProfile } from './profile.js';

export class TritonMetrics {
  readonly registry = new Registry();
  private readonly l: { model: string; version: string };
  readonly success: Counter<'model' | 'version'>;
  readonly failure: Counter<'model' | 'version' | 'reason'>;
  readonly queueUs: Counter<'model' | 'version'>;
  readonly computeUs: Counter<'model' | 'version'>;
  readonly requestUs: Counter<'model' | 'version'>;
  readonly inferenceCount: Counter<'model' | 'version'>;
  readonly execCount: Counter<'model' | 'version'>;
  /** Simulated GPU busy time per second, for nv_gpu_utilization. */
  private readonly busy = new SlidingWindow(2);

  constructor(profile: TritonProfile, pending: () => number) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const labelNames = ['model', 'version'] as const;
    this.l = { model: profile.model, version: profile.version };
    const l = this.l;
    this.success = new Counter({ name: 'nv_inference_request_success', help: 'Number of successful inference requests, all batch sizes', labelNames, registers });
    this.failure = new Counter({ name: 'nv_inference_request_failure', help: 'Number of failed inference requests, all batch sizes', labelNames: [...labelNames, 'reason'], registers });
    this.inferenceCount = new Counter({ name: 'nv_inference_count', help: 'Number of inferences performed (does not include cached requests)', labelNames, registers });
    this.execCount = new Counter({ name: 'nv_inference_exec_count', help: 'Number of model executions performed (does not include cached requests)', labelNames, registers });
    this.requestUs = new Counter({ name: 'nv_inference_request_duration_us', help: 'Cumulative inference request duration in microseconds', labelNames, registers });
    this.queueUs = new Counter({ name: 'nv_inference_queue_duration_us', help: 'Cumulative inference queuing duration in microseconds', labelNames, registers });
    this.computeUs = new Counter({ name: 'nv_inference_compute_infer_duration_us', help: 'Cumulative compute inference duration in microseconds', labelNames, registers });
    new Gauge({
      name: 'nv_inference_pending_request_count',
      help: 'Instantaneous number of pending requests awaiting execution per-model.',
      labelNames,
      registers,
      collect() {
        this.set(l, pending());
      },
    });
    const busy = this.busy;
    new Gauge({
      name: 'nv_gpu_utilization',
      help: 'GPU utilization rate [0.0 - 1.0)',
      labelNames: ['gpu_uuid'],
      registers,
      collect() {
        // Busy milliseconds over the last 2 s; concurrent instances overlap on one GPU, so cap at 1.
        this.set({ gpu_uuid: profile.gpuUuid }, Math.min(1, busy.totals().sum / 2000));
      },
    });
    for (const c of [this.success, this.inferenceCount, this.execCount, this.requestUs, this.queueUs, this.computeUs]) c.inc(l, 0);
  }

  get labels(): { model: string; version: string } {
    return this.l;
  }

  recordExecution(size: number, computeUs: number): void {
    this.execCount.inc(this.l);
    this.inferenceCount.inc(this.l, size);
    this.busy.observe(computeUs / 1000);
  }

  recordRequest(queueUs: number, computeUs: number, totalUs: number): void {
    this.success.inc(this.l);
    this.queueUs.inc(this.l, Math.round(queueUs));
    this.computeUs.inc(this.l, Math.round(computeUs));
    this.requestUs.inc(this.l, Math.round(totalUs));
  }

  recordFailure(reason: string): void {
    this.failure.inc({ ...this.l, reason });
  }
}
