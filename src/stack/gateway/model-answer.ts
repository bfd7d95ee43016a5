/**
 * The path every predict route shares: cache lookup, the fallback policy's verdict, the
 * primary call through its breaker/timeout/bulkhead, the fallback model when the primary
 * cannot answer, the response with its model headers, and the metrics.
 */
import type { ServerResponse } from 'node:http';
import {
  FAILURE_STATUS,
  answerPrefix,
  errorBody,
  sendAnswer,
  withReason,
  type AnswerReason,
  type GatewayContext,
  type XCache,
} from './gateway-context.js';
import { cacheKey, decodeCached, encodeCached } from './prediction-cache.js';
import { Upstream, UpstreamClientError, failureReason, type FailureReason, type Target } from './upstream.js';

/** A model's answer before serialization. */
export interface Answer {
  readonly payload: Record<string, unknown>;
  readonly version: string;
  /** Positive-class probabilities returned (model_prediction_distribution). */
  readonly p1: readonly number[];
  /** Time to the upstream's first token, ms (generated answers only). */
  readonly ttftMs?: number;
}

/** One request's plan: which upstreams, how to call them, what identifies the input. */
export interface AnswerPlan {
  /** Route label for metrics (predict, detailed, batch). */
  readonly route: string;
  /** The route's model (the `model` label). */
  readonly model: string;
  readonly primary: Upstream;
  /** The input part of the cache key (route and target are added). */
  readonly keyInput: unknown;
  callPrimary(target: Target, signal: AbortSignal): Promise<Answer>;
  /** The fallback model's call (via the fallback upstream). */
  callFallback?: (target: Target, signal: AbortSignal) => Promise<Answer>;
  /** A built-in fallback needing no upstream (generate's distilled responder); wins over callFallback. */
  localFallback?: () => Answer;
  /** The latency the fallback policy records for a primary answer; default the call's duration. */
  policyLatency?: (answer: Answer, elapsedMs: number) => number;
  /** False for answers that must not be cached (generated text). Default true. */
  readonly cacheable?: boolean;
  /** The request's Cache-Control: `no-cache` skips the lookup, `no-store` skips storing. */
  readonly cacheControl?: string | undefined;
}

/** Answers one predict-style request; never throws for upstream trouble. */
export async function serveAnswer(ctx: GatewayContext, res: ServerResponse, plan: AnswerPlan, startedAt: number): Promise<void> {
  ctx.requestCount++;
  const { cache, config, metrics } = ctx;
  const target = plan.primary.pick();
  let key: string | undefined;
  let xcache: XCache = 'bypass';

  const cc = plan.cacheControl;
  const lookup = cc === undefined || !cc.includes('no-cache');
  const store = cc === undefined || !cc.includes('no-store');
  if (cache.enabled && target !== undefined && plan.cacheable !== false && (lookup || store)) {
    key = cacheKey({ route: plan.route, target: target.url, input: plan.keyInput });
  }
  if (key !== undefined && lookup) {
    const got = await cache.get(key);
    if (typeof got === 'string') {
      const hit = decodeCached(got);
      if (hit !== undefined) {
        sendAnswer(res, 200, hit.body, 'primary', hit.version, 'hit');
        observe(ctx, plan.model, hit.version, hit.p1, startedAt);
        return;
      }
    }
    xcache = got === undefined ? 'error' : 'miss';
  }

  let reason: AnswerReason;
  if (target === undefined) {
    reason = 'upstream_error';
  } else {
    // --no-breaker means every request tries the primary; --no-fallback leaves nothing to divert to.
    const verdict = config.switches.breaker && config.switches.fallback ? plan.primary.policy.decide() : 'primary';
    if (verdict === 'fallback') {
      reason = 'policy';
    } else {
      try {
        const a = await plan.primary.call(target, plan.callPrimary, plan.policyLatency ?? true);
        target.version = a.version;
        const prefix = answerPrefix(a.payload, 'primary', a.version);
        sendAnswer(res, 200, withReason(prefix, 'ok'), 'primary', a.version, xcache);
        observe(ctx, plan.model, a.version, a.p1, startedAt);
        if (key !== undefined && store) cache.set(key, encodeCached({ version: a.version, p1: a.p1, body: withReason(prefix, 'cache') }));
        return;
      } catch (err) {
        if (err instanceof UpstreamClientError) {
          passClientError(ctx, res, plan, err, xcache, startedAt);
          return;
        }
        const known = failureReason(err);
        // Anything unclassified is a gateway bug or an odd upstream: visible, yet still covered.
        if (known === undefined) ctx.logger.warn({ err, route: plan.route }, 'unexpected primary failure');
        reason = known ?? 'upstream_error';
        metrics.errors.labels(plan.model, target.version, reason).inc();
      }
    }
  }
  await answerFromFallback(ctx, res, plan, reason, xcache, startedAt);
}

