/**
 * kill-replica: SIGKILL `count` replicas (PodChaos pod-kill). Instantaneous: the supervisor
 * restarts them with back-off, which is the behaviour under test, so the revert does nothing.
 * As through a Kubernetes Service, requests in flight on a killed replica fail for the caller
 * (the service proxy resets their connections and never retries them); only a connect refused
 * before anything was sent goes to another ready replica, counted in the proxy's `retries`.
 */
import { invalidInput } from '../contract/errors.js';
import type { Fault } from './fault.js';
import { resolveFaultParams } from './catalogue.js';
import { requireService } from './fault-params.js';

export const killReplicaFault: Fault = {
  kind: 'kill-replica',
  description: 'SIGKILLs replicas: their requests in flight fail for the caller, the supervisor restarts them (params: count=1)',
  prepare(target, fault) {
    requireService(target, fault);
    const { count } = resolveFaultParams(fault);
    return {
      async act() {
        const live = target.processes(fault.target).filter((p) => p.pid !== undefined);
        if (live.length === 0) throw invalidInput(`faults.${fault.id}: ${fault.target} has no running replica to kill`);
        for (const p of live.slice(0, count)) p.signal('SIGKILL');
      },
      async revert() {
        /* nothing to undo: restarting is the platform's job */
      },
    };
  },
};
