/** errors: HTTP error answers for a share of requests (HTTPChaos abort). */
import type { Fault } from './fault.js';
import { fraction, positive } from './fault-params.js';
import { toxicFault } from './toxic-fault.js';

export const errorsFault: Fault = {
  kind: 'errors',
  description: 'answers an HTTP error for a share of requests (params: status=503, fraction=1)',
  prepare: (target, fault) =>
    toxicFault(target, fault, { kind: 'errors', status: Math.trunc(positive(fault, 'status', 503, 599)), fraction: fraction(fault) }),
};
