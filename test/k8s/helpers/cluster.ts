/**
 * Shared access to the real control plane that scripts/k8s/up.sh started: clients from
 * its kubeconfig, throwaway namespaces, server-side apply, and polling with a message
 * that shows the last observed state when the wait times out.
 */
import { randomBytes } from 'node:crypto';
import { request, type RequestOptions } from 'node:https';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';

/** The namespace label the kubernetes platform requires before it acts (issue 6). */
export const OPT_IN_LABEL = 'peakready.io/chaos';
export const OPT_IN_VALUE = 'enabled';
/** Field manager of the objects the suite applies itself. */
export const TEST_MANAGER = 'peakready-k8s-test';

/** API clients bound to the test control plane. */
export interface TestCluster {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly custom: CustomObjectsApi;
  readonly objects: KubernetesObjectApi;
  readonly kubeconfigPath: string;
  readonly context: string;
}

/** Connects to the control plane named by $KUBECONFIG; refuses anything but loopback. */
export function connect(): TestCluster {
  const path = process.env.KUBECONFIG;
  if (!path) {
    throw new Error('KUBECONFIG is not set: run the k8s suite through scripts/k8s/test-k8s.sh (make test-k8s)');
  }
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const server = kc.getCurrentCluster()?.server ?? '';
  // The suite creates and deletes freely: it must never reach a real cluster.
  if (!/^https:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(server)) {
    throw new Error(`refusing to run the k8s suite against ${server}: only a loopback test control plane is allowed`);
  }
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    kubeconfigPath: path,
    context: kc.getCurrentContext(),
  };
}

/** A namespace for one test file, labelled with the opt-in label unless `optIn` is false. */
export async function createNamespace(c: TestCluster, prefix: string, optIn = true): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await c.core.createNamespace({
    body: {
      metadata: { name, labels: optIn ? { [OPT_IN_LABEL]: OPT_IN_VALUE, 'peakready.io/test': 'k8s' } : { 'peakready.io/test': 'k8s' } },
    },
  });
  // The ServiceAccount admission plugin refuses pods until the controller made "default".
  await until(`service account default in ${name}`, async () => {
    try {
      return await c.core.readNamespacedServiceAccount({ name: 'default', namespace: name });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  });
  return name;
}

/** Deletes a namespace and everything in it (the namespace controller finishes it later). */
export async function deleteNamespace(c: TestCluster, name: string | undefined): Promise<void> {
  if (!name) return;
  try {
    await c.core.deleteNamespace({ name, propagationPolicy: 'Background' });
  } catch (err) {
    if (!isStatus(err, 404)) throw err;
  }
}

/** Server-side apply of one object; returns what the server stored. */
export async function apply<T extends KubernetesObject>(c: TestCluster, obj: T, manager = TEST_MANAGER, force = false): Promise<T> {
  return c.objects.patch(obj, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);
}

/** True when `err` is an API error with the given HTTP status. */
export function isStatus(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

/** The API server's message of an API error (its Status body), or the error text. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
    return String(err.body);
  }
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Polls `probe` until it returns a value other than undefined/false. On timeout the
 * error names `what` and shows the last value `describe` was given, so a failure says
 * which object was not ready and in what state.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  opts: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const state = opts.describe ? await opts.describe().catch((e: unknown) => `(describe failed: ${String(e)})`) : '';
      const cause = lastError ? ` last error: ${apiMessage(lastError)}` : '';
      throw new Error(`timed out waiting for ${what}.${cause}${state ? ` state: ${state}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/** Recent Events of one object, oldest first, as "Reason: message" lines. */
export async function eventsOf(c: TestCluster, namespace: string, name: string): Promise<string[]> {
  const list = await c.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')))
    .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
}

/** The answer of a raw API request: HTTP status, parsed body and any Warning headers. */
export interface RawResponse {
  readonly status: number;
  readonly body: { message?: string; [k: string]: unknown };
  readonly warnings: string[];
}

/** A request to the API server with the test cluster's credentials, for what the typed client does not expose. */
export async function rawRequest(
  c: TestCluster,
  method: string,
  path: string,
  opts: { body?: string; contentType?: string; timeoutMs?: number } = {},
): Promise<{ status: number; text: string; warnings: string[] }> {
  const server = new URL(c.kc.getCurrentCluster()?.server ?? '');
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.contentType ? { 'content-type': opts.contentType } : {}) };
  const req: RequestOptions = { hostname: server.hostname, port: server.port, path, method, headers };
  await c.kc.applyToHTTPSOptions(req);
  return new Promise((resolve, reject) => {
    const r = request(req, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const warning = res.headers.warning;
        resolve({ status: res.statusCode ?? 0, text, warnings: warning ? [warning].flat() : [] });
      });
    });
    r.setTimeout(opts.timeoutMs ?? 10_000, () => r.destroy(new Error(`${method} ${path} timed out`)));
    r.on('error', reject);
    r.end(opts.body);
  });
}

/**
 * Server-side apply through a raw request, for query parameters the typed client does
 * not expose (fieldValidation). `path` is the object's API path.
 */
export async function rawApply(c: TestCluster, path: string, obj: object, query: Record<string, string>): Promise<RawResponse> {
  const qs = new URLSearchParams({ fieldManager: TEST_MANAGER, ...query });
  const r = await rawRequest(c, 'PATCH', `${path}?${qs}`, { body: JSON.stringify(obj), contentType: 'application/apply-patch+yaml' });
  return { status: r.status, body: safeJson(r.text) as RawResponse['body'], warnings: r.warnings };
}

/**
 * What a field manager's apply left on each object: "generation@time of its Apply entry".
 * Two applies are idempotent when this is the same after both (controllers still write
 * status, which moves resourceVersion but not these).
 */
export function appliedState(objects: readonly KubernetesObject[], manager: string): Record<string, string> {
  return Object.fromEntries(
    objects.map((o) => {
      const entry = o.metadata?.managedFields?.find((f) => f.manager === manager && f.operation === 'Apply');
      const time = entry?.time instanceof Date ? entry.time.toISOString() : String(entry?.time ?? 'not owned');
      return [`${o.kind}/${o.metadata?.name}`, `${o.metadata?.generation ?? '-'}@${time}`];
    }),
  );
}
