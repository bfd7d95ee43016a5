/**
 * kill-replica: SIGKILL `count` replicas (PodChaos pod-kill). Instantaneous: the supervisor
 * restarts them with back-off, which is the behaviour under test, so the revert does nothing.
 */
import { invalidInput } from '../errors.js';
import type { Fault } from './fault.js';
import { positive, requireService } from './fault-params.js';

export const killReplicaFault: Fault = {
  kind: 'kill-replica',
  description: 'SIGKILLs replicas; the supervisor restarts them (params: count=1)',
  prepare(target, fault) {
    requireService(target, fault);
    const count = Math.trunc(positive(fault, 'count', 1));
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
