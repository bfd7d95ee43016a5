/** latency: added delay with jitter on a share of requests (NetworkChaos delay); on redis, on its answers. */
import { describeParams, resolveFaultParams } from './catalogue.js';
import type { Fault } from './fault.js';
import { toxicFault } from './toxic-fault.js';

export const latencyFault: Fault = {
  kind: 'latency',
  description: `adds delay with jitter to requests (params: ${describeParams('latency')})`,
  prepare(target, fault) {
    const p = resolveFaultParams(fault);
    return toxicFault(target, fault, { kind: 'latency', latencyMs: p.latencyMs, jitterMs: p.jitterMs, fraction: p.fraction });
  },
};
