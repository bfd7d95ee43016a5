/**
 * The supervisor: replicas of each service as managed child processes (a Deployment's
 * pods, locally). Replicas carry a version and a track (stable or canary) so the service
 * proxy can split traffic and the rollout controller can add and remove canaries; the
 * autoscaler adds and removes stable replicas. Every change is announced to listeners
 * (proxies, Prometheus service discovery) and as platform events.
 */
import type { PlatformEvent } from '../platform.js';
import { ManagedProcess, type ProcessSpec } from './managed-process.js';
import type { RunState } from './run-state.js';

export type Track = 'stable' | 'canary';

export interface Replica {
  readonly id: string;
  readonly service: string;
  readonly version: string;
  readonly track: Track;
  readonly process: ManagedProcess;
}

/** Builds the process of one replica of `service` at `version`. */
export type SpecFactory = (service: string, version: string) => ProcessSpec | Promise<ProcessSpec>;

export interface SupervisorOptions {
  readonly specFor: SpecFactory;
  readonly runState?: RunState;
  readonly emit?: (event: PlatformEvent) => void;
  /** Per-replica start deadline. */
  readonly startTimeoutMs?: number;
}

export class Supervisor {
  private readonly replicasById = new Map<string, Replica>();
  /** Restarts of replicas already removed, per service (restarts() never goes down). */
  private readonly removedRestarts = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(private readonly opts: SupervisorOptions) {}

  /** Called after any replica starts, stops, changes port or readiness. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replicas of a service (all tracks unless one is given), in start order. */
  replicas(service: string, track?: Track): Replica[] {
    return [...this.replicasById.values()].filter((r) => r.service === service && (track === undefined || r.track === track));
  }

  all(): Replica[] {
    return [...this.replicasById.values()];
  }

  services(): string[] {
    return [...new Set(this.all().map((r) => r.service))];
  }

  /** Starts one replica; resolves when it is ready. */
  async addReplica(service: string, version: string, track: Track = 'stable', waitReady = true): Promise<Replica> {
    if (this.closed) throw new Error('supervisor is shut down');
    const n = this.counters.get(service) ?? 0;
    this.counters.set(service, n + 1);
    const id = `${service}-${version}-${n}`;
    const rs = this.opts.runState;
    const emit = this.opts.emit;
    const spec = await this.opts.specFor(service, version);
    if (this.closed) throw new Error('supervisor is shut down');
    const proc = new ManagedProcess(id, spec, {
      onSpawn: (pid) => rs?.trackProcess(pid, id),
      onExit: (pid) => {
        rs?.untrackProcess(pid);
        this.changed();
      },
      onPort: (pid, port) => {
        rs?.setPort(pid, port);
        this.changed();
      },
      onReady: (ready) => {
        emit?.({ t: Date.now(), type: 'ready', service, replica: id, ready });
        this.changed();
      },
      onRestart: (restarts) => emit?.({ t: Date.now(), type: 'restart', service, replica: id, restarts }),
    });
    const replica: Replica = { id, service, version, track, process: proc };
    this.replicasById.set(id, replica);
    this.changed();
    const failed = (err: unknown): void => {
      if (this.closed || !this.replicasById.has(id)) return; // stopped on purpose, not a failure
      emit?.({ t: Date.now(), type: 'replica-failed', service, replica: id, reason: err instanceof Error ? err.message : String(err) });
    };
    if (waitReady) {
      try {
        await proc.start(this.opts.startTimeoutMs ?? 15_000);
      } catch (err) {
        // Removed meanwhile on purpose (an autoscaler's scale-in): not a failure to start.
        if (!this.replicasById.has(id) && !this.closed) throw new ReplicaRemovedError(id);
        failed(err);
        await this.removeReplica(id);
        throw err;
      }
    } else {
      void proc.start(this.opts.startTimeoutMs ?? 15_000).catch(failed);
    }
    return replica;
  }

  /** Stops and forgets a replica (scale-in, canary removal); its restarts stay counted. */
  async removeReplica(id: string): Promise<void> {
    const r = this.replicasById.get(id);
    if (!r) return;
    this.replicasById.delete(id);
    this.removedRestarts.set(r.service, (this.removedRestarts.get(r.service) ?? 0) + r.process.restarts);
    this.changed();
    await r.process.stop();
  }

  /**
   * Restarts of a service's replicas since it started, including replicas removed since: a
   * count that never goes down, so a restart followed by a scale-in within one sample is
   * not lost (as on Kubernetes, where the observer keeps a running total).
   */
  restarts(service: string): number {
    return (this.removedRestarts.get(service) ?? 0) + this.replicas(service).reduce((s, r) => s + r.process.restarts, 0);
  }

  /** Stops every replica (in parallel). */
  async shutdown(): Promise<void> {
    this.closed = true;
    const all = this.all();
    this.replicasById.clear();
    await Promise.all(all.map((r) => r.process.stop()));
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        /* a listener's failure must not break supervision */
      }
    }
  }
}

/** A replica that was removed (scaled in, stopped) while it was still starting: nobody failed. */
export class ReplicaRemovedError extends Error {
  constructor(readonly replica: string) {
    super(`replica ${replica} was removed while it was starting`);
    this.name = 'ReplicaRemovedError';
  }
}
