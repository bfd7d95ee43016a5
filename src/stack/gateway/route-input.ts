/**
 * Validation of the gateway's public request bodies (the seed's locust payloads). Every
 * problem is a 400 (413 for a batch over the limit) with the standard error body.
 */
import { HttpError, badRequest, describe, isObject, parseFeatures } from '../common/http-kit.js';

export interface PredictInput {
  readonly features: number[];
  readonly returnProbabilities: boolean;
}

export interface DetailedInput extends PredictInput {
  readonly explanation: boolean;
}

export interface BatchInput {
  readonly rows: number[][];
  readonly returnProbabilities: boolean;
}

export interface GenerateInput {
  readonly prompt: string;
  readonly maxTokens: number;
  readonly stream: boolean;
}

/** Longest prompt accepted (characters); the body limit (1 MiB) bounds it anyway. */
export const MAX_PROMPT_CHARS = 32_000;
const DEFAULT_MAX_TOKENS = 64;

function body(value: unknown): Record<string, unknown> {
  if (!isObject(value)) throw badRequest(`body: expected a JSON object, got ${describe(value)}`);
  return value;
}

function flag(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw badRequest(`options.${name}: expected true or false, got ${describe(v)}`);
  return v;
}

function optionsOf(b: Record<string, unknown>): Record<string, unknown> {
  const o = b.options;
  if (o === undefined || o === null) return {};
  if (!isObject(o)) throw badRequest(`options: expected an object, got ${describe(o)}`);
  return o;
}

/** POST /api/v1/predict: `{features: number[10], options?: {return_probabilities}}`. */
export function parsePredict(value: unknown): PredictInput {
  const b = body(value);
  const features = parseFeatures(b.features, 10);
  return { features, returnProbabilities: flag(optionsOf(b), 'return_probabilities', true) };
}

/** POST /api/v1/predict/detailed: `{features: number[20], options: {return_probabilities, explanation}}`. */
export function parseDetailed(value: unknown): DetailedInput {
  const b = body(value);
  const features = parseFeatures(b.features, 20);
  const o = optionsOf(b);
  return { features, returnProbabilities: flag(o, 'return_probabilities', true), explanation: flag(o, 'explanation', true) };
}

/** POST /api/v1/predict/batch: `{instances: [{features: number[10]}, ...]}` with 1..maxBatch instances. */
export function parseBatch(value: unknown, maxBatch: number): BatchInput {
  const b = body(value);
  const inst = b.instances;
  if (!Array.isArray(inst)) throw badRequest(`instances: expected an array of {features}, got ${describe(inst)}`);
  if (inst.length === 0) throw badRequest('instances: expected at least 1 instance, got 0', 'empty_batch');
  if (inst.length > maxBatch) {
    throw new HttpError(413, 'batch_too_large', `instances: expected at most ${maxBatch} instances, got ${inst.length}`);
  }
  const rows = inst.map((item, i) => {
    if (!isObject(item)) throw badRequest(`instances[${i}]: expected an object with features, got ${describe(item)}`);
    return parseFeatures(item.features, 10, `instances[${i}].features`);
  });
  return { rows, returnProbabilities: flag(optionsOf(b), 'return_probabilities', true) };
}

/** POST /api/v1/generate: `{prompt, max_tokens?, stream?}`; max_tokens above the limit is a 400. */
export function parseGenerate(value: unknown, maxTokens: number): GenerateInput {
  const b = body(value);
  const prompt = b.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') throw badRequest(`prompt: expected a non-empty string, got ${describe(prompt)}`);
  if (prompt.length > MAX_PROMPT_CHARS) {
    throw badRequest(`prompt: expected at most ${MAX_PROMPT_CHARS} characters, got ${prompt.length}`, 'prompt_too_long');
  }
  const mt = b.max_tokens ?? Math.min(DEFAULT_MAX_TOKENS, maxTokens);
  if (typeof mt !== 'number' || !Number.isInteger(mt) || mt < 1) {
    throw badRequest(`max_tokens: expected a positive integer, got ${describe(mt)}`);
  }
  if (mt > maxTokens) throw badRequest(`max_tokens: expected at most ${maxTokens}, got ${mt}`, 'max_tokens_exceeded');
  const stream = b.stream ?? false;
  if (typeof stream !== 'boolean') throw badRequest(`stream: expected true or false, got ${describe(stream)}`);
  return { prompt, maxTokens: mt, stream };
}
