/**
 * unavailable: every replica of the service is frozen with SIGSTOP (PodChaos pod-failure):
 * the processes exist but answer nothing, readiness probes fail, the proxy stops routing to
 * them. The revert sends SIGCONT.
 */
import type { Fault, FaultProcess } from './fault.js';
import { once, requireService } from './fault-params.js';

export const unavailableFault: Fault = {
  kind: 'unavailable',
  description: 'freezes every replica (SIGSTOP) so the service answers nothing; SIGCONT on revert',
  prepare(target, fault) {
    requireService(target, fault);
    const frozen: FaultProcess[] = [];
    return {
      async act() {
        const replicas = target.processes(fault.target);
        if (replicas.length === 0) throw new Error(`${fault.target} has no replica to freeze`);
        let stopped = 0;
        for (const p of replicas) {
          // Registered before the signal so a revert racing this loop still thaws it.
          frozen.push(p);
          p.paused = true;
          if (p.signal('SIGSTOP')) stopped++;
        }
        // The signal is the confirmation (a replica between restarts has no process to stop yet).
        if (stopped === 0) throw new Error(`no replica of ${fault.target} could be stopped (SIGSTOP not delivered)`);
      },
      revert: once(() => {
        for (const p of frozen) {
          p.signal('SIGCONT');
          p.paused = false;
        }
      }),
    };
  },
};
