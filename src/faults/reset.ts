/** reset: connections reset by peer for a share of requests (NetworkChaos loss, Toxiproxy reset_peer). */
import { describeParams, resolveFaultParams } from './catalogue.js';
import type { Fault } from './fault.js';
import { toxicFault } from './toxic-fault.js';

export const resetFault: Fault = {
  kind: 'reset',
  description: `resets connections (TCP RST) for a share of requests (params: ${describeParams('reset')})`,
  prepare: (target, fault) => toxicFault(target, fault, { kind: 'reset', fraction: resolveFaultParams(fault).fraction }),
};
