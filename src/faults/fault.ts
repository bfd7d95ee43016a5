/**
 * The `Fault` extension point: one implementation per fault kind (files next to this one),
 * registered by name in registry.ts. A fault is prepared first and acts second, so the
 * platform can push its revert on the teardown stack *before* anything changes.
 */
import type { FaultKind, ResolvedFault } from '../scenario/fault-spec.js';
import type { Toxic } from '../platforms/local/toxics.js';

/** A process a fault may signal (one replica of a service). */
export interface FaultProcess {
  readonly id: string;
  readonly pid: number | undefined;
  paused: boolean;
  signal(sig: NodeJS.Signals): boolean;
}

/** What the local platform lends to faults. */
export interface LocalFaultTarget {
  /** Known services (for validation messages). */
  readonly services: readonly string[];
  /** Adds a toxic to a service's proxy; returns its removal. */
  addToxic(service: string, id: string, toxic: Toxic): () => void;
  /** The service's current replicas (stable and canary). */
  processes(service: string): FaultProcess[];
  /** Cuts (true) or restores (false) every connection to Redis. */
  setRedisOutage(on: boolean): void;
  /** Starts a helper process that dies with the harness (CPU burners); returns its stop. */
  spawnHelper(label: string, args: readonly string[]): Promise<() => Promise<void>>;
}

export interface PreparedFault {
  /** Changes the world. Called after `revert` is registered. */
  act(): Promise<void>;
  /** Undoes `act`; idempotent, harmless if `act` never ran or half ran. */
  revert(): Promise<void>;
  /** Set by `act` when what the fault did depends on the machine (cpu-stress: confined or not); goes into the journal. */
  readonly note?: string | undefined;
}

export interface Fault {
  readonly kind: FaultKind;
  /** One line for `chaos list`. */
  readonly description: string;
  /** Checks the target and parameters (throws INVALID_INPUT) and returns the act/revert pair. */
  prepare(target: LocalFaultTarget, fault: ResolvedFault): PreparedFault;
}
