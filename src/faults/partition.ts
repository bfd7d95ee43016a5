/** partition: no traffic reaches the service; requests hang unanswered (NetworkChaos partition). */
import type { Fault } from './fault.js';
import { toxicFault } from './toxic-fault.js';

export const partitionFault: Fault = {
  kind: 'partition',
  description: 'black-holes requests: no answer until the partition heals, then connections close',
  prepare: (target, fault) => toxicFault(target, fault, { kind: 'partition' }),
};
