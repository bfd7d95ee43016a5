/**
 * Creates Chaos Mesh resources for faults and always deletes them: the undo is pushed on
 * the teardown stack before the create request is sent, so a crash between the two still
 * deletes it; the resource's own `duration` heals it even when the harness is killed.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { invalidInput } from '../../errors.js';
import { chaosInvariantProblems } from '../../faults/chaos-mesh/chaos-invariants.js';
import { chaosForFault } from '../../faults/chaos-mesh/fault-to-chaos.js';
import type { ResolvedFault } from '../../scenario/fault-spec.js';
import type { TeardownStack } from '../../runner/teardown.js';
import type { Revert } from '../platform.js';
import { applyObjects, deleteObject } from './apply.js';
import { requireOptIn } from './kube-context.js';
import { objectRef, type K8sObject } from './manifest.js';

export interface ChaosTarget {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly runId: string;
  /** Where the undo goes before the resource is created. */
  readonly teardown?: TeardownStack;
  readonly force?: boolean;
}

/** Applies an already rendered chaos object; returns its idempotent delete. */
export async function createChaos(object: K8sObject, target: ChaosTarget): Promise<Revert> {
  const problems = chaosInvariantProblems(object, 'chaos');
  if (problems.length > 0) throw invalidInput(`refusing to apply ${objectRef(object)}: it breaks peakready's chaos safety rules`, problems);
  await requireOptIn(target.kc, target.namespace);
  let done = false;
  const revert: Revert = async () => {
    if (done) return;
    await deleteObject(target.kc, object);
    done = true;
  };
  const undo = target.teardown?.push(`delete ${objectRef(object)} in ${target.namespace}`, revert);
  try {
    await applyObjects(target.kc, [object], { force: target.force ?? true });
  } catch (err) {
    // The create failed: delete anything half-made now instead of at teardown.
    await (undo ?? revert)().catch(() => undefined);
    throw err;
  }
  return undo ?? revert;
}

/** Renders the fault's Chaos Mesh resource in the target namespace and creates it. */
export async function injectChaos(fault: ResolvedFault, target: ChaosTarget): Promise<{ object: K8sObject; revert: Revert }> {
  const object = chaosForFault(fault, { runId: target.runId, namespace: target.namespace });
  return { object, revert: await createChaos(object, target) };
}
