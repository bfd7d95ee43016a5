/**
 * vLLM's Prometheus metric names (label `model_name`), with its default histogram buckets,
 * so dashboards and PromQL written for a real vLLM server read the simulator unchanged.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineStats } from './engine.js';

export class VllmMetrics {
  readonly registry = new Registry();
  private readonly l: { model_name: string };
  private readonly ttft: Histogram<'model_name'>;
  private readonly tpot: Histogram<'model_name'>;
  private readonly e2e: Histogram<'model_name'>;
  private readonly promptTokens: Counter<'model_name'>;
  private readonly generationTokens: Counter<'model_name'>;
  private readonly success: Counter<'model_name' | 'finished_reason'>;
  private readonly rejected: Counter<'model_name' | 'reason'>;

  constructor(model: string, stats: () => EngineStats) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const labelNames = ['model_name'] as const;
    const l = (this.l = { model_name: model });
    new Gauge({ name: 'vllm:num_requests_running', help: 'Number of requests currently running on GPU.', labelNames, registers, collect() { this.set(l, stats().running); } });
    new Gauge({ name: 'vllm:num_requests_waiting', help: 'Number of requests waiting to be processed.', labelNames, registers, collect() { this.set(l, stats().waiting); } });
    new Gauge({
      name: 'vllm:gpu_cache_usage_perc',
      help: 'GPU KV-cache usage. 1 means 100 percent usage.',
      labelNames,
      registers,
      collect() {
        const s = stats();
        this.set(l, s.usedBlocks / s.totalBlocks);
      },
    });
    this.ttft = new Histogram({ name: 'vllm:time_to_first_token_seconds', help: 'Histogram of time to first token in seconds.', labelNames, registers, buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
    this.tpot = new Histogram({ name: 'vllm:time_per_output_token_seconds', help: 'Histogram of time per output token in seconds.', labelNames, registers, buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5] });
    this.e2e = new Histogram({ name: 'vllm:e2e_request_latency_seconds', help: 'Histogram of end to end request latency in seconds.', labelNames, registers, buckets: [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60] });
    this.promptTokens = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', labelNames, registers });
    this.generationTokens = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.', labelNames, registers });
    this.success = new Counter({ name: 'vllm:request_success_total', help: 'Count of successfully processed requests.', labelNames: [...labelNames, 'finished_reason'], registers });
    this.rejected = new Counter({ name: 'vllm:request_rejected_total', help: 'Requests refused by the simulator (capacity, validation).', labelNames: [...labelNames, 'reason'], registers });
    this.promptTokens.inc(l, 0);
    this.generationTokens.inc(l, 0);
    for (const h of [this.ttft, this.tpot, this.e2e]) h.zero(l);
  }

  firstToken(seconds: number, promptTokens: number): void {
    this.ttft.observe(this.l, seconds);
    this.promptTokens.inc(this.l, promptTokens);
  }

  token(gapSeconds: number | undefined): void {
    this.generationTokens.inc(this.l);
    if (gapSeconds !== undefined) this.tpot.observe(this.l, gapSeconds);
  }

  finished(seconds: number, reason: string): void {
    this.e2e.observe(this.l, seconds);
    this.success.inc({ ...this.l, finished_reason: reason });
  }

  reject(reason: string): void {
    this.rejected.inc({ ...this.l, reason });
  }
}
