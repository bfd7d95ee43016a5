/**
 * The reference stack's shape on the local platform: which services run, how many replicas
 * by default, and the command line of each (the stack contract's flags).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_SWITCHES } from '../../scenario/types.js';

export const APP_SERVICES = ['tabular', 'fallback', 'triton', 'generative', 'gateway'] as const;
export type AppService = (typeof APP_SERVICES)[number];

export const DEFAULT_REPLICAS: Readonly<Record<AppService, number>> = { tabular: 2, fallback: 1, triton: 1, generative: 1, gateway: 1 };

/** Services whose model version can be rolled out (the tabular model has v1 and v2-bad). */
export const VERSIONED_SERVICES: readonly string[] = ['tabular'];
export const DEFAULT_VERSION = 'v1';

/** The gateway flag that switches each of its mechanisms off (`--no-fallback`, …), from StackSpec.gateway booleans. */
const SWITCH_FLAGS: Readonly<Record<string, string>> = Object.fromEntries(GATEWAY_SWITCHES.map((m) => [m, `--no-${m}`]));

/**
 * Flags for the gateway from StackSpec.gateway and StackSpec.disable: `{fallback:false}` or
 * `disable: ['fallback']` → --no-fallback (likewise breaker, cache); every other gateway key
 * goes into a --config JSON file written to `dir`.
 */
export function gatewayOptionFlags(options: Readonly<Record<string, unknown>> | undefined, dir: string, disable: readonly string[] = []): string[] {
  const flags: string[] = [];
  for (const d of disable) if (SWITCH_FLAGS[d]) flags.push(SWITCH_FLAGS[d]);
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    const sw = typeof value === 'boolean' ? SWITCH_FLAGS[key] : undefined;
    if (sw) {
      if (value === false && !flags.includes(sw)) flags.push(sw);
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

/** Service-specific flags after `--port 0`. */
export function serviceArgs(service: string, version: string, ctx: LayoutContext): string[] {
  switch (service) {
    case 'tabular':
      return ['--version', version];
    case 'generative':
      return ['--warmup-ms', '300'];
    case 'gateway':
      return [
        // Only upstreams that run: a reduced stack (tests) leaves the others unset.
        ...(['tabular', 'fallback', 'triton', 'generative'] as const).flatMap((s) => (ctx.urls[s] ? [`--${s}-url`, ctx.urls[s]] : [])),
        '--redis-url',
        ctx.redisUrl,
        ...ctx.gatewayFlags,
      ];
    default:
      return [];
  }
}
