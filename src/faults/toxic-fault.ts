/** Faults that are one proxy toxic for their duration share this shape. */
import type { ResolvedFault } from '../scenario/fault-spec.js';
import type { Toxic } from './toxic.js';
import type { LocalFaultTarget, PreparedFault } from './fault.js';
import { FAULT_CATALOGUE } from './catalogue.js';
import { once, requireService } from './fault-params.js';

/** Prepares "add `toxic` to the target's proxy" with its removal as the revert. */
export function toxicFault(target: LocalFaultTarget, fault: ResolvedFault, toxic: Toxic): PreparedFault {
  // The kinds' local targets (src/faults/catalogue.ts) that this stack runs.
  const supported: readonly string[] = FAULT_CATALOGUE[fault.kind].targets.local;
  requireService(target, fault, target.services.filter((s) => supported.includes(s)));
  let remove: (() => void) | undefined;
  return {
    async act() {
      remove = target.addToxic(fault.target, fault.id, toxic);
    },
    revert: once(() => remove?.()),
  };
}
