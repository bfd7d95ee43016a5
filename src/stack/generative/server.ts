/**
 * vLLM's OpenAI-compatible HTTP surface for the simulator: /v1/models, /v1/completions and
 * /v1/chat/completions (JSON or SSE), plus /health, /ready (503 while warming up or draining)
 * and /metrics with vLLM's names.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HttpError, Router, readJson, sendJson, sendText } from '../common/http-kit.js';
import { CapacityError, Engine } from './engine.js';
import type { VllmProfile } from './profile.js';
import { parseGenerationRequest, type GenerationRequest } from './requests.js';
import { tokenGenerator } from './text.js';
import { VllmMetrics } from './vllm-metrics.js';

export interface GenerativeServer {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  setAccepting(fn: () => boolean): void;
  close(): void;
}

export function createGenerativeServer(p: VllmProfile, warmupMs: number): GenerativeServer {
  const engine = new Engine(p);
  const metrics = new VllmMetrics(p.model, () => engine.stats());
  const startedAt = Date.now();
  let accepting: () => boolean = () => true;
  const notReady = (): string | undefined => {
    if (!accepting()) return 'draining';
    const left = startedAt + warmupMs - Date.now();
    return left > 0 ? `warming up (${left} ms left)` : undefined;
  };

  const generate = (kind: 'completion' | 'chat') => async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t0 = performance.now();
    let r: GenerationRequest;
    try {
      const body = await readJson(req);
      const reason = notReady();
      if (reason) throw new HttpError(503, 'not_ready', `model is not ready: ${reason}`, { 'retry-after': '1' });
      r = parseGenerationRequest(body, kind, p);
    } catch (err) {
      metrics.reject(err instanceof HttpError ? err.code : 'internal');
      throw err;
    }
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    const nextText = tokenGenerator(r.prompt);
    const pieces: string[] = [];
    let lastAt: number | undefined;
    const usage = () => ({ prompt_tokens: r.promptTokens, completion_tokens: pieces.length, total_tokens: r.promptTokens + pieces.length });
    const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model: p.model, choices: [choice], ...extra })}\n\n`;

    let cancel: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      try {
        cancel = engine.submit(r.promptTokens, r.maxTokens, {
          onToken(i, at) {
            const text = nextText(i);
            pieces.push(text);
            if (i === 0) metrics.firstToken((at - t0) / 1000, r.promptTokens);
            metrics.token(lastAt === undefined ? undefined : (at - lastAt) / 1000);
            lastAt = at;
            if (!r.stream) return;
            if (i === 0) {
              // No `connection` header of our own: Node answers `keep-alive` (with `Keep-Alive:
              // timeout=…`) while the server keeps the socket, and `close` when it is draining,
              // so the client reuses one connection across streams. Each event is its own write
              // on a no-delay socket, sent at once (no Nagle batching of tokens).
              req.socket.setNoDelay(true);
              res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': id });
              if (kind === 'chat') res.write(chunk({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }));
            }
            res.write(chunk(kind === 'chat' ? { index: 0, delta: { content: text }, logprobs: null, finish_reason: null } : { index: 0, text, logprobs: null, finish_reason: null }));
          },
          onFinish(reason) {
            if (reason === 'abort') {
              if (!res.headersSent) sendJson(res, 503, { error: { code: 'aborted', message: 'request aborted before completion' } });
              else res.end();
              resolve();
              return;
            }
            metrics.finished((performance.now() - t0) / 1000, reason);
            if (r.stream) {
              const last = kind === 'chat' ? { index: 0, delta: {}, logprobs: null, finish_reason: reason } : { index: 0, text: '', logprobs: null, finish_reason: reason };
              res.write(chunk(last));
              if (r.includeUsage) res.write(`data: ${JSON.stringify({ id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model: p.model, choices: [], usage: usage() })}\n\n`);
              res.end('data: [DONE]\n\n');
            } else {
              const text = pieces.join('');
              const choice = kind === 'chat'
                ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: reason }
                : { index: 0, text, logprobs: null, finish_reason: reason, stop_reason: null };
              sendJson(res, 200, { id, object: kind === 'chat' ? 'chat.completion' : 'text_completion', created, model: p.model, choices: [choice], usage: usage() });
            }
            resolve();
          },
        });
      } catch (err) {
        if (err instanceof CapacityError) {
          metrics.reject('capacity');
          sendJson(res, 429, { error: { code: 'rate_limited', message: err.message } }, { 'retry-after': '1' });
          resolve();
          return;
        }
        throw err;
      }
      // The client went away: free its running slot and KV blocks.
      res.on('close', () => {
        if (!res.writableFinished) cancel?.();
      });
    });
  };

  const router = new Router()
    .on('GET', '/health', (_q, res) => sendJson(res, 200, { status: 'ok' }))
    .on('GET', '/ready', (_q, res) => {
      const reason = notReady();
      if (reason) sendJson(res, 503, { ready: false, reason });
      else sendJson(res, 200, { ready: true });
    })
    .on('GET', '/metrics', async (_q, res) => sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType))
    .on('GET', '/v1/models', (_q, res) =>
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: p.model, object: 'model', created: Math.floor(startedAt / 1000), owned_by: 'vllm', root: p.model, parent: null, max_model_len: p.maxModelLen }],
      }),
    )
    .on('POST', '/v1/completions', generate('completion'))
    .on('POST', '/v1/chat/completions', generate('chat'));

  return {
    handler: (req, res) => router.handle(req, res),
    setAccepting(fn) {
      accepting = fn;
    },
    // Draining lets admitted and waiting sequences finish (the runtime's 5 s deadline cuts the rest).
    close: () => undefined,
  };
}
