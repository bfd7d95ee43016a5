/** reset: connections reset by peer for a share of requests (NetworkChaos loss, Toxiproxy reset_peer). */
import type { Fault } from './fault.js';
import { fraction } from './fault-params.js';
import { toxicFault } from './toxic-fault.js';

export const resetFault: Fault = {
  kind: 'reset',
  description: 'resets connections (TCP RST) for a share of requests (params: fraction=1)',
  prepare: (target, fault) => toxicFault(target, fault, { kind: 'reset', fraction: fraction(fault) }),
};
