/**
 * The platform factory: the single public entry of the two implementations. Everything
 * outside src/platforms reaches platforms/local and platforms/kubernetes through this file
 * only (with platform.ts for the Platform interface and capabilities.ts for the optional
 * capabilities and their type guards); nothing here holds logic of its own.
 *
 * - createPlatform: a Platform, for the commands that drive one (run, stack up, capacity).
 * - The tools of commands that are platform-specific by nature and take no Platform
 *   instance: the local stack's run-state files and admin API (stack, chaos, clean), the
 *   Kubernetes manifests and cluster (validate, bundle, deploy, teardown, clean), and the
 *   load runners' result line (load --emit-histograms).
 *
 * The implementations themselves, and the Kubernetes client, load on demand: a local run
 * does not pay for @kubernetes/client-node.
 */
import type { LocalPlatformOptions } from './local/local-platform.js';
import type { KubernetesPlatformOptions } from './kubernetes/kubernetes-platform.js';
import type { Platform } from './platform.js';

/** Options of the local platform (processes on loopback). */
export interface LocalOptions extends LocalPlatformOptions {
  readonly platform: 'local';
}

/** Options of the kubernetes platform (an opted-in namespace of one kubeconfig context). */
export interface KubernetesOptions extends KubernetesPlatformOptions {
  readonly platform: 'kubernetes';
}

export type PlatformOptions = LocalOptions | KubernetesOptions;

/** Creates the platform `options.platform` names; nothing starts until `up`. */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  if (options.platform === 'kubernetes') {
    const { platform: _, ...opts } = options;
    const { KubernetesPlatform } = await import('./kubernetes/kubernetes-platform.js');
    return new KubernetesPlatform(opts);
  }
  const { platform: _, ...opts } = options;
  const { createLocalPlatform } = await import('./local/local-platform.js');
  return createLocalPlatform(opts);
}

// Local: a `stack up` running elsewhere (stack status|down, chaos), and what crashed runs left (clean).

/** findLiveStack: the newest running `stack up` with an admin API; adminCall: one call of that API. */
export { adminCall, findLiveStack } from './local/admin-client.js';
/** The run-state files of local stacks: where they are, which exist, and reaping a dead one's leftovers. */
export { listRunStates, reapRunState, runStateDir, type StoredRunState } from './local/run-state.js';
/** Whether a PID is still the process that was recorded (its start time matches). */
export { isSameProcess } from './local/proc-info.js';
/** The application services of the local reference stack (`stack up --services`). */
export { APP_SERVICES } from './local/stack-layout.js';
/** Where the repository or installed package lives (its deploy/, chaos/ and dist/stack/profiles). */
export { REPO_ROOT } from './local/repo-root.js';

// Kubernetes, offline (no cluster).

/** Validates manifests, chaos templates and scenarios offline (`validate`). */
export { validatePaths } from './kubernetes/validate-paths.js';
/** The vendored CRDs (deploy/crds, or $PEAKREADY_CRDS_DIR), e.g. the k6-operator TestRun's (`bundle`). */
export { crdsDir } from './kubernetes/schema-registry.js';
/** The result line a load runner ends its log with (`load --emit-histograms`), which the harness merges. */
export { formatRunnerResult, runnerResult } from './kubernetes/runner-results.js';

/**
 * The cluster tools of `deploy`, `teardown` and `clean --platform kubernetes` (render, apply,
 * wait, delete, sweep in a pinned context), loaded on demand with the Kubernetes client.
 */
export function kubernetesTools(): Promise<typeof import('./kubernetes/cluster-tools.js')> {
  return import('./kubernetes/cluster-tools.js');
}
