/**
 * POST /api/v1/generate → generative upstream /v1/completions (vLLM's OpenAI protocol).
 * The prompt goes through the standard template, max_tokens is capped (400 beyond), answers
 * are never cached. With `stream: true` the upstream's SSE passes through unchanged; the
 * timeout covers the time to the first chunk, after which the stream is the client's.
 * When the upstream cannot answer, the built-in distilled responder does (model_type fallback).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson } from '../common/http-kit.js';
import { FAILURE_STATUS, errorBody, sendAnswer, type AnswerReason, type GatewayContext } from './gateway-context.js';
import { serveAnswer, type Answer } from './model-answer.js';
import { DISTILLED_VERSION, applyTemplate, distilledAnswer, distilledStream } from './prompt-template.js';
import { parseGenerate, type GenerateInput } from './route-input.js';
import { Upstream, UpstreamClientError, UpstreamFailure, failureReason, type FailureReason, type Target } from './upstream.js';

const MODEL = 'generative';
const COMPLETIONS = '/v1/completions';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const SSE_HEADERS = { 'content-type': 'application/json', accept: 'text/event-stream' };

/** The upstream request body; `model` only when configured (the simulator serves one model). */
function upstreamBody(input: GenerateInput, model: string | undefined): string {
  return JSON.stringify({ ...(model ? { model } : {}), prompt: applyTemplate(input.prompt), max_tokens: input.maxTokens, stream: input.stream });
}

export function generateHandler(ctx: GatewayContext, modelName: string | undefined) {
  const up = ctx.upstreams.generative;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t0 = performance.now();
    let input: GenerateInput;
    try {
      input = parseGenerate(await readJson(req), ctx.config.maxTokens);
    } catch (err) {
      if (err instanceof HttpError) ctx.metrics.errors.labels(MODEL, 'none', 'invalid_input').inc();
      throw err;
    }
    const body = upstreamBody(input, modelName);
    if (input.stream) return serveStream(ctx, res, up, input, body, t0);
    await serveAnswer(ctx, res, {
      route: 'generate',
      model: MODEL,
      primary: up,
      keyInput: undefined,
      cacheable: false,
      callPrimary: async (target, signal) => readCompletion(await Upstream.postJson(target, COMPLETIONS, body, signal)),
      localFallback: () => {
        const d = distilledAnswer(input.prompt, input.maxTokens);
        const usage = { prompt_tokens: d.promptTokens, completion_tokens: d.completionTokens, total_tokens: d.promptTokens + d.completionTokens };
        return { payload: { text: d.text, usage, finish_reason: 'stop' }, version: DISTILLED_VERSION, p1: [] };
      },
    }, t0);
  };
}

function readCompletion(text: string): Answer {
  let j: { model?: unknown; choices?: { text?: unknown; message?: { content?: unknown }; finish_reason?: unknown }[]; usage?: unknown };
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    throw new UpstreamFailure('generative upstream answered malformed JSON');
  }
  const c = j.choices?.[0];
  const out = typeof c?.text === 'string' ? c.text : c?.message?.content;
  if (typeof out !== 'string') throw new UpstreamFailure('generative answer has no choices[0].text');
  return {
    payload: { text: out, usage: j.usage ?? null, finish_reason: c?.finish_reason ?? null },
    version: typeof j.model === 'string' ? j.model : 'unknown',
    p1: [],
  };
}

interface OpenStream {
  readonly first: Buffer | undefined;
  readonly rest: AsyncIterator<Buffer>;
  readonly abort: () => void;
}

