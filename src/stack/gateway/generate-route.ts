/**
 * POST /api/v1/generate → generative upstream /v1/completions (vLLM's OpenAI protocol).
 * The prompt goes through the standard template, max_tokens is capped (400 beyond), answers
 * are never cached. With `stream: true` the upstream's SSE passes through unchanged; the
 * timeout covers the time to the first chunk, after which the stream is the client's.
 * When the upstream cannot answer, the built-in distilled responder does (model_type fallback).
 *
 * A non-streaming caller still gets one JSON completion, but the gateway asks the upstream for
 * a stream and assembles it: that is how it sees the time to first token, which the fallback
 * policy of this route judges instead of the completion time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson } from '../common/http-kit.js';
import { FAILURE_STATUS, errorBody, sendAnswer, type AnswerReason, type GatewayContext } from './gateway-context.js';
import { serveAnswer, type Answer } from './model-answer.js';
import { DISTILLED_VERSION, applyTemplate, distilledAnswer, distilledStream } from './prompt-template.js';
import { parseGenerate, type GenerateInput } from './route-input.js';
import { UpstreamClientError, UpstreamFailure, failureReason, type FailureReason, type Target, type Upstream } from './upstream.js';

const MODEL = 'generative';
const COMPLETIONS = '/v1/completions';
const SSE_HEADERS = { 'content-type': 'application/json', accept: 'text/event-stream' };

/**
 * The upstream request body; `model` only when configured (the simulator serves one model).
 * Always a stream (with usage in its last chunk), whatever the caller asked for.
 */
function upstreamBody(input: GenerateInput, model: string | undefined): string {
  return JSON.stringify({
    ...(model ? { model } : {}),
    prompt: applyTemplate(input.prompt),
    max_tokens: input.maxTokens,
    stream: true,
    ...(input.stream ? {} : { stream_options: { include_usage: true } }),
  });
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
      callPrimary: collectCompletion(body),
      policyLatency: (a, elapsedMs) => a.ttftMs ?? elapsedMs,
      localFallback: () => {
        const d = distilledAnswer(input.prompt, input.maxTokens);
        const usage = { prompt_tokens: d.promptTokens, completion_tokens: d.completionTokens, total_tokens: d.promptTokens + d.completionTokens };
        return { payload: { text: d.text, usage, finish_reason: 'stop' }, version: DISTILLED_VERSION, p1: [] };
      },
    }, t0);
  };
}

/** One completion from the upstream's SSE stream, with the time its first chunk arrived. */
function collectCompletion(body: string) {
  return async (target: Target, signal: AbortSignal): Promise<Answer> => {
    const t0 = performance.now();
    let r;
    try {
      r = await target.pool.request({ path: target.basePath + COMPLETIONS, method: 'POST', headers: SSE_HEADERS, body, signal });
    } catch (err) {
      throw asFailure(err, signal);
    }
    if (r.statusCode < 200 || r.statusCode >= 300) {
      const text = await r.body.text().catch(() => '');
      if (r.statusCode >= 400 && r.statusCode < 500 && r.statusCode !== 429 && r.statusCode !== 408) throw new UpstreamClientError(r.statusCode, text);
      throw new UpstreamFailure(`upstream answered ${r.statusCode}`, r.statusCode);
    }
    const events = new SseCompletion();
    let ttftMs: number | undefined;
    try {
      for await (const chunk of r.body as AsyncIterable<Buffer>) {
        ttftMs ??= performance.now() - t0;
        events.push(chunk.toString('utf8'));
      }
    } catch (err) {
      throw asFailure(err, signal);
    }
    return events.answer(ttftMs ?? performance.now() - t0);
  };
}

/** Accumulates OpenAI completion SSE events (`data: {...}` blocks, `data: [DONE]`) into one answer. */
class SseCompletion {
  private buf = '';
  private readonly text: string[] = [];
  private model: string | undefined;
  private finish: unknown = null;
  private usage: unknown = null;
  private done = false;

  push(s: string): void {
    // SSE allows CRLF line ends; the events below are split on blank lines.
    this.buf += s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const event = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') {
          this.done = true;
          continue;
        }
        let j: { model?: unknown; choices?: { text?: unknown; finish_reason?: unknown }[]; usage?: unknown };
        try {
          j = JSON.parse(data) as typeof j;
        } catch {
          throw new UpstreamFailure('generative upstream streamed malformed JSON');
        }
        if (typeof j.model === 'string') this.model = j.model;
        const c = j.choices?.[0];
        if (typeof c?.text === 'string') this.text.push(c.text);
        if (c?.finish_reason !== undefined && c.finish_reason !== null) this.finish = c.finish_reason;
        if (j.usage !== undefined && j.usage !== null) this.usage = j.usage;
      }
    }
  }

  answer(ttftMs: number): Answer {
    if (!this.done && this.finish === null) throw new UpstreamFailure('generative stream ended before its last chunk');
    return {
      payload: { text: this.text.join(''), usage: this.usage, finish_reason: this.finish },
      version: this.model ?? 'unknown',
      p1: [],
      ttftMs,
    };
  }
}

function asFailure(err: unknown, signal: AbortSignal): unknown {
  // After our own timeout fired, the race already rejected with TaskCancelledError.
  if (signal.aborted) return err;
  const e = err as { code?: string; message?: string };
  return new UpstreamFailure(`${e.code ?? 'error'}: ${e.message ?? String(err)}`);
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
