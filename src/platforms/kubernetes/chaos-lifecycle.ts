/**
 * Creates Chaos Mesh resources for faults and always deletes them: the undo is pushed on
 * the teardown stack before the create request is sent, so a crash between the two still
 * deletes it; the resource's own `duration` heals it even when the harness is killed.
 */
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { environmentError, invalidInput } from '../../errors.js';
import { confirmTimeoutMs, waitForInjected, type ChaosStatus } from '../../faults/chaos-mesh/chaos-confirmation.js';
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

/** Reads the object's status as Chaos Mesh reports it (undefined when it has none yet). */
async function readChaosStatus(kc: KubeConfig, object: K8sObject): Promise<ChaosStatus | undefined> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const live = (await api.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? '' } })) as { status?: ChaosStatus };
  return live.status;
}

/**
 * Renders the fault's Chaos Mesh resource in the target namespace, creates it, and resolves
 * only when Chaos Mesh reports every selected target injected (within `confirmTimeoutMs`,
 * default from the fault's duration). Otherwise the object is deleted and this rejects
 * with the reason: an object the API server accepted is not yet a fault that happened.
 */
export async function injectChaos(
  fault: ResolvedFault,
  target: ChaosTarget & { readonly confirmTimeoutMs?: number; readonly confirmPollMs?: number; readonly signal?: AbortSignal },
): Promise<{ object: K8sObject; revert: Revert }> {
  const object = chaosForFault(fault, { runId: target.runId, namespace: target.namespace });
  const revert = await createChaos(object, target);
  try {
    await waitForInjected(() => readChaosStatus(target.kc, object), {
      timeoutMs: confirmTimeoutMs(fault.durationMs, target.confirmTimeoutMs),
      ...(target.confirmPollMs ? { pollMs: target.confirmPollMs } : {}),
      ...(target.signal ? { signal: target.signal } : {}),
    });
  } catch (err) {
    await revert().catch(() => undefined);
    throw environmentError(`${objectRef(object)} in ${target.namespace}: ${err instanceof Error ? err.message : String(err)}; the object was deleted`, 'check that the Chaos Mesh controller and its daemon run, and that the selector matches a pod', err);
  }
  return { object, revert };
}
