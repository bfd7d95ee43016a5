/**
 * Waits until workloads are ready. A timeout names the object that is not, its status
 * conditions and its latest Events, because "timed out" alone sends people to kubectl.
 */
import { CoreV1Api, KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { PeakreadyError } from '../../contract/errors.js';
import { objectRef, type K8sObject } from '../../contract/k8s-objects.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Kinds whose readiness we wait for; others are ready once applied. */
export const WAITED_KINDS = new Set(['Deployment', 'StatefulSet', 'Rollout', 'DaemonSet']);

/** Why `o` (as read from the API) is not ready yet, or null when it is. */
export function notReadyReason(o: K8sObject): string | null {
  const spec = (o.spec ?? {}) as { replicas?: number };
  const status = (o.status ?? {}) as Record<string, unknown> & { observedGeneration?: number; conditions?: Condition[] };
  const want = spec.replicas ?? 1;
  const generation = (o.metadata as { generation?: number }).generation;
  if (generation !== undefined && Number(status.observedGeneration ?? 0) < generation) return `controller has not observed generation ${generation} yet`;
  if (o.kind === 'Rollout') {
    const phase = status.phase as string | undefined;
    return phase === 'Healthy' ? null : `phase ${phase ?? 'unknown'}${status.message ? ` (${String(status.message)})` : ''}`;
  }
  if (o.kind === 'DaemonSet') {
    const desired = Number(status.desiredNumberScheduled ?? 0);
    const ready = Number(status.numberReady ?? 0);
    return desired > 0 && ready >= desired ? null : `${ready}/${desired} pods ready`;
  }
  const updated = Number(status.updatedReplicas ?? 0);
  const ready = Number(status.readyReplicas ?? 0);
  const available = o.kind === 'StatefulSet' ? ready : Number(status.availableReplicas ?? 0);
  if (updated >= want && ready >= want && available >= want) return null;
  return `${ready}/${want} replicas ready, ${updated} updated, ${available} available`;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

type Event = Awaited<ReturnType<CoreV1Api['listNamespacedEvent']>>['items'][number];

/** The latest `n` events of one object, newest first, as indented lines. */
async function latestEvents(core: CoreV1Api, namespace: string, fieldSelector: string, n: number, prefix: string): Promise<string[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector });
  const time = (e: Event): number => new Date(String(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0)).getTime();
  return [...list.items]
    .sort((a, b) => time(b) - time(a))
    .slice(0, n)
    .map((e) => `  ${prefix}event ${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`.replace(/\s+:/, ':'));
}

/** Pods a workload selects (its spec.selector.matchLabels), at most `max`, not-ready first. */
async function podsOf(core: CoreV1Api, o: K8sObject, max: number): Promise<string[]> {
  const labels = ((o.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels) ?? {};
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  if (!selector) return [];
  const pods = await core.listNamespacedPod({ namespace: o.metadata.namespace ?? 'default', labelSelector: selector });
  const ready = (p: (typeof pods.items)[number]): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return pods.items
    .sort((a, b) => Number(ready(a)) - Number(ready(b)))
    .slice(0, max)
    .map((p) => p.metadata?.name ?? '')
    .filter(Boolean);
}

/**
 * Formats conditions and the latest Events of an object for a timeout message, and those of
 * its pods: the reason a Deployment is stuck (an unbound claim, FailedScheduling, an image
 * pull) is usually an event on a pod, not on the Deployment.
 */
export async function describeNotReady(kc: KubeConfig, o: K8sObject, why: string): Promise<string[]> {
  const lines = [`${objectRef(o)}: ${why}`];
  for (const c of ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? [])) {
    lines.push(`  condition ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`);
  }
  const namespace = o.metadata.namespace ?? 'default';
  const core = kc.makeApiClient(CoreV1Api);
  try {
    const own = await latestEvents(core, namespace, `involvedObject.name=${o.metadata.name}`, 5, '');
    lines.push(...own);
    let podEvents = 0;
    for (const pod of await podsOf(core, o, 3)) {
      const events = await latestEvents(core, namespace, `involvedObject.kind=Pod,involvedObject.name=${pod}`, 3, `pod ${pod} `);
      podEvents += events.length;
      lines.push(...events);
    }
    if (own.length === 0 && podEvents === 0) lines.push('  no events');
  } catch (err) {
    lines.push(`  (events unavailable: ${(err as Error).message})`);
  }
  return lines;
}

/** Polls every workload among `objects` until all are ready or the timeout passes. */
export async function waitForReady(kc: KubeConfig, objects: readonly K8sObject[], opts: WaitOptions): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const pending = objects.filter((o) => WAITED_KINDS.has(o.kind));
  const deadline = Date.now() + opts.timeoutMs;
  const pollMs = opts.pollMs ?? 1000;
  let last = new Map<K8sObject, { live: K8sObject; why: string }>();
  while (true) {
    const next = new Map<K8sObject, { live: K8sObject; why: string }>();
    for (const o of pending) {
      const live = (await api.read({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace ?? 'default' } })) as K8sObject;
      const why = notReadyReason(live);
      if (why) next.set(o, { live, why });
    }
    last = next;
    if (last.size === 0) return;
    if (Date.now() >= deadline || opts.signal?.aborted) break;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
  const problems: string[] = [];
  for (const { live, why } of last.values()) problems.push(...(await describeNotReady(kc, live, why)));
  const names = [...last.values()].map((v) => objectRef(v.live)).join(', ');
  throw new PeakreadyError('ENVIRONMENT', `not ready after ${Math.round(opts.timeoutMs / 1000)}s: ${names}`, {
    problems,
    hint: 'kubectl describe the objects above; raise --ready-timeout if images are still pulling',
  });
}
