/**
 * The one interface the runner sees, implemented by `local` (processes on loopback)
 * and `kubernetes` (@kubernetes/client-node). Optional capabilities are separate
 * interfaces, checked with their type guards (capabilities.ts); factory.ts creates the
 * platforms and is the only way in to the implementations.
 */
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { StackSpec } from '../scenario/types.js';
import type { TeardownStack } from '../contract/teardown.js';
import type { PlatformEvent, Revert } from '../contract/platform-events.js';

export type { PlatformEvent, Revert, RolloutPhase } from '../contract/platform-events.js';

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
