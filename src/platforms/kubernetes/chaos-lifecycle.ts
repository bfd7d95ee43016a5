/**
 * The cluster's chaos capability: applying, reading and deleting Chaos Mesh objects in the
 * opted-in namespace. Which object a fault is, and when it counts as injected, is the
 * fault back end's (src/faults/chaos-mesh/backend.ts). `createChaos` applies a rendered
 * template directly with its undo pushed on the teardown stack before the create request
 * is sent; the resource's own `duration` heals it even when the harness is killed.
 */
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { invalidInput } from '../../contract/errors.js';
import type { ChaosObjectTarget } from '../../faults/chaos-mesh/backend.js';
import type { ChaosStatus } from '../../faults/chaos-mesh/chaos-confirmation.js';
import { chaosInvariantProblems } from '../../faults/chaos-mesh/chaos-invariants.js';
import type { TeardownStack } from '../../contract/teardown.js';
import type { Revert } from '../platform.js';
import { applyObjects, deleteObject } from './apply.js';
import { requireOptIn } from './kube-context.js';
import { objectRef, type K8sObject } from '../../contract/k8s-objects.js';

export interface ChaosTarget {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly runId: string;
  /** Where the undo goes before the resource is created. */
  readonly teardown?: TeardownStack;
  readonly force?: boolean;
}

/** Applies an already rendered chaos object through the cluster's chaos capability; returns its idempotent delete. */
export async function createChaos(object: K8sObject, target: ChaosTarget): Promise<Revert> {
  const problems = chaosInvariantProblems(object, 'chaos');
  if (problems.length > 0) throw invalidInput(`refusing to apply ${objectRef(object)}: it breaks peakready's chaos safety rules`, problems);
  const cluster = chaosObjectTarget(target);
  let done = false;
  const revert: Revert = async () => {
    if (done) return;
    await cluster.remove(object);
    done = true;
  };
  const undo = target.teardown?.push(`delete ${objectRef(object)} in ${target.namespace}`, revert);
  try {
    await cluster.apply(object);
  } catch (err) {
    // The create failed: delete anything half-made now instead of at teardown.
    await (undo ?? revert)().catch(() => undefined);
    throw err;
  }
  return undo ?? revert;
}

/**
 * What this cluster lends to the Chaos Mesh fault back end (src/faults/chaos-mesh/backend.ts):
 * apply an object in the opted-in namespace, read its status, delete it.
 */
export function chaosObjectTarget(target: ChaosTarget & { readonly confirmTimeoutMs?: number; readonly confirmPollMs?: number }): ChaosObjectTarget {
  return {
    namespace: target.namespace,
    runId: target.runId,
    async apply(object) {
      await requireOptIn(target.kc, target.namespace);
      await applyObjects(target.kc, [object], { force: target.force ?? true });
    },
    async remove(object) {
      await deleteObject(target.kc, object);
    },
    async readStatus(object) {
      const api = KubernetesObjectApi.makeApiClient(target.kc);
      const live = (await api.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? '' } })) as { status?: ChaosStatus };
      return live.status;
    },
    ...(target.confirmTimeoutMs === undefined ? {} : { confirmTimeoutMs: target.confirmTimeoutMs }),
    ...(target.confirmPollMs ? { confirmPollMs: target.confirmPollMs } : {}),
  };
}
