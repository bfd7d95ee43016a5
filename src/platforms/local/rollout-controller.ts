/**
 * Canary rollouts with Argo Rollouts' behaviour, locally: canary replicas of the new version
 * start next to the stable ones, the service proxy sends them `setWeight` percent of the
 * traffic, each step pauses (durations × time scale), and a background analysis runs the
 * whole time. A failed (or errored) analysis aborts: weight 0 at once (all traffic back to
 * stable), canaries stopped, phase Degraded. Completing every step promotes the new version.
 */
import type { PlatformEvent, RolloutPhase } from '../platform.js';
import { AnalysisRun, type AnalysisMetric } from './analysis.js';
import type { ServiceProxy } from './service-proxy.js';
import { ReplicaRemovedError, type Replica, type Supervisor } from './supervisor.js';

export interface RolloutOptions {
  readonly service: string;
  readonly supervisor: Supervisor;
  readonly proxy: ServiceProxy;
  readonly prometheusUrl: string;
  /** Canary weights in percent; the seed's 20/40/60/80 by default. */
  readonly steps?: readonly number[];
  /** Pause after each step (already scaled). */
  readonly pauseMs: number;
  /** Analysis metrics for a version (the seed's model-accuracy-check by default). */
  readonly analysis: (version: string) => AnalysisMetric[];
  readonly emit: (e: PlatformEvent) => void;
  readonly canaryReplicas?: number;
}

export type RolloutOutcome = 'Healthy' | 'Degraded' | 'Cancelled';

export class RolloutController {
  phase: RolloutPhase = 'Healthy';
  stableVersion: string;
  /** True while the stable replicas are being swapped for a new version (the autoscaler holds meanwhile). */
  replacingStable = false;
  private current: { version: string; cancel: () => void; done: Promise<RolloutOutcome> } | undefined;

  constructor(private readonly opts: RolloutOptions, stableVersion: string) {
    this.stableVersion = stableVersion;
  }

  /** Resolves when the rollout in progress ends (immediately when none). */
  get done(): Promise<RolloutOutcome> {
    return this.current?.done ?? Promise.resolve(this.phase === 'Degraded' ? 'Degraded' : 'Healthy');
  }

  /** Starts a rollout of `version`; resolves once the canary serves its first weight. */
  async start(version: string): Promise<void> {
    if (this.current) await this.abort('superseded by a new rollout');
    const { supervisor, proxy, service } = this.opts;
    let cancelled = false;
    let wake: () => void = () => {};
    const cancel = () => {
      cancelled = true;
      wake();
    };
    this.setPhase('Progressing', 0, version, 'starting canary replicas');
    const canaries: Replica[] = [];
    try {
      for (let i = 0; i < (this.opts.canaryReplicas ?? 1); i++) canaries.push(await supervisor.addReplica(service, version, 'canary'));
    } catch (err) {
      await Promise.all(canaries.map((c) => supervisor.removeReplica(c.id)));
      this.setPhase('Degraded', 0, version, `canary failed to start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    const analysis = new AnalysisRun(this.opts.prometheusUrl, this.opts.analysis(version), (m) =>
      this.opts.emit({ t: Date.now(), type: 'analysis', service, metric: m.metric, value: m.value, result: m.phase }),
    );
    let analysisPhase: string | undefined;
    void analysis.result.then((p) => {
      if (p !== 'Successful') {
        analysisPhase = p;
        wake();
      }
    });
    const steps = this.opts.steps ?? [20, 40, 60, 80];
    proxy.setCanaryWeight(steps[0] ?? 0);
    analysis.start();

    const run = async (): Promise<RolloutOutcome> => {
      for (const weight of steps) {
        if (cancelled || analysisPhase) break;
        proxy.setCanaryWeight(weight);
        this.setPhase('Progressing', weight, version, `setWeight ${weight}`);
        this.setPhase('Paused', weight, version, `pause ${Math.round(this.opts.pauseMs)} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pauseMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      if (cancelled || analysisPhase) {
        // Abort: traffic first, then the canaries.
        proxy.setCanaryWeight(0);
        analysis.stop();
        this.setPhase('Degraded', 0, version, cancelled ? 'rollout aborted' : `analysis ${analysisPhase}: rollout aborted, all traffic on ${this.stableVersion}`);
        await Promise.all(canaries.map((c) => supervisor.removeReplica(c.id)));
        return cancelled ? 'Cancelled' : 'Degraded';
      }
      analysis.stop();
      await this.promote(version, canaries.map((c) => c.id));
      return 'Healthy';
    };
    const done = run().finally(() => {
      if (this.current?.done === done) this.current = undefined;
    });
    this.current = { version, cancel, done };
  }

  /** Aborts the rollout in progress (weight 0, canaries stopped). */
  async abort(_reason: string): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    cur.cancel();
    await cur.done;
  }

  /** New stable replicas at `version` replace the old ones, then the canaries go. */
  private async promote(version: string, canaryIds: readonly string[]): Promise<void> {
    const { supervisor, proxy } = this.opts;
    this.setPhase('Progressing', 100, version, 'promoting');
    await this.replaceStable(version);
    proxy.setCanaryWeight(0);
    await Promise.all(canaryIds.map((id) => supervisor.removeReplica(id)));
    this.setPhase('Healthy', 100, version, `${version} promoted to stable`);
  }

  /** Replaces the stable replicas with `version` at once (a rollback, no canary steps). */
  async setStable(version: string): Promise<void> {
    await this.abort('replaced');
    await this.replaceStable(version);
    this.setPhase('Healthy', 0, version, `stable set to ${version}`);
  }

  private async replaceStable(version: string): Promise<void> {
    this.replacingStable = true;
    try {
      await this.swapStable(version);
    } finally {
      this.replacingStable = false;
    }
  }

  private async swapStable(version: string): Promise<void> {
    const { supervisor, service } = this.opts;
    const old = supervisor.replicas(service, 'stable');
    // Surge first, then remove: capacity never drops during the swap. The autoscaler holds
    // meanwhile; a new replica removed while starting anyway (a sync already under way) is
    // no failure of the rollout as long as one started.
    const started = await Promise.allSettled(Array.from({ length: Math.max(1, old.length) }, () => supervisor.addReplica(service, version, 'stable')));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof ReplicaRemovedError));
    if (failed) throw failed.reason;
    if (started.every((r) => r.status === 'rejected')) throw new Error(`no ${version} replica of ${service} started: each was removed while starting`);
    this.stableVersion = version;
    await Promise.all(old.map((r) => supervisor.removeReplica(r.id)));
  }

  private setPhase(phase: RolloutPhase, weight: number, version: string, message: string): void {
    this.phase = phase;
    this.opts.emit({ t: Date.now(), type: 'rollout', service: this.opts.service, phase, weight, version, message });
  }
}
