/**
 * KServe v2 (Open Inference Protocol) request parsing shared by the tabular, fallback and
 * Triton servers. One tensor input of shape [N, F]; data flat row-major or nested rows.
 * Every malformed input is a 400 naming the field, never a crash.
 */
import { badRequest, describe, isObject } from './http-kit.js';

export interface InferInput {
  /** The request's `id`, echoed in the answer. */
  readonly id: string | undefined;
  readonly inputName: string;
  readonly rows: number[][];
}

export interface InferLimits {
  readonly featureCount: number;
  /** Largest N accepted in one request (400 beyond it). */
  readonly maxBatch: number;
}

const NUMERIC_TYPES = new Set(['FP32', 'FP64', 'FP16', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);

/** Validates a v2 infer body and returns its rows. */
export function parseInferRequest(body: unknown, limits: InferLimits): InferInput {
  if (!isObject(body)) throw badRequest(`body: expected an object with "inputs", got ${describe(body)}`);
  const id = body.id;
  if (id !== undefined && typeof id !== 'string') throw badRequest(`id: expected a string, got ${describe(id)}`);
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw badRequest(`inputs: expected a non-empty array, got ${describe(inputs)}`);
  if (inputs.length > 1) throw badRequest(`inputs: expected exactly 1 input tensor, got ${inputs.length}`);
  const input: unknown = inputs[0];
  if (!isObject(input)) throw badRequest(`inputs[0]: expected an object, got ${describe(input)}`);
  const name = input.name;
  if (typeof name !== 'string' || name === '') throw badRequest(`inputs[0].name: expected a string, got ${describe(name)}`);
  const datatype = input.datatype;
  if (typeof datatype !== 'string' || !NUMERIC_TYPES.has(datatype)) {
    throw badRequest(`inputs[0].datatype: expected a numeric type such as "FP32", got ${describe(datatype)}`);
  }
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)) {
    throw badRequest(`inputs[0].shape: expected [N, ${limits.featureCount}] with positive integers, got ${JSON.stringify(shape)}`);
  }
  const [n, f] = shape as [number, number];
  if (f !== limits.featureCount) {
    throw badRequest(`inputs[0].shape[1]: expected ${limits.featureCount} features, got ${f}`, 'wrong_feature_count');
  }
  if (n > limits.maxBatch) throw badRequest(`inputs[0].shape[0]: batch of ${n} rows exceeds the limit of ${limits.maxBatch}`, 'batch_too_large');
  const flat = flatten(input.data, f);
  if (flat.length !== n * f) throw badRequest(`inputs[0].data: expected ${n * f} values for shape [${n}, ${f}], got ${flat.length}`);
  const rows: number[][] = [];
  for (let r = 0; r < n; r++) rows.push(flat.slice(r * f, r * f + f));
  return { id, inputName: name, rows };
}

function flatten(data: unknown, f: number): number[] {
  if (!Array.isArray(data)) throw badRequest(`inputs[0].data: expected an array of numbers, got ${describe(data)}`);
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (Array.isArray(v)) {
      if (v.length !== f) throw badRequest(`inputs[0].data[${i}]: expected ${f} features, got ${v.length}`, 'wrong_feature_count');
      for (let j = 0; j < v.length; j++) out.push(finite(v[j], `inputs[0].data[${i}][${j}]`));
    } else {
      out.push(finite(v, `inputs[0].data[${i}]`));
    }
  }
  return out;
}

function finite(v: unknown, path: string): number {
  // JSON cannot carry NaN: clients send "NaN" or null instead, both refused here.
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${path}: expected a finite number, got ${describe(v)}`);
  return v;
}

/** Row-major flattening of a [N, k] result. */
export function flatRows(rows: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const r of rows) for (const v of r) out.push(v);
  return out;
}
