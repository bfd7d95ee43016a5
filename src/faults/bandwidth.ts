/** bandwidth: answers limited to a byte rate (NetworkChaos bandwidth). */
import type { Fault } from './fault.js';
import { positive } from './fault-params.js';
import { toxicFault } from './toxic-fault.js';

export const bandwidthFault: Fault = {
  kind: 'bandwidth',
  description: 'limits answers to a byte rate (params: rate=bytes per second, default 10240)',
  prepare: (target, fault) => toxicFault(target, fault, { kind: 'bandwidth', bytesPerSecond: positive(fault, 'rate', 10_240) }),
};
