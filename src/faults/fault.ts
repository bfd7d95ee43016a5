/**
 * The `Fault` extension point. Every back end implements one interface: the local one (one
 * file per kind next to this one: toxics on the service proxies, signals to replicas,
 * helper processes) and the Chaos Mesh one (src/faults/chaos-mesh/backend.ts: objects in
 * the cluster). Both are registered by kind in registry.ts. A fault is prepared first and
 * acts second, so its revert is known *before* anything changes; `act` resolves only once
 * the fault is confirmed in effect. Platforms only lend capabilities: `LocalFaultTarget`
 * (add a toxic, signal a process, spawn a helper) and `ChaosObjectTarget` (apply, read and
 * delete an object); active-faults.ts does the bookkeeping both platforms share.
 */
import type { FaultKind, ResolvedFault } from '../scenario/fault-spec.js';
import type { Toxic } from './toxic.js';

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
  /** Changes the world, called after `revert` is registered; resolves once the change is confirmed (the proxy or supervisor acknowledged it, or Chaos Mesh reported every target injected). */
  act(): Promise<void>;
  /** Undoes `act`; idempotent, harmless if `act` never ran or half ran. */
  revert(): Promise<void>;
  /** Set by `act` when what the fault did depends on the machine (cpu-stress: confined or not); goes into the journal. */
  readonly note?: string | undefined;
}

/** One fault kind on one back end; `Target` is the capability its platform lends. */
export interface Fault<Target = LocalFaultTarget> {
  readonly kind: FaultKind;
  /** One line for `chaos list`. */
  readonly description: string;
  /** Checks the target and parameters (throws INVALID_INPUT) and returns the act/revert pair; changes nothing. */
  prepare(target: Target, fault: ResolvedFault): PreparedFault;
}
