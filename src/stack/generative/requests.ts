/**
 * Validation of OpenAI-style completion requests: every mistake is a 400 naming the field
 * (vLLM answers 400 for a context overflow too), never a crash.
 */
import { HttpError, badRequest, describe, isObject } from '../common/http-kit.js';
import type { VllmProfile } from './profile.js';
import { applyChatTemplate, countTokens, type ChatMessage } from './text.js';

export interface GenerationRequest {
  readonly kind: 'completion' | 'chat';
  readonly prompt: string;
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

const ROLES = new Set(['system', 'user', 'assistant']);

function parseMessages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v) || v.length === 0) throw badRequest(`messages: expected a non-empty array of {role, content}, got ${describe(v)}`);
  return v.map((m: unknown, i) => {
    if (!isObject(m)) throw badRequest(`messages[${i}]: expected an object, got ${describe(m)}`);
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) throw badRequest(`messages[${i}].role: expected system, user or assistant, got ${describe(m.role)}`);
    if (typeof m.content !== 'string') throw badRequest(`messages[${i}].content: expected a string, got ${describe(m.content)}`);
    return { role: m.role as ChatMessage['role'], content: m.content };
  });
}

/** Parses a /v1/completions or /v1/chat/completions body against the profile's limits. */
export function parseGenerationRequest(body: unknown, kind: 'completion' | 'chat', p: VllmProfile): GenerationRequest {
  if (!isObject(body)) throw badRequest(`body: expected a JSON object, got ${describe(body)}`);
  if (body.model !== undefined && body.model !== p.model) {
    throw new HttpError(404, 'model_not_found', `The model \`${String(body.model)}\` does not exist; this server serves "${p.model}"`);
  }
  let prompt: string;
  if (kind === 'chat') {
    prompt = applyChatTemplate(parseMessages(body.messages));
  } else {
    const raw = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
    if (typeof raw !== 'string' || raw === '') throw badRequest(`prompt: expected a non-empty string, got ${describe(body.prompt)}`);
    prompt = raw;
  }
  const mt = body.max_tokens ?? (kind === 'chat' ? body.max_completion_tokens : undefined);
  let maxTokens = p.defaultMaxTokens;
  if (mt !== undefined && mt !== null) {
    if (typeof mt !== 'number' || !Number.isInteger(mt) || mt < 1) throw badRequest(`max_tokens: expected a positive integer, got ${describe(mt)}`);
    if (mt > p.maxTokensLimit) throw badRequest(`max_tokens: ${mt} exceeds the limit of ${p.maxTokensLimit}`, 'max_tokens_exceeded');
    maxTokens = mt;
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw badRequest(`stream: expected a boolean, got ${describe(body.stream)}`);
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || !Number.isFinite(body.temperature) || body.temperature < 0 || body.temperature > 2)) {
    throw badRequest(`temperature: expected a number in [0, 2], got ${describe(body.temperature)}`);
  }
  if (body.n !== undefined && body.n !== 1) throw badRequest(`n: only 1 completion per request is supported, got ${describe(body.n)}`);
  const promptTokens = countTokens(prompt, p.charsPerToken);
  if (promptTokens + maxTokens > p.maxModelLen) {
    throw badRequest(
      `This model's maximum context length is ${p.maxModelLen} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
      'context_length_exceeded',
    );
  }
  if (Math.ceil((promptTokens + maxTokens) / p.blockSize) > p.numGpuBlocks) {
    throw badRequest(`request needs ${promptTokens + maxTokens} tokens of KV cache, more than the ${p.numGpuBlocks * p.blockSize} the GPU holds`, 'context_length_exceeded');
  }
  const so = body.stream_options;
  return { kind, prompt, promptTokens, maxTokens, stream: body.stream === true, includeUsage: isObject(so) && so.include_usage === true };
}