async function answerFromFallback(
  ctx: GatewayContext,
  res: ServerResponse,
  plan: AnswerPlan,
  reason: Exclude<AnswerReason, 'ok' | 'cache'>,
  xcache: XCache,
  startedAt: number,
): Promise<void> {
  const fallback = ctx.upstreams.fallback;
  const fbTarget = fallback.pick();
  const primaryReason: FailureReason = reason === 'policy' ? 'upstream_error' : reason;
  if (ctx.config.switches.fallback && plan.localFallback !== undefined) {
    ctx.metrics.fallbacks.labels(plan.route, reason).inc();
    const a = plan.localFallback();
    sendAnswer(res, 200, withReason(answerPrefix(a.payload, 'fallback', a.version), reason), 'fallback', a.version, xcache);
    observe(ctx, plan.model, a.version, a.p1, startedAt);
    return;
  }
  if (!ctx.config.switches.fallback || plan.callFallback === undefined || fbTarget === undefined) {
    const why = plan.primary.configured ? `the ${plan.primary.name} upstream failed: ${reason}` : `no ${plan.primary.name} URL configured`;
    sendAnswer(res, FAILURE_STATUS[primaryReason], errorBody(reason, why), 'primary', 'none', xcache);
    observe(ctx, plan.model, 'none', [], startedAt);
    return;
  }
  ctx.metrics.fallbacks.labels(plan.route, reason).inc();
  try {
    const a = await fallback.call(fbTarget, plan.callFallback, false);
    fbTarget.version = a.version;
    sendAnswer(res, 200, withReason(answerPrefix(a.payload, 'fallback', a.version), reason), 'fallback', a.version, xcache);
    observe(ctx, plan.model, a.version, a.p1, startedAt);
  } catch (err) {
    const fbReason = err instanceof UpstreamClientError ? 'upstream_error' : (failureReason(err) ?? 'upstream_error');
    ctx.metrics.errors.labels(plan.model, fbTarget.version, `fallback_${fbReason}`).inc();
    const msg = `the ${plan.primary.name} upstream failed (${reason}) and the fallback model failed too (${fbReason})`;
    sendAnswer(res, 503, errorBody('fallback_unavailable', msg), 'fallback', 'none', xcache);
    observe(ctx, plan.model, 'none', [], startedAt);
  }
}

/** The upstream refused the input: the caller gets that 4xx in the standard error shape. */
function passClientError(
  ctx: GatewayContext,
  res: ServerResponse,
  plan: AnswerPlan,
  err: UpstreamClientError,
  xcache: XCache,
  startedAt: number,
): void {
  let body = err.body;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.message !== 'string') throw new Error('not the error shape');
  } catch {
    body = errorBody('invalid_input', `the ${plan.primary.name} model refused the input: ${body.slice(0, 200)}`);
  }
  ctx.metrics.errors.labels(plan.model, 'none', 'invalid_input').inc();
  sendAnswer(res, err.status, body, 'primary', 'none', xcache);
  observe(ctx, plan.model, 'none', [], startedAt);
}

function observe(ctx: GatewayContext, model: string, version: string, p1: readonly number[], startedAt: number): void {
  const m = ctx.metrics.answer(model, version);
  m.requests.inc();
  m.latency.observe((performance.now() - startedAt) / 1000);
  for (const p of p1) m.distribution.observe(p);
}
