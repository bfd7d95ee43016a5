/**
 * The gateway's routes: the three predict routes, generate, the seed's /model/status,
 * probes (/health, /ready, /startup), /metrics and the canary admin endpoint.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Router, badRequest, describe, isObject, readJson, sendJson, sendText } from '../common/http-kit.js';
import { UPSTREAM_NAMES, type GatewayConfig, type UpstreamName } from './config.js';
import { closeContext, createContext, type GatewayContext } from './gateway-context.js';
import { generateHandler } from './generate-route.js';
import { batchHandler, detailedHandler, predictHandler } from './predict-routes.js';

/** A built gateway: its request handler and its lifecycle hooks. */
export interface GatewayApp {
  readonly ctx: GatewayContext;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Marks the gateway as draining (/ready turns 503). */
  startDrain(): void;
  close(): Promise<void>;
}

const STATE_NAMES = ['closed', 'half_open', 'open'] as const;

export function createGatewayApp(config: GatewayConfig, logger: Logger, opts: { generativeModel?: string } = {}): GatewayApp {
  const ctx = createContext(config, logger);
  let draining = false;
  const router = new Router();

  router.on('POST', '/api/v1/predict', predictHandler(ctx));
  router.on('POST', '/api/v1/predict/detailed', detailedHandler(ctx));
  router.on('POST', '/api/v1/predict/batch', batchHandler(ctx));
  router.on('POST', '/api/v1/generate', generateHandler(ctx, opts.generativeModel));

  router.on('GET', '/health', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  router.on('GET', '/startup', (_req, res) => sendJson(res, 200, { status: 'started' }));
  router.on('GET', '/ready', (_req, res) => {
    const missing = missingUrls(config);
    if (draining) return sendJson(res, 503, { status: 'not_ready', reason: 'draining' });
    // Redis is deliberately absent here: without it the gateway still serves, uncached.
    if (missing.length > 0) return sendJson(res, 503, { status: 'not_ready', reason: `no URL configured for ${missing.join(', ')}` });
    sendJson(res, 200, { status: 'ready', cache: ctx.cache.enabled ? (ctx.cache.connected ? 'connected' : 'unavailable') : 'disabled' });
  });
  router.on('GET', '/metrics', async (_req, res) => {
    sendText(res, 200, await ctx.metrics.registry.metrics(), ctx.metrics.registry.contentType);
  });
  router.on('GET', '/model/status', (_req, res) => sendJson(res, 200, modelStatus(ctx)));
  router.on('GET', '/admin/canary', (req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('upstream') ?? 'tabular';
    sendJson(res, 200, ctx.upstreams[upstreamName(name, 'upstream')].canary());
  });
  router.on('POST', '/admin/canary', async (req, res) => {
    const { upstream, canaryUrl, weight } = parseCanary(await readJson(req));
    // canaryUrl omitted = keep the current one (a rollout step only moves the weight).
    const url = canaryUrl === undefined ? ctx.upstreams[upstream].canary().canaryUrl : canaryUrl;
    if (url === null && weight > 0) throw badRequest('canaryUrl: a weight above 0 needs a canary URL, none is set');
    ctx.upstreams[upstream].setCanary(url, weight);
    logger.info({ upstream, canaryUrl, weight }, 'canary split changed');
    sendJson(res, 200, ctx.upstreams[upstream].canary());
  });

  return {
    ctx,
    handle: (req, res) => router.handle(req, res),
    startDrain: () => {
      draining = true;
    },
    close: () => closeContext(ctx),
  };
}

function missingUrls(config: GatewayConfig): string[] {
  const missing: string[] = [];
  if (!config.urls.tabular) missing.push('tabular (--tabular-url)');
  if (!config.urls.fallback && config.switches.fallback) missing.push('fallback (--fallback-url)');
  return missing;
}

/** The seed's /model/status fields (about the tabular primary) plus per-upstream detail. */
function modelStatus(ctx: GatewayContext): Record<string, unknown> {
  const upstreams: Record<string, unknown> = {};
  const breakers: Record<string, string> = {};
  for (const name of UPSTREAM_NAMES) {
    const u = ctx.upstreams[name];
    const s = u.policy.stats();
    breakers[name] = STATE_NAMES[u.breakerState()] ?? 'open';
    upstreams[name] = {
      configured: u.configured,
      error_rate: s.errorRate,
      avg_latency: s.avgLatency,
      latency_signal: u.policy.latencySignal,
      window_samples: s.samples,
      window_errors: s.errors,
      using_fallback: u.policy.shouldUseFallback(s),
    };
  }
  const t = ctx.upstreams.tabular.policy;
  const ts = t.stats();
  return {
    error_rate: ts.errorRate,
    avg_latency: ts.avgLatency,
    using_fallback: ctx.upstreams.tabular.breakerState() !== 0 || t.shouldUseFallback(ts),
    request_count: ctx.requestCount,
    breakers,
    upstreams,
    cache: { enabled: ctx.cache.enabled, connected: ctx.cache.connected },
    canary: ctx.upstreams.tabular.canary(),
  };
}

function upstreamName(v: unknown, path: string): UpstreamName {
  if (typeof v !== 'string' || !(UPSTREAM_NAMES as readonly string[]).includes(v) || v === 'fallback') {
    throw badRequest(`${path}: expected one of tabular, triton, generative, got ${describe(v)}`);
  }
  return v as UpstreamName;
}

function parseCanary(value: unknown): { upstream: UpstreamName; canaryUrl: string | null | undefined; weight: number } {
  if (!isObject(value)) throw badRequest(`body: expected {upstream, canaryUrl, weight}, got ${describe(value)}`);
  const upstream = upstreamName(value.upstream ?? 'tabular', 'upstream');
  const weight = value.weight;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw badRequest(`weight: expected an integer 0..100, got ${describe(weight)}`);
  }
  const raw = value.canaryUrl;
  if (raw === undefined) return { upstream, canaryUrl: undefined, weight };
  if (raw !== null) {
    let ok = false;
    try {
      const u = new URL(String(raw));
      ok = typeof raw === 'string' && (u.protocol === 'http:' || u.protocol === 'https:');
    } catch {
      ok = false;
    }
    if (!ok) throw badRequest(`canaryUrl: expected an http(s) URL or null, got ${describe(raw)}`);
  }
  return { upstream, canaryUrl: raw === null ? null : String(raw).replace(/\/+$/, ''), weight };
}
