/**
 * Gateway configuration: flags (with env fallbacks) for the wiring, an optional JSON file
 * (`--config`) for the thresholds. Defaults keep tests quick (half-open after 2 s) while
 * matching the seed's numbers (fallback policy, 30-minute cache TTL, 50-instance batches).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GENERATE_MAX_AVG_TTFT_MS, GENERATE_MAX_UPSTREAM_ERROR_RATE } from '../profiles/generate-fallback-thresholds.js';

/** The upstreams the gateway calls; `fallback` is the lighter model behind the predict routes. */
export const UPSTREAM_NAMES = ['tabular', 'fallback', 'triton', 'generative'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

const breakerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('consecutive'), failures: z.number().int().min(1) }).strict(),
  z
    .object({
      kind: z.literal('sampling'),
      threshold: z.number().gt(0).max(1),
      durationMs: z.number().int().min(100),
      minimumRps: z.number().min(0).optional(),
    })
    .strict(),
]);

const upstreamSchema = z
  .object({
    timeoutMs: z.number().int().min(1),
    halfOpenAfterMs: z.number().int().min(1),
    breaker: breakerSchema,
    bulkhead: z.object({ limit: z.number().int().min(1), queue: z.number().int().min(0) }).strict(),
    connections: z.number().int().min(1),
  })
  .strict();

const policySchema = z
  .object({
    /** The seed's `error_count > 10`, counted inside the window. */
    maxErrors: z.number().int().min(0),
    /** The seed's `avg_latency > 0.5` s over the last 100 requests. */
    maxAvgLatencyMs: z.number().min(0),
    /** The seed's `error_rate > 0.05`. */
    maxErrorRate: z.number().min(0).max(1),
    /** How many recent primary calls the window holds (the seed's "last 100"). */
    windowSize: z.number().int().min(1),
    /** Calls older than this leave the window, so the policy recovers (the seed never did). */
    windowMs: z.number().int().min(1),
    /** Rates and averages need this many calls before they can trip the policy. */
    minSamples: z.number().int().min(1),
    /** While the policy diverts, one call per interval still probes the primary. */
    probeIntervalMs: z.number().int().min(1),
  })
  .strict();

/**
 * The generate route's policy: time to first token and the upstream's failure rate, not the
 * completion time (decode time is the model working, not failing). Defaults and their
 * reasons: src/stack/profiles/generate-fallback-thresholds.ts.
 */
const generatePolicySchema = z
  .object({
    /** Average time to first token over the window above which generate is diverted. */
    maxAvgTtftMs: z.number().min(0),
    /** Share of calls the upstream failed (429, 5xx, timeout, connection error). */
    maxUpstreamErrorRate: z.number().min(0).max(1),
    windowSize: z.number().int().min(1),
    windowMs: z.number().int().min(1),
    minSamples: z.number().int().min(1),
    probeIntervalMs: z.number().int().min(1),
  })
  .strict();

/** The gateway's options file (--config, PEAKREADY_GATEWAY_OPTIONS); the harness checks stack.gateway against it before a run. */
export const fileSchema = z
  .object({
    upstreams: z.partialRecord(z.enum(UPSTREAM_NAMES), upstreamSchema.partial()).optional(),
    /** The predict routes' policy (the seed's thresholds). */
    fallbackPolicy: policySchema.partial().optional(),
    /** The generate route's policy. */
    generateFallbackPolicy: generatePolicySchema.partial().optional(),
    cache: z.object({ ttlSeconds: z.number().int().min(1), commandTimeoutMs: z.number().int().min(1) }).partial().strict().optional(),
    maxBatch: z.number().int().min(1).optional(),
    maxTokens: z.number().int().min(1).optional(),
  })
  .strict();

export type BreakerConfig = z.infer<typeof breakerSchema>;
export type UpstreamPolicyConfig = z.infer<typeof upstreamSchema>;
export type FallbackPolicyConfig = z.infer<typeof policySchema>;
export type GenerateFallbackPolicyConfig = z.infer<typeof generatePolicySchema>;

