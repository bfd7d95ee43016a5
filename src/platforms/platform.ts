/**
 * The one interface the runner sees, implemented by `local` (processes on loopback)
 * and `kubernetes` (@kubernetes/client-node). Optional capabilities are separate
 * interfaces, checked with the type guards below.
 */
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { StackSpec } from '../scenario/types.js';
import type { TeardownStack } from '../runner/teardown.js';

/** Undoes one change to the world. Idempotent: calling it twice is harmless. */
export type Revert = () => Promise<void>;

export const STACK_SERVICES = ['gateway', 'tabular', 'fallback', 'triton', 'generative', 'redis', 'prometheus'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

export interface UpOptions {
  readonly stack: StackSpec;
  /** Durations of rollout pauses, analysis intervals, HPA windows are multiplied by this. */
  readonly timeScale: number;
  readonly runId: string;
  /** Every started process, port, file or resource registers its undo here before it acts. */
  readonly teardown: TeardownStack;
  readonly signal?: AbortSignal;
  /** A line for the user about how the stack is reached or run (the runner's log). */
  readonly log?: (line: string) => void;
}

export interface StackEndpoints {
  /** Base URL of the gateway (what traffic targets by default). */
  readonly gateway: string;
  /** Base URL of Prometheus' HTTP API. */
  readonly prometheus: string;
  /** Base URL of each service (its proxy, locally; a Service or port-forward on Kubernetes). */
  readonly services: Readonly<Record<string, string>>;
}

export type RolloutPhase = 'Healthy' | 'Progressing' | 'Paused' | 'Degraded' | 'Aborted';

/** Observable platform events; `t` is epoch milliseconds. */
export type PlatformEvent =
  | { readonly t: number; readonly type: 'replicas'; readonly service: string; readonly from: number; readonly to: number; readonly reason: string }
  | { readonly t: number; readonly type: 'restart'; readonly service: string; readonly replica: string; readonly restarts: number }
  | { readonly t: number; readonly type: 'ready'; readonly service: string; readonly replica: string; readonly ready: boolean }
  /** A replica that never became ready (crashed while starting, or a readiness timeout): it serves nothing. */
  | { readonly t: number; readonly type: 'replica-failed'; readonly service: string; readonly replica: string; readonly reason: string }
  | {
      readonly t: number;
      readonly type: 'rollout';
      readonly service: string;
      readonly phase: RolloutPhase;
      readonly weight: number;
      readonly version: string;
      readonly message?: string;
    }
  | { readonly t: number; readonly type: 'analysis'; readonly service: string; readonly metric: string; readonly value: unknown; readonly result: 'Successful' | 'Failed' | 'Inconclusive' | 'Error' }
  | {
      readonly t: number;
      readonly type: 'fault';
      readonly id: string;
      readonly kind: string;
      readonly target: string;
      readonly edge: 'start' | 'end';
      /** What the fault really did, when that differs by machine (cpu-stress: confined to the target's cgroup, or not). */
      readonly note?: string;
    };

export interface ServiceStatus {
  readonly name: string;
  readonly replicas: number;
  readonly ready: number;
  readonly restarts: number;
  readonly endpoints: readonly string[];
  readonly version?: string;
  /** Local service proxy: requests re-sent to another replica after a refused connect, and requests a dying replica failed. */
  readonly proxy?: { readonly retries: number; readonly upstreamFailures: number };
}

export interface StackStatus {
  readonly services: readonly ServiceStatus[];
  readonly activeFaults: readonly { readonly id: string; readonly kind: string; readonly target: string; readonly sinceMs: number }[];
  readonly breakers?: Readonly<Record<string, string>>;
}

export interface Platform {
  readonly name: 'local' | 'kubernetes';
  /** Brings the stack up and waits until every service is ready. Registers its teardown first. */
  up(opts: UpOptions): Promise<StackEndpoints>;
  /** Stops everything `up` started. Idempotent. */
  down(): Promise<void>;
  status(): Promise<StackStatus>;
  /** Ready replicas of a service now (starting, failing or unready ones do not count). */
  replicas(service: string): Promise<number>;
  /** Rolls out a model version through the platform's canary mechanism; the revert restores the stable version. */
  deployVersion(service: string, version: string): Promise<Revert>;
  /** Injects a fault; the returned revert is registered by the caller before the fault acts. */
  inject(fault: ResolvedFault): Promise<Revert>;
  /** Subscribes to platform events; returns the unsubscribe function. */
  onEvent(listener: (event: PlatformEvent) => void): () => void;
}
