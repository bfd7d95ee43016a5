/**
 * The label sweep behind `peakready clean --platform kubernetes`: deletes every Chaos Mesh
 * resource and load-runner Job that carries peakready.io/run-id (one run's, or all), in one
 * namespace or all of them. Safe to run any time; it is how a crashed run is cleaned up.
 */
import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { RUN_ID_LABEL } from '../../faults/chaos-mesh/chaos-invariants.js';
import { deleteObject } from './apply.js';
import { statusOf } from './kube-context.js';
import { objectRef, type K8sObject } from '../../contract/k8s-objects.js';

/** Kinds the sweep lists. Workflows first: deleting one removes the experiments it made. */
export const SWEPT_KINDS: readonly { readonly apiVersion: string; readonly kind: string }[] = [
  { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow' },
  { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Schedule' },
  { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos' },
  { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos' },
  { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'HTTPChaos' },
  { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'StressChaos' },
  { apiVersion: 'batch/v1', kind: 'Job' },
];

export interface SweepOptions {
  /** Only this namespace; all namespaces when omitted. */
  readonly namespace?: string;
  /** Only this run's resources; every peakready run's when omitted. */
  readonly runId?: string;
}

/** Deletes what the sweep finds; returns "Kind/name in namespace" for each deleted object. */
export async function sweepChaos(kc: KubeConfig, opts: SweepOptions = {}): Promise<string[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const selector = opts.runId ? `${RUN_ID_LABEL}=${opts.runId}` : RUN_ID_LABEL;
  const deleted: string[] = [];
  for (const { apiVersion, kind } of SWEPT_KINDS) {
    let items: K8sObject[];
    try {
      const list = await api.list<K8sObject>(apiVersion, kind, opts.namespace, undefined, undefined, undefined, undefined, selector);
      items = list.items;
    } catch (err) {
      // A cluster without Chaos Mesh has nothing of that kind to sweep.
      if (statusOf(err) === 404 || /Unrecognized API version and kind/.test((err as Error).message)) continue;
      throw err;
    }
    for (const item of items) {
      const o = { ...item, apiVersion, kind };
      if (await deleteObject(kc, o)) deleted.push(`${objectRef(o)} in ${o.metadata.namespace ?? '(cluster)'}`);
    }
  }
  return deleted;
}
