/**
 * Server-side apply (PATCH application/apply-patch+yaml, field manager "peakready") and the
 * matching delete. Conflicts with another field manager fail unless `force` is set, so a
 * human's kubectl edit is not silently overwritten.
 */
import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { environmentError } from '../../errors.js';
import { statusOf } from './kube-context.js';
import { objectRef, type K8sObject } from './manifest.js';

export const FIELD_MANAGER = 'peakready';

export interface ApplyOptions {
  /** Take over fields another manager owns (SSA force). Default false. */
  readonly force?: boolean;
  /** Server-side dry run: the API server validates and defaults, stores nothing. */
  readonly dryRun?: boolean;
}

function reason(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  try {
    const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string } | undefined);
    if (parsed?.message) return parsed.message;
  } catch {
    // not JSON: fall through to the error's own message
  }
  return (err as Error).message;
}

/** Applies objects in order (namespaces and CRD-free kinds first is the caller's order). */
export async function applyObjects(kc: KubeConfig, objects: readonly K8sObject[], opts: ApplyOptions = {}): Promise<K8sObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: K8sObject[] = [];
  for (const o of objects) {
    try {
      applied.push(await api.patch(o, undefined, opts.dryRun ? 'All' : undefined, FIELD_MANAGER, opts.force ?? false, PatchStrategy.ServerSideApply));
    } catch (err) {
      const status = statusOf(err);
      const hint = status === 409 ? 'another field manager owns these fields; re-run with --force-conflicts to take them over' : status === 404 ? 'is the CRD for this kind installed (Argo Rollouts, Chaos Mesh, kube-prometheus)?' : undefined;
      throw environmentError(`server-side apply of ${objectRef(o)} in ${o.metadata.namespace ?? '(cluster)'} failed${status ? ` (HTTP ${status})` : ''}: ${reason(err)}`, hint, err);
    }
  }
  return applied;
}

/** Deletes an object; a missing one counts as deleted (idempotent). */
export async function deleteObject(kc: KubeConfig, o: K8sObject): Promise<boolean> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  try {
    await api.delete({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } }, undefined, undefined, undefined, undefined, 'Background');
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw environmentError(`delete of ${objectRef(o)} failed: ${reason(err)}`, undefined, err);
  }
}
