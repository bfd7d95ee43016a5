/**
 * The reference stack's shape on the local platform, read from its definition
 * (scenario/reference-stack.ts): which services run, how many replicas by default, and the
 * command line of each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_REPLICAS, REFERENCE_SERVICES, REFERENCE_STACK, REFERENCE_VERSIONS, referenceServiceArgs, referenceVersionArgs } from '../../scenario/reference-stack.js';

export const APP_SERVICES: readonly string[] = REFERENCE_SERVICES;

export const DEFAULT_REPLICAS: Readonly<Record<string, number>> = REFERENCE_REPLICAS;

/** Services whose model version can be rolled out (the tabular model has v1 and v2-bad). */
export const VERSIONED_SERVICES: readonly string[] = Object.keys(REFERENCE_VERSIONS);

/** The entry's flags that switch each of its mechanisms off (`--no-fallback`, …), from the definition's switches. */
const SWITCH_FLAGS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(Object.entries(REFERENCE_STACK.switches).map(([m, sw]) => [m, sw.args]));

/**
 * Flags for the gateway from StackSpec.gateway and StackSpec.disable: `{fallback:false}` or
 * `disable: ['fallback']` → --no-fallback (likewise breaker, cache); every other gateway key
 * goes into a --config JSON file written to `dir`.
 */
export function gatewayOptionFlags(options: Readonly<Record<string, unknown>> | undefined, dir: string, disable: readonly string[] = []): string[] {
  const flags: string[] = [];
  const off = (sw: readonly string[]) => {
    if (!sw.every((f) => flags.includes(f))) flags.push(...sw);
  };
  for (const d of disable) if (SWITCH_FLAGS[d]) off(SWITCH_FLAGS[d]);
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    const sw = typeof value === 'boolean' ? SWITCH_FLAGS[key] : undefined;
    if (sw) {
      if (value === false) off(sw);
    } else config[key] = value;
  }
  if (Object.keys(config).length > 0) {
    const file = join(dir, 'gateway-config.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    flags.push('--config', file);
  }
  return flags;
}

export interface LayoutContext {
  /** Proxy URL of each service (the gateway calls upstreams through them). */
  readonly urls: Readonly<Record<string, string>>;
  readonly redisUrl: string;
  readonly gatewayFlags: readonly string[];
}

/**
 * Service-specific flags after `--port 0`: the definition's arguments (only upstreams that
 * run: a reduced stack, as tests start, leaves the others out), the version's, and for the
 * entry the switches and options of the scenario.
 */
export function serviceArgs(service: string, version: string | undefined, ctx: LayoutContext): string[] {
  return [
    ...referenceServiceArgs(service, { ...ctx.urls, redis: ctx.redisUrl }),
    ...(version !== undefined ? referenceVersionArgs(service, version) : []),
    ...(service === REFERENCE_STACK.entry ? ctx.gatewayFlags : []),
  ];
}
