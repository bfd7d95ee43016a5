/**
 * The local HorizontalPodAutoscaler: every sync it reads per-replica metrics from the local
 * Prometheus (the seed's inference_requests_per_second, target 100, and CPU utilisation
 * against a request of 0.5 core, target 70%), runs hpa-algorithm.ts and adds or removes
 * stable replicas, announcing each change as a 'replicas' event.
 */
import type { PlatformEvent } from '../platform.js';
import { computeDesiredReplicas, defaultBehavior, type HpaBehavior, type MetricObservation, type ScaleEvent, type Timestamped } from './hpa-algorithm.js';
import { promQuery } from './prometheus-client.js';
import type { Supervisor } from './supervisor.js';

export interface AutoscalerOptions {
  readonly service: string;
  readonly supervisor: Supervisor;
  readonly prometheusUrl: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Requests per second per replica (default 100, the seed's). */
  readonly targetRps?: number;
  /** CPU utilisation percent of `cpuRequestCores` (default 70, the seed's). */
  readonly targetCpu?: number;
  readonly cpuRequestCores?: number;
  /**
   * A stack definition's own metric instead of the seed's inference_requests_per_second:
   * PromQL for the average per replica (`{{service}}` is the service name). With it, CPU
   * counts only when `targetCpu` is given.
   */
  readonly metric?: { readonly name: string; readonly query: string; readonly target: number };
  /** Multiplies Kubernetes' default windows and periods (300 s scale-down stabilization, 15 s periods). */
  readonly timeScale: number;
  readonly behavior?: HpaBehavior;
  readonly syncMs?: number;
  /** Version new stable replicas run (the rollout controller's stable version). */
  readonly version: () => string;
  /**
   * True while the rollout controller swaps the stable replicas (surge, then removal). The
   * HPA scales a workload's desired replicas, never a rollout's surge, so the sync waits
   * for the swap to end instead of reading the surge as too many replicas.
   */
  readonly holdWhile?: () => boolean;
  readonly emit: (e: PlatformEvent) => void;
}

export class Autoscaler {
  private timer: NodeJS.Timeout | undefined;
  private readonly history: Timestamped[] = [];
  private readonly events: ScaleEvent[] = [];
  private busy = false;
  private readonly behavior: HpaBehavior;
  lastMetrics: MetricObservation[] = [];

  constructor(private readonly opts: AutoscalerOptions) {
    // Scale-down stabilization shrinks with the time scale, but never below 2 s so a
    // 1 s scrape interval cannot make it flap.
    const d = defaultBehavior(opts.timeScale);
    this.behavior = opts.behavior ?? {
      scaleUp: { ...d.scaleUp, policies: d.scaleUp.policies.map((p) => ({ ...p, periodMs: Math.max(1000, p.periodMs) })) },
      scaleDown: {
        ...d.scaleDown,
        stabilizationWindowMs: Math.max(2000, d.scaleDown.stabilizationWindowMs),
        policies: d.scaleDown.policies.map((p) => ({ ...p, periodMs: Math.max(1000, p.periodMs) })),
      },
    };
  }

  /** Recent raw recommendations (what scale-down stabilization looks back over). */
  get recommendations(): readonly Timestamped[] {
    return this.history;
  }

  get scaleDownWindowMs(): number {
    return this.behavior.scaleDown.stabilizationWindowMs;
  }

  start(): void {
    this.timer = setInterval(() => void this.sync(), this.opts.syncMs ?? 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One HPA sync; exported for tests and manual nudges. */
  async sync(): Promise<void> {
    if (this.busy || this.opts.holdWhile?.()) return;
    this.busy = true;
    try {
      const { supervisor, service } = this.opts;
      const stable = supervisor.replicas(service, 'stable');
      const current = stable.length;
      const metrics = await this.readMetrics();
      this.lastMetrics = metrics;
      const now = Date.now();
      const decision = computeDesiredReplicas({
        current,
        metrics,
        spec: { minReplicas: this.opts.minReplicas, maxReplicas: this.opts.maxReplicas, behavior: this.behavior },
        history: this.history,
        events: this.events,
        now,
      });
      this.history.push({ t: now, replicas: decision.recommendation });
      const keep = Math.max(this.behavior.scaleDown.stabilizationWindowMs, this.behavior.scaleUp.stabilizationWindowMs, 60_000);
      while (this.history.length > 0 && this.history[0]!.t < now - keep) this.history.shift();
      if (decision.desired === current) return;
      this.events.push({ t: now, replicas: decision.desired - current });
      this.opts.emit({ t: now, type: 'replicas', service, from: current, to: decision.desired, reason: decision.reason });
      if (decision.desired > current) {
        const adds = [];
        for (let i = current; i < decision.desired; i++) adds.push(supervisor.addReplica(service, this.opts.version(), 'stable'));
        await Promise.allSettled(adds);
      } else {
        // Newest first, like a ReplicaSet picking the youngest pods.
        const victims = stable.slice(decision.desired).reverse();
        await Promise.all(victims.map((r) => supervisor.removeReplica(r.id)));
      }
    } catch {
      // A failed sync (Prometheus briefly unreachable) is retried next period, as the HPA does.
    } finally {
      this.busy = false;
    }
  }

  private async readMetrics(): Promise<MetricObservation[]> {
    const sel = `service="${this.opts.service}"`;
    const out: MetricObservation[] = [];
    const observe = async (name: string, query: string, target: number): Promise<void> => {
      const v = await promQuery(this.opts.prometheusUrl, query).catch(() => []);
      if (v[0] && Number.isFinite(v[0].value)) out.push({ name, value: v[0].value, target });
    };
    const own = this.opts.metric;
    if (own) {
      await observe(own.name, own.query.replaceAll('{{service}}', this.opts.service), own.target);
      if (this.opts.targetCpu === undefined) return out;
    } else await observe('inference_requests_per_second', `avg(inference_requests_per_second{${sel}})`, this.opts.targetRps ?? 100);
    const cores = this.opts.cpuRequestCores ?? 0.5;
    await observe('cpu', `avg(rate(process_cpu_seconds_total{${sel}}[5s])) * 100 / ${cores}`, this.opts.targetCpu ?? 70);
    return out;
  }
}
