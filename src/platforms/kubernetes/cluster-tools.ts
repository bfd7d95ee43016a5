/**
 * What the cluster commands use without a Platform instance (`deploy`, `teardown`,
 * `clean --platform kubernetes`): the overlay rendered offline, then applied, waited on,
 * deleted or swept in one pinned context. Reached through factory.ts's kubernetesTools(),
 * which loads it on demand.
 */
export { applyObjects, deleteObject } from './apply.js';
export { sweepChaos } from './chaos-sweep.js';
export { pinContext, requireOptIn } from './kube-context.js';
export { renderStack } from './kubernetes-platform.js';
export { waitForReady } from './readiness.js';
