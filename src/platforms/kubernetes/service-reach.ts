/**
 * How the harness reaches a Service of the stack from where it runs. Traffic and queries go
 * to the Service itself, spread over its ready pods by kube-proxy, as the users' traffic is:
 * first its ClusterIP (routable from a cluster node, or from a host whose kube-proxy or route
 * covers the service range), then a NodePort on each node's InternalIP. Only a cluster the
 * harness cannot route to (GKE from a laptop, kind on macOS) falls back to a port-forward
 * through the API server, which pins every request to one pod; the choice is reported.
 */
import { CoreV1Api, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { environmentError } from '../../contract/errors.js';
import type { ReachKind } from '../capabilities.js';
import { pickPod, portForward, type Forward } from './port-forward.js';

export type { ReachKind } from '../capabilities.js';

export interface Reach {
  readonly url: string;
  readonly kind: ReachKind;
  /** What the harness tried before (empty when the first way answered). */
  readonly tried: readonly string[];
  /** Closes a port-forward; a no-op otherwise. */
  close(): Promise<void>;
}

/** True when `url` answers an HTTP request at all (any status) within `timeoutMs`. */
async function answers(url: string, path: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Candidate URLs of a Service's named or numbered port, best first. */
export function serviceUrls(svc: V1Service, port: number, nodeIps: readonly string[]): { url: string; kind: ReachKind }[] {
  const out: { url: string; kind: ReachKind }[] = [];
  const p = svc.spec?.ports?.find((x) => x.port === port) ?? svc.spec?.ports?.[0];
  if (!p) return out;
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None') out.push({ url: `http://${ip.includes(':') ? `[${ip}]` : ip}:${p.port}`, kind: 'cluster-ip' });
  if (p.nodePort) for (const n of nodeIps) out.push({ url: `http://${n}:${p.nodePort}`, kind: 'node-port' });
  return out;
}

/**
 * Reaches `service` (port `port`) in `namespace`: the first of its ClusterIP and NodePorts
 * that answers `probePath`, else a port-forward to one ready pod.
 */
export async function reachService(
  kc: KubeConfig,
  namespace: string,
  service: string,
  port: number,
  opts: { probePath?: string; timeoutMs?: number } = {},
): Promise<Reach> {
  const core = kc.makeApiClient(CoreV1Api);
  const tried: string[] = [];
  let svc: V1Service | undefined;
  try {
    svc = await core.readNamespacedService({ name: service, namespace });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    throw environmentError(`no Service ${service} in ${namespace}`, `kubectl -n ${namespace} get service ${service}`);
  }
  const nodes = svc.spec?.ports?.some((p) => p.nodePort) ? (await core.listNode()).items : [];
  const nodeIps = nodes.flatMap((n) => n.status?.addresses?.filter((a) => a.type === 'InternalIP').map((a) => a.address) ?? []);
  for (const c of serviceUrls(svc, port, nodeIps)) {
    if (await answers(c.url, opts.probePath ?? '/', opts.timeoutMs ?? 1500)) return { url: c.url, kind: c.kind, tried, close: async () => {} };
    tried.push(`${c.kind} ${c.url}`);
  }
  // The pods the Service itself selects (the reference stack's carry app=<service>).
  const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const f: Forward = await portForward(kc, namespace, await pickPod(kc, namespace, service, selector || undefined), port);
  return { url: f.url, kind: 'port-forward', tried, close: () => f.close() };
}
