/** latency: added delay with jitter on a share of requests (NetworkChaos delay). */
import type { Fault } from './fault.js';
import { durationParam, fraction } from './fault-params.js';
import { toxicFault } from './toxic-fault.js';

export const latencyFault: Fault = {
  kind: 'latency',
  description: 'adds delay with jitter to requests (params: latency=300ms, jitter=0ms, fraction=1)',
  prepare: (target, fault) =>
    toxicFault(target, fault, {
      kind: 'latency',
      latencyMs: durationParam(fault, 'latency', '300ms'),
      jitterMs: durationParam(fault, 'jitter', '0ms'),
      fraction: fraction(fault),
    }),
};
