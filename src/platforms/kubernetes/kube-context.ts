/**
 * Which cluster peakready talks to. It only ever acts in the context the user names with
 * `--context`: a kubeconfig whose current context happens to point at production must not
 * become a chaos target by accident. Also the namespace opt-in rule.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { environmentError, invalidInput } from '../../contract/errors.js';
import type { K8sObject } from '../../contract/k8s-objects.js';

/** The label a namespace must carry before peakready changes anything in it. */
export const CHAOS_OPT_IN_LABEL = 'peakready.io/chaos';
export const CHAOS_OPT_IN_VALUE = 'enabled';

/**
 * Loads the kubeconfig (or uses `kc`) and switches it to `context`. Refuses when no context
 * is named or the kubeconfig does not have it.
 */
export function pinContext(context: string | undefined, kc?: KubeConfig): KubeConfig {
  const config = kc ?? new KubeConfig();
  let loadError: unknown;
  if (!kc) {
    try {
      config.loadFromDefault();
    } catch (err) {
      loadError = err;
    }
  }
  // The missing flag is the user's first problem, whatever state the kubeconfig is in.
  if (!context) {
    const current = loadError ? '' : ` (current context is ${JSON.stringify(config.getCurrentContext())})`;
    throw invalidInput(`--context: required for the kubernetes platform${current}`, [], 'name the cluster explicitly, e.g. --context kind-peakready');
  }
  if (loadError) throw environmentError('cannot load a kubeconfig', 'set KUBECONFIG or create ~/.kube/config (kind create cluster writes one)', loadError);
  const names = config.getContexts().map((c) => c.name);
  if (!names.includes(context)) {
    throw invalidInput(`--context: no context ${JSON.stringify(context)} in the kubeconfig`, names.map((n) => `available: ${n}`));
  }
  config.setCurrentContext(context);
  return config;
}

/** HTTP status of a client error, or undefined for a network failure. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Refuses unless `namespace` carries peakready.io/chaos=enabled, or does not exist yet and
 * `manifests` create it with that label (the kind overlay does).
 */
export async function requireOptIn(kc: KubeConfig, namespace: string, manifests: readonly K8sObject[] = []): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  let labels: Record<string, string> | undefined;
  try {
    labels = (await core.readNamespace({ name: namespace })).metadata?.labels ?? {};
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) {
      const created = manifests.find((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
      if (created?.metadata.labels?.[CHAOS_OPT_IN_LABEL] === CHAOS_OPT_IN_VALUE) return;
      throw invalidInput(`namespace ${namespace} does not exist`, [], `kubectl create namespace ${namespace} && kubectl label namespace ${namespace} ${CHAOS_OPT_IN_LABEL}=${CHAOS_OPT_IN_VALUE}`);
    }
    if (status === undefined) throw environmentError(`cluster unreachable: ${(err as Error).message}`, 'check the --context and that the cluster is running');
    throw environmentError(`cannot read namespace ${namespace}: HTTP ${status}`, undefined, err);
  }
  if (labels[CHAOS_OPT_IN_LABEL] !== CHAOS_OPT_IN_VALUE) {
    throw invalidInput(
      `namespace ${namespace} has not opted in to peakready (label ${CHAOS_OPT_IN_LABEL}=${CHAOS_OPT_IN_VALUE} missing); refusing to act in it`,
      [],
      `kubectl label namespace ${namespace} ${CHAOS_OPT_IN_LABEL}=${CHAOS_OPT_IN_VALUE}`,
    );
  }
}
