/**
 * The gateway's shared state: configuration, upstream clients, cache, metrics, and the
 * response writer every route uses (headers x-model-type, x-model-version, x-cache).
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { UPSTREAM_NAMES, type GatewayConfig, type UpstreamName } from './config.js';
import { GatewayMetrics } from './metrics.js';
import { PredictionCache } from './prediction-cache.js';
import { generateThresholds, seedThresholds } from './fallback-policy.js';
import { Upstream, type FailureReason } from './upstream.js';

export type ModelType = 'primary' | 'fallback';
export type XCache = 'hit' | 'miss' | 'bypass' | 'error';
/** The response's `reason`: ok, cache, an upstream failure, or the fallback policy. */
export type AnswerReason = 'ok' | 'cache' | 'policy' | FailureReason;

/** Everything a route handler needs. */
export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly metrics: GatewayMetrics;
  readonly cache: PredictionCache;
  readonly upstreams: Readonly<Record<UpstreamName, Upstream>>;
  readonly logger: Logger;
  /** Model requests served since start (the seed's request_count). */
  requestCount: number;
}

export function createContext(config: GatewayConfig, logger: Logger): GatewayContext {
  const metrics = new GatewayMetrics();
  const useBreaker = config.switches.breaker;
  const upstreams = {} as Record<UpstreamName, Upstream>;
  for (const name of UPSTREAM_NAMES) {
    // Per route: the generative upstream serves only /api/v1/generate, the others the predict routes.
    const thresholds = name === 'generative' ? generateThresholds(config.generateFallbackPolicy) : seedThresholds(config.fallbackPolicy);
    upstreams[name] = new Upstream(name, config.upstreams[name], config.urls[name], thresholds, metrics, useBreaker);
  }
  if (config.canary.url) upstreams.tabular.setCanary(config.canary.url, config.canary.weight);
  else metrics.canaryWeight.labels('tabular').set(0);
  const cache = new PredictionCache(config.switches.cache ? config.redisUrl : undefined, config.cache, metrics, logger);
  return { config, metrics, cache, upstreams, logger, requestCount: 0 };
}

export async function closeContext(ctx: GatewayContext): Promise<void> {
  await Promise.allSettled([ctx.cache.close(), ...Object.values(ctx.upstreams).map((u) => u.close())]);
}

/** HTTP status for an upstream failure the gateway could not cover with a fallback. */
export const FAILURE_STATUS: Record<FailureReason, number> = {
  upstream_error: 502,
  breaker_open: 503,
  bulkhead_full: 503,
  timeout: 504,
};

// Header values must be plain visible ASCII; an odd upstream version must not crash a response.
const SAFE_HEADER = /^[\x21-\x7e]{1,128}$/;

/** Writes a JSON answer with the gateway's model headers (raw header array: no object merging). */
export function sendAnswer(res: ServerResponse, status: number, body: string, type: ModelType, version: string, xcache: XCache): void {
  res.writeHead(status, [
    'content-type',
    'application/json',
    'content-length',
    String(Buffer.byteLength(body)),
    'x-model-type',
    type,
    'x-model-version',
    SAFE_HEADER.test(version) ? version : 'invalid',
    'x-cache',
    xcache,
  ]);
  res.end(body);
}

/** Serializes an answer with `reason` last, so the cached variant differs only in its tail. */
export function answerPrefix(payload: Record<string, unknown>, type: ModelType, version: string): string {
  const s = JSON.stringify({ ...payload, model_type: type, model_version: version });
  return s.slice(0, -1);
}

export function withReason(prefix: string, reason: AnswerReason): string {
  return `${prefix},"reason":"${reason}"}`;
}

/** The standard error body as text. */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
