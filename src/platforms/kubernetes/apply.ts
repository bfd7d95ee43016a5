/**
 * Server-side apply (PATCH application/apply-patch+yaml, field manager "peakready") and the
 * matching delete. Conflicts with another field manager fail unless `force` is set, so a
 * human's kubectl edit is not silently overwritten.
 *
 * Apply sends the object exactly as rendered, with fieldValidation=Strict: the typed
 * client (KubernetesObjectApi.patch) serialises built-in kinds through its models and
 * silently drops a misspelt field, so the API server never saw the typo.
 */
import { request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { environmentError, invalidInput } from '../../contract/errors.js';
import { statusOf } from './kube-context.js';
import { objectRef, type K8sObject } from '../../contract/k8s-objects.js';

export const FIELD_MANAGER = 'peakready';

export interface ApplyOptions {
  /** Take over fields another manager owns (SSA force). Default false. */
  readonly force?: boolean;
  /** Server-side dry run: the API server validates and defaults, stores nothing. */
  readonly dryRun?: boolean;
}

/** An API answer other than 2xx: the HTTP status and the server's Status message. */
class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Exposes the client's discovery-backed URL of an object (its `specUriPath` is protected). */
class ObjectPaths extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): ObjectPaths {
    const api = kc.makeApiClient(ObjectPaths);
    api.setDefaultNamespace(kc);
    return api;
  }
  /** "/apis/apps/v1/namespaces/ns/deployments/name"; throws when the kind is not served. */
  pathOf(o: K8sObject): Promise<string> {
    return this.specUriPath({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } }, 'patch');
  }
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

/** One raw PATCH with the object's JSON as body; resolves to the stored object. */
async function rawPatch(kc: KubeConfig, path: string, query: URLSearchParams, body: string): Promise<K8sObject> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const opts: RequestOptions = {
    hostname: server.hostname.replace(/^\[|\]$/g, ''),
    port: server.port || (server.protocol === 'http:' ? 80 : 443),
    path: `${server.pathname.replace(/\/$/, '')}${path}?${query}`,
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
  };
  await kc.applyToHTTPSOptions(opts);
  const send = server.protocol === 'http:' ? httpRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: { message?: string } | undefined;
        try {
          parsed = JSON.parse(text) as { message?: string };
        } catch {
          parsed = undefined;
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && parsed) resolve(parsed as K8sObject);
        else reject(new ApiStatusError(status, parsed?.message ?? (text.trim() || `HTTP ${status}`)));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Applies objects in order (namespaces and CRD-free kinds first is the caller's order). */
export async function applyObjects(kc: KubeConfig, objects: readonly K8sObject[], opts: ApplyOptions = {}): Promise<K8sObject[]> {
  const paths = ObjectPaths.forConfig(kc);
  const applied: K8sObject[] = [];
  for (const o of objects) {
    try {
      const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, fieldValidation: 'Strict', force: String(opts.force ?? false) });
      if (opts.dryRun) query.set('dryRun', 'All');
      applied.push(await rawPatch(kc, await paths.pathOf(o), query, JSON.stringify(o)));
    } catch (err) {
      const status = statusOf(err);
      const where = `server-side apply of ${objectRef(o)} in ${o.metadata.namespace ?? '(cluster)'}`;
      // A manifest the API server's schema refuses is the user's to fix (exit 2). The server
      // answers an undeclared field under apply with HTTP 500 "failed to create typed patch object".
      if (status === 400 || status === 422 || /field not declared in schema|failed to create typed patch object/.test(reason(err))) {
        throw invalidInput(`${where} refused by the API server's schema (HTTP ${status}): ${reason(err)}`, [], 'fix the manifest; `peakready validate deploy/` checks it offline');
      }
      const unknownKind = /Unrecognized API version and kind/.test((err as Error).message);
      const hint =
        status === 409
          ? 'another field manager owns these fields; re-run with --force-conflicts to take them over'
          : status === 404 || unknownKind
            ? 'is the CRD for this kind installed (Argo Rollouts, Chaos Mesh, kube-prometheus)?'
            : undefined;
      throw environmentError(`${where} failed${status ? ` (HTTP ${status})` : ''}: ${reason(err)}`, hint, err);
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