/** Everything the gateway needs to run, resolved (no optional thresholds left). */
export interface GatewayConfig {
  readonly urls: Readonly<Record<UpstreamName, string | undefined>>;
  readonly canary: { readonly url: string | undefined; readonly weight: number };
  readonly redisUrl: string | undefined;
  readonly upstreams: Readonly<Record<UpstreamName, UpstreamPolicyConfig>>;
  /** The predict routes' fallback policy (the seed's). */
  readonly fallbackPolicy: FallbackPolicyConfig;
  /** The generate route's fallback policy. */
  readonly generateFallbackPolicy: GenerateFallbackPolicyConfig;
  readonly cache: { readonly ttlSeconds: number; readonly commandTimeoutMs: number };
  readonly maxBatch: number;
  readonly maxTokens: number;
  readonly switches: { readonly fallback: boolean; readonly breaker: boolean; readonly cache: boolean };
}

const base = { halfOpenAfterMs: 2000, breaker: { kind: 'consecutive', failures: 5 } as BreakerConfig };

export const DEFAULT_UPSTREAMS: Record<UpstreamName, UpstreamPolicyConfig> = {
  tabular: { ...base, timeoutMs: 1000, bulkhead: { limit: 128, queue: 256 }, connections: 64 },
  fallback: { ...base, timeoutMs: 1000, bulkhead: { limit: 128, queue: 256 }, connections: 32 },
  triton: { ...base, timeoutMs: 2000, bulkhead: { limit: 64, queue: 128 }, connections: 32 },
  // Above the vLLM profile's max_num_seqs (64): the server's own waiting queue, and the time to
  // first token it causes, is what the generate policy judges; a gateway cap of 32 in flight
  // diverted a healthy server at 60 req/s (bulkhead_full) although it had free running slots.
  generative: { ...base, timeoutMs: 30_000, bulkhead: { limit: 128, queue: 64 }, connections: 128 },
};

export const DEFAULT_FALLBACK_POLICY: FallbackPolicyConfig = {
  maxErrors: 10,
  maxAvgLatencyMs: 500,
  maxErrorRate: 0.05,
  windowSize: 100,
  windowMs: 30_000,
  minSamples: 20,
  probeIntervalMs: 1000,
};

export const DEFAULT_GENERATE_FALLBACK_POLICY: GenerateFallbackPolicyConfig = {
  maxAvgTtftMs: GENERATE_MAX_AVG_TTFT_MS,
  maxUpstreamErrorRate: GENERATE_MAX_UPSTREAM_ERROR_RATE,
  windowSize: 100,
  windowMs: 30_000,
  minSamples: 20,
  probeIntervalMs: 1000,
};

/** Raw flag values as `parseServiceArgs` returns them. */
export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Flag table for `parseServiceArgs` (besides --port/--host). */
export const GATEWAY_FLAGS = {
  'tabular-url': { type: 'string' },
  'fallback-url': { type: 'string' },
  'triton-url': { type: 'string' },
  'generative-url': { type: 'string' },
  'canary-url': { type: 'string' },
  'canary-weight': { type: 'string' },
  'redis-url': { type: 'string' },
  config: { type: 'string' },
  'max-batch': { type: 'string' },
  'max-tokens': { type: 'string' },
  'half-open-after-ms': { type: 'string' },
  'no-fallback': { type: 'boolean' },
  'no-breaker': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
} as const;

