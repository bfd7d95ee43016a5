/**
 * The Chaos Mesh back end of every fault kind: the same `Fault` interface as the local
 * back ends, acting through objects in the cluster. `prepare` renders the kind's object
 * (chaos/<template>.yaml) and checks it against peakready's chaos safety rules; `act`
 * applies it and resolves only once Chaos Mesh reports every selected target injected;
 * `revert` deletes it (the object's own `duration` heals it even if the harness dies).
 */
import { environmentError, invalidInput } from '../../contract/errors.js';
import type { FaultKind } from '../../scenario/fault-spec.js';
import { FAULT_KINDS } from '../../scenario/fault-spec.js';
import { objectRef, type K8sObject } from '../../contract/k8s-objects.js';
import { kindTargets, type StackTargets } from '../catalogue.js';
import type { Fault } from '../fault.js';
import { once } from '../fault-params.js';
import { confirmTimeoutMs, waitForInjected, type ChaosStatus } from './chaos-confirmation.js';
import { chaosInvariantProblems } from './chaos-invariants.js';
import { aimedAtStackPods, chaosForFault, TEMPLATE_FOR_KIND, type StackPods } from './fault-to-chaos.js';

/** What a cluster lends to faults: objects in one opted-in namespace. */
export interface ChaosObjectTarget {
  readonly namespace: string;
  readonly runId: string;
  /** Creates (or updates) the object. */
  apply(object: K8sObject): Promise<void>;
  /** Deletes the object; harmless when it is gone. */
  remove(object: K8sObject): Promise<void>;
  /** The object's status as Chaos Mesh reports it (undefined before it reports any). */
  readStatus(object: K8sObject): Promise<ChaosStatus | undefined>;
  /** How long Chaos Mesh may take to report the fault injected (default from the fault's duration). */
  readonly confirmTimeoutMs?: number;
  readonly confirmPollMs?: number;
  /** A team's own stack (a stack file): its fault targets, and the pods of each, looked up when the fault is injected. */
  readonly stack?: { readonly targets: StackTargets; pods(target: string): Promise<StackPods> };
}

function chaosMeshFault(kind: FaultKind): Fault<ChaosObjectTarget> {
  return {
    kind,
    description: `a Chaos Mesh object from chaos/${TEMPLATE_FOR_KIND[kind]}.yaml, confirmed when every selected pod is injected`,
    prepare(target, fault) {
      const allowed = kindTargets(kind, 'kubernetes', target.stack?.targets);
      if (!allowed.includes(fault.target)) throw invalidInput(`faults.${fault.id}.target: expected one of ${allowed.join(', ')}, got ${JSON.stringify(fault.target)}`);
      let object = chaosForFault(fault, { runId: target.runId, namespace: target.namespace });
      const check = () => {
        const problems = chaosInvariantProblems(object, 'chaos');
        if (problems.length > 0) throw invalidInput(`refusing to apply ${objectRef(object)}: it breaks peakready's chaos safety rules`, problems);
      };
      check();
      const where = `${objectRef(object)} in ${target.namespace}`;
      return {
        async act() {
          // A team's pods are looked up now: a partition's other side is the pods running at injection.
          if (target.stack) {
            object = aimedAtStackPods(object, await target.stack.pods(fault.kind === 'redis-outage' ? 'redis' : fault.target));
            check();
          }
          await target.apply(object);
          try {
            await waitForInjected(() => target.readStatus(object), {
              timeoutMs: confirmTimeoutMs(fault.durationMs, target.confirmTimeoutMs),
              ...(target.confirmPollMs ? { pollMs: target.confirmPollMs } : {}),
            });
          } catch (err) {
            throw environmentError(`${where}: ${err instanceof Error ? err.message : String(err)}; the object was deleted`, 'check that the Chaos Mesh controller and its daemon run, and that the selector matches a pod', err);
          }
        },
        revert: once(() => target.remove(object)),
      };
    },
  };
}

/** The Chaos Mesh back end, by kind. */
export const CHAOS_MESH_FAULTS: Readonly<Record<FaultKind, Fault<ChaosObjectTarget>>> = Object.fromEntries(FAULT_KINDS.map((k) => [k, chaosMeshFault(k)])) as Record<FaultKind, Fault<ChaosObjectTarget>>;