/** Opens the upstream SSE and reads its first chunk (inside the timeout: time to first token). */
function openStream(body: string) {
  return async (target: Target, signal: AbortSignal): Promise<OpenStream> => {
    // Our own controller: cockatiel aborts its signal once this function returns, which
    // must not cut the stream the client is still reading.
    const ac = new AbortController();
    const relay = () => ac.abort();
    signal.addEventListener('abort', relay, { once: true });
    try {
      const r = await target.pool.request({ path: target.basePath + COMPLETIONS, method: 'POST', headers: SSE_HEADERS, body, signal: ac.signal });
      if (r.statusCode < 200 || r.statusCode >= 300) {
        const text = await r.body.text();
        if (r.statusCode >= 400 && r.statusCode < 500 && r.statusCode !== 429 && r.statusCode !== 408) throw new UpstreamClientError(r.statusCode, text);
        throw new UpstreamFailure(`upstream answered ${r.statusCode}`, r.statusCode);
      }
      const rest = (r.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const first = await rest.next();
      return { first: first.done ? undefined : first.value, rest, abort: () => ac.abort() };
    } catch (err) {
      if (err instanceof UpstreamClientError || err instanceof UpstreamFailure || signal.aborted) throw err;
      const e = err as { code?: string; message?: string };
      throw new UpstreamFailure(`${e.code ?? 'error'}: ${e.message ?? String(err)}`);
    } finally {
      signal.removeEventListener('abort', relay);
    }
  };
}

async function serveStream(ctx: GatewayContext, res: ServerResponse, up: Upstream, input: GenerateInput, body: string, t0: number): Promise<void> {
  ctx.requestCount++;
  const target = up.pick();
  let reason: Exclude<AnswerReason, 'ok' | 'cache'> = 'upstream_error';
  if (target !== undefined) {
    const verdict = ctx.config.switches.breaker && ctx.config.switches.fallback ? up.policy.decide() : 'primary';
    if (verdict === 'fallback') {
      reason = 'policy';
    } else {
      try {
        const s = await up.call(target, openStream(body));
        const version = s.first ? (/"model"\s*:\s*"([^"]+)"/.exec(s.first.toString('utf8'))?.[1] ?? target.version) : target.version;
        target.version = version;
        await relay(res, s, version);
        observe(ctx, version, t0);
        return;
      } catch (err) {
        if (err instanceof UpstreamClientError) {
          ctx.metrics.errors.labels(MODEL, 'none', 'invalid_input').inc();
          const shaped = /"error"\s*:\s*\{/.test(err.body) ? err.body : errorBody('invalid_input', err.body.slice(0, 200));
          sendAnswer(res, err.status, shaped, 'primary', 'none', 'bypass');
          return;
        }
        reason = failureReason(err) ?? 'upstream_error';
        ctx.metrics.errors.labels(MODEL, target.version, reason).inc();
      }
    }
  }
  if (!ctx.config.switches.fallback) {
    const status = FAILURE_STATUS[reason === 'policy' ? 'upstream_error' : (reason as FailureReason)];
    sendAnswer(res, status, errorBody(reason, `the generative upstream failed: ${reason}`), 'primary', 'none', 'bypass');
    observe(ctx, 'none', t0);
    return;
  }
  ctx.metrics.fallbacks.labels('generate', reason).inc();
  res.writeHead(200, sseHeaders('fallback', DISTILLED_VERSION, reason));
  res.end(distilledStream(input.prompt, input.maxTokens).join(''));
  observe(ctx, DISTILLED_VERSION, t0);
}

function sseHeaders(type: string, version: string, reason: string): string[] {
  return ['content-type', 'text/event-stream', 'cache-control', 'no-cache', 'x-model-type', type, 'x-model-version', version, 'x-cache', 'bypass', 'x-reason', reason];
}

/** Copies the upstream stream to the client with backpressure; a client leaving aborts the upstream. */
async function relay(res: ServerResponse, s: OpenStream, version: string): Promise<void> {
  res.writeHead(200, sseHeaders('primary', /^[\x21-\x7e]{1,128}$/.test(version) ? version : 'invalid', 'ok'));
  let gone = false;
  res.once('close', () => {
    gone = true;
    s.abort();
  });
  try {
    if (s.first) res.write(s.first);
    for (;;) {
      const next = await s.rest.next();
      if (next.done || gone) break;
      if (!res.write(next.value)) await new Promise((r) => (res.once('drain', r), res.once('close', r)));
    }
    res.end();
  } catch {
    // The upstream broke mid-stream: headers are gone, so the only honest signal is a cut.
    res.destroy();
  }
}

function observe(ctx: GatewayContext, version: string, t0: number): void {
  const m = ctx.metrics.answer(MODEL, version);
  m.requests.inc();
  m.latency.observe((performance.now() - t0) / 1000);
}