/** Builds the resolved configuration; throws an Error naming the flag or file field on bad input. */
export function resolveGatewayConfig(flags: FlagValues, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const str = (flag: string, envName?: string): string | undefined => {
    const v = flags[flag];
    if (typeof v === 'string' && v !== '') return v;
    const e = envName ? env[envName] : undefined;
    return e !== undefined && e !== '' ? e : undefined;
  };
  const url = (flag: string, envName?: string): string | undefined => {
    const v = str(flag, envName);
    if (v === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      throw new Error(`--${flag}: expected an http(s) URL like http://127.0.0.1:8080, got ${JSON.stringify(v)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:' && parsed.protocol !== 'redis:') {
      throw new Error(`--${flag}: expected an http(s) URL, got ${JSON.stringify(v)}`);
    }
    return v.replace(/\/+$/, '');
  };
  const int = (flag: string, min: number, max: number): number | undefined => {
    const v = str(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag}: expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
    return n;
  };

  // Flags win over env, as for every other setting: the --config file over the options in env.
  const file = mergeOptions(readEnvOptions(env.PEAKREADY_GATEWAY_OPTIONS), readConfigFile(str('config')));
  const disabled = readEnvDisable(env.PEAKREADY_DISABLE);
  const upstreams = {} as Record<UpstreamName, UpstreamPolicyConfig>;
  const halfOpen = int('half-open-after-ms', 1, 3_600_000);
  for (const name of UPSTREAM_NAMES) {
    const merged = { ...DEFAULT_UPSTREAMS[name], ...(file.upstreams?.[name] ?? {}) };
    upstreams[name] = halfOpen === undefined ? merged : { ...merged, halfOpenAfterMs: halfOpen };
  }
  return {
    urls: {
      tabular: url('tabular-url', 'TABULAR_URL'),
      fallback: url('fallback-url', 'FALLBACK_URL'),
      triton: url('triton-url', 'TRITON_URL'),
      generative: url('generative-url', 'GENERATIVE_URL'),
    },
    canary: { url: url('canary-url', 'CANARY_URL'), weight: int('canary-weight', 0, 100) ?? 0 },
    redisUrl: url('redis-url', 'REDIS_URL'),
    upstreams,
    fallbackPolicy: { ...DEFAULT_FALLBACK_POLICY, ...(file.fallbackPolicy ?? {}) },
    generateFallbackPolicy: { ...DEFAULT_GENERATE_FALLBACK_POLICY, ...(file.generateFallbackPolicy ?? {}) },
    cache: { ttlSeconds: 1800, commandTimeoutMs: 50, ...(file.cache ?? {}) },
    maxBatch: int('max-batch', 1, 10_000) ?? file.maxBatch ?? 50,
    maxTokens: int('max-tokens', 1, 1_000_000) ?? file.maxTokens ?? 256,
    switches: {
      fallback: flags['no-fallback'] !== true && !disabled.has('fallback'),
      breaker: flags['no-breaker'] !== true && !disabled.has('breaker'),
      cache: flags['no-cache'] !== true && !disabled.has('cache'),
    },
  };
}

type FileOptions = z.infer<typeof fileSchema>;

/** The mechanisms PEAKREADY_DISABLE can switch off (the same as --no-fallback etc.). */
const SWITCHES = ['fallback', 'breaker', 'cache'] as const;

/**
 * PEAKREADY_DISABLE="fallback,cache": what the container image gets instead of --no-* flags
 * (the kubernetes manifests set it). Unknown names are refused, so a typo does not leave a
 * mechanism silently on.
 */
function readEnvDisable(value: string | undefined): Set<(typeof SWITCHES)[number]> {
  const out = new Set<(typeof SWITCHES)[number]>();
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(SWITCHES as readonly string[]).includes(name)) {
      throw new Error(`PEAKREADY_DISABLE: expected a comma list of ${SWITCHES.join(', ')}, got ${JSON.stringify(name)} in ${JSON.stringify(value)}`);
    }
    out.add(name as (typeof SWITCHES)[number]);
  }
  return out;
}

/** PEAKREADY_GATEWAY_OPTIONS: the --config file's JSON, inline (the kubernetes manifests set it). */
function readEnvOptions(value: string | undefined): FileOptions {
  if (value === undefined || value.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (err) {
    throw new Error(`PEAKREADY_GATEWAY_OPTIONS: expected JSON like the --config file, cannot parse: ${(err as Error).message}`);
  }
  return validateOptions(raw, 'PEAKREADY_GATEWAY_OPTIONS');
}

/** `over` on top of `under`, section by section (upstreams name by name). */
function mergeOptions(under: FileOptions, over: FileOptions): FileOptions {
  const upstreams: NonNullable<FileOptions['upstreams']> = { ...(under.upstreams ?? {}) };
  for (const [name, u] of Object.entries(over.upstreams ?? {})) upstreams[name as UpstreamName] = { ...(upstreams[name as UpstreamName] ?? {}), ...u };
  return {
    ...under,
    ...over,
    ...(under.upstreams || over.upstreams ? { upstreams } : {}),
    ...(under.fallbackPolicy || over.fallbackPolicy ? { fallbackPolicy: { ...under.fallbackPolicy, ...over.fallbackPolicy } } : {}),
    ...(under.generateFallbackPolicy || over.generateFallbackPolicy
      ? { generateFallbackPolicy: { ...under.generateFallbackPolicy, ...over.generateFallbackPolicy } }
      : {}),
    ...(under.cache || over.cache ? { cache: { ...under.cache, ...over.cache } } : {}),
  };
}

function validateOptions(raw: unknown, where: string): FileOptions {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(problems.join('\n'));
  }
  return parsed.data;
}

function readConfigFile(path: string | undefined): FileOptions {
  if (path === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`--config ${path}: cannot read JSON: ${(err as Error).message}`);
  }
  return validateOptions(raw, path);
}
