/** Faults that are one proxy toxic for their duration share this shape. */
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { Toxic } from './toxic.js';
import type { LocalFaultTarget, PreparedFault } from './fault.js';
import { FAULT_CATALOGUE } from './catalogue.js';
import { once, requireService } from './fault-params.js';

/** Prepares "add `toxic` to the target's proxy" with its removal as the revert. */
export function toxicFault(target: LocalFaultTarget, fault: ResolvedFault, toxic: Toxic): PreparedFault {
  // The kind's local targets (src/faults/catalogue.ts) among the services this stack runs:
  // Redis where the kind acts on Redis, every other service where it acts on model services.
  const supported: readonly string[] = FAULT_CATALOGUE[fault.kind].targets.local;
  requireService(target, fault, target.services.filter((s) => (s === 'redis' ? supported.includes('redis') : supported.some((t) => t !== 'redis'))));
  let remove: (() => void) | undefined;
  return {
    async act() {
      remove = target.addToxic(fault.target, fault.id, toxic);
    },
    revert: once(() => remove?.()),
  };
}
