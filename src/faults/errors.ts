/** errors: HTTP error answers for a share of requests (HTTPChaos abort). */
import { describeParams, resolveFaultParams } from './catalogue.js';
import type { Fault } from './fault.js';
import { toxicFault } from './toxic-fault.js';

export const errorsFault: Fault = {
  kind: 'errors',
  description: `answers an HTTP error for a share of requests (params: ${describeParams('errors')})`,
  prepare(target, fault) {
    const p = resolveFaultParams(fault);
    return toxicFault(target, fault, { kind: 'errors', status: p.status, fraction: p.fraction });
  },
};
