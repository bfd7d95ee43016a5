/**
 * The platform a capacity search runs on, shaped for it: on the local platform only the
 * service under test runs when it is driven directly (less noise on the machine, faster
 * start), optionally with a simulator profile; the stack is pinned to fixed replicas with
 * no autoscaling so the rate per replica is what is measured.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Platform } from '../platforms/platform.js';
import { createPlatform } from '../platforms/factory.js';
import { stackMechanisms, type LoadedStack } from '../scenario/stack-definition.js';
import type { StackSpec, StackMechanism } from '../scenario/types.js';
import { REFERENCE_ROLES, REFERENCE_STACK } from '../scenario/reference-stack.js';
import type { CapacityService } from './service-traffic.js';

/** Services that take a `--profile` file (the simulators). */
export const PROFILED_SERVICES: readonly CapacityService[] = Object.keys(REFERENCE_ROLES).filter((s) => REFERENCE_ROLES[s]!.simulator);

/** How the traffic reaches the service on a platform (see service-traffic.ts for why). */
export function routeMode(service: CapacityService, platform: 'local' | 'kubernetes'): 'direct' | 'gateway' {
  return service === REFERENCE_STACK.entry || platform === 'kubernetes' ? 'gateway' : 'direct';
}

/**
 * The stack for the search: `replicas` of the service, no HPA. Through the gateway on
 * Kubernetes, the mechanisms that would absorb the service's saturation are switched off.
 */
export function capacityStack(base: StackSpec, service: CapacityService, replicas: number, platform: 'local' | 'kubernetes', extraDisable: readonly string[] = []): StackSpec {
  const disable = new Set<string>(base.disable ?? []);
  disable.add('autoscaler');
  if (platform === 'kubernetes' && service !== REFERENCE_STACK.entry) for (const m of Object.keys(REFERENCE_STACK.switches)) disable.add(m);
  for (const m of extraDisable) disable.add(m);
  return {
    replicas: { ...(base.replicas ?? {}), [service]: replicas },
    ...(base.gateway ? { gateway: base.gateway } : {}),
    disable: [...disable],
  };
}

/**
 * The stack for a search on a team's own stack (a stack definition): `replicas` of the
 * service under test, the stack's autoscaler off when it has one, and the mechanisms asked
 * for with `--disable` (its own switches, e.g. a fallback that would answer 200s while the
 * service saturates). Its other services run as its stack file and the scenario say. On
 * Kubernetes its HPAs are its manifests': the autoscaler is always off there, which holds the
 * HPAs of the service at `replicas` for the search (and puts them back after).
 */
export function definedCapacityStack(base: StackSpec, stack: LoadedStack, service: string, replicas: number, extraDisable: readonly string[] = [], platform: 'local' | 'kubernetes' = 'local'): StackSpec {
  const disable = new Set<string>(base.disable ?? []);
  if (platform === 'kubernetes' || stackMechanisms(stack.definition).includes('autoscaler')) disable.add('autoscaler');
  for (const m of extraDisable) disable.add(m);
  return {
    replicas: { ...(base.replicas ?? {}), [service]: replicas },
    ...(base.definition === undefined ? {} : { definition: base.definition }),
    ...(base.classify === undefined ? {} : { classify: base.classify }),
    disable: [...disable],
  };
}

/**
 * A profile argument as a file: a path as given, or the name of a bundled profile
 * (`capacity-triton-4x50ms` → <repo>/dist/stack/profiles/capacity-triton-4x50ms.json).
 * Undefined when neither exists.
 */
export function resolveProfile(value: string, repoRoot: string): string | undefined {
  const direct = isAbsolute(value) ? value : resolve(value);
  if (existsSync(direct)) return direct;
  if (value.includes('/')) return undefined;
  for (const name of [value, `${value}.json`]) {
    const bundled = join(repoRoot, 'dist', 'stack', 'profiles', name);
    if (existsSync(bundled)) return bundled;
  }
  return undefined;
}

export interface CapacityPlatformOptions {
  readonly platform: 'local' | 'kubernetes';
  readonly service: string;
  /** A team's own stack: all of its services run (locally) or are found in the namespace (Kubernetes); the traffic goes to its entry. */
  readonly stack?: LoadedStack;
  /** kubernetes, with a stack file: the Prometheus that scrapes it, when the file names none. */
  readonly prometheusUrl?: string;
  /** Resolved profile file for the service (local only). */
  readonly profile?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly overlay?: string;
}

/** Creates the platform; nothing starts until `up`. */
export async function createCapacityPlatform(o: CapacityPlatformOptions): Promise<Platform> {
  if (o.platform === 'kubernetes') {
    return createPlatform({
      platform: 'kubernetes',
      context: o.context,
      namespace: o.namespace ?? 'peakready',
      overlay: o.overlay ?? 'kind',
      ...(o.stack ? { stack: o.stack } : {}),
      ...(o.prometheusUrl ? { prometheusUrl: o.prometheusUrl } : {}),
    });
  }
  if (o.stack) return createPlatform({ platform: 'local', stack: o.stack });
  const direct = routeMode(o.service as CapacityService, 'local') === 'direct';
  const profile = o.profile;
  return createPlatform({
    platform: 'local',
    ...(direct ? { services: [o.service] } : {}),
    ...(profile ? { extraArgs: (svc: string) => (svc === o.service ? ['--profile', profile] : []) } : {}),
  });
}
