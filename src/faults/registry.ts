/** Every fault back end, by kind (the fault vocabulary of src/scenario/fault-spec.ts): the local ones here, the Chaos Mesh ones in chaos-mesh/backend.ts. */
import type { FaultKind } from '../scenario/fault-spec.js';
import { invalidInput } from '../contract/errors.js';
import type { Fault } from './fault.js';
import { CHAOS_MESH_FAULTS, type ChaosObjectTarget } from './chaos-mesh/backend.js';
import { bandwidthFault } from './bandwidth.js';
import { cpuStressFault } from './cpu-stress.js';
import { errorsFault } from './errors.js';
import { killReplicaFault } from './kill-replica.js';
import { latencyFault } from './latency.js';
import { partitionFault } from './partition.js';
import { redisOutageFault } from './redis-outage.js';
import { resetFault } from './reset.js';
import { unavailableFault } from './unavailable.js';

export const LOCAL_FAULTS: Readonly<Record<FaultKind, Fault>> = {
  'kill-replica': killReplicaFault,
  unavailable: unavailableFault,
  latency: latencyFault,
  errors: errorsFault,
  reset: resetFault,
  partition: partitionFault,
  bandwidth: bandwidthFault,
  'cpu-stress': cpuStressFault,
  'redis-outage': redisOutageFault,
};

/** The local back end of a fault kind; INVALID_INPUT for an unknown kind. */
export function localFault(kind: string): Fault {
  const f = (LOCAL_FAULTS as Record<string, Fault | undefined>)[kind];
  if (!f) throw invalidInput(`fault kind: expected one of ${Object.keys(LOCAL_FAULTS).join(', ')}, got ${JSON.stringify(kind)}`);
  return f;
}

/** The Chaos Mesh back end of a fault kind; INVALID_INPUT for an unknown kind. */
export function chaosMeshFault(kind: string): Fault<ChaosObjectTarget> {
  const f = (CHAOS_MESH_FAULTS as Record<string, Fault<ChaosObjectTarget> | undefined>)[kind];
  if (!f) throw invalidInput(`fault kind: expected one of ${Object.keys(CHAOS_MESH_FAULTS).join(', ')}, got ${JSON.stringify(kind)}`);
  return f;
}
