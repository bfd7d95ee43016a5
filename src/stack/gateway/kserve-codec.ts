/**
 * KServe v2 REST request building and response reading for the gateway's model upstreams
 * (tabular "churn", fallback "churn-fallback", triton "churn-deep"). An answer that does not
 * have the promised shape is an UpstreamFailure: a broken upstream, not a bad caller.
 */
import { UpstreamFailure } from './upstream.js';

/** Infer path of a model. */
export function inferPath(model: string): string {
  return `/v2/models/${model}/infer`;
}

/**
 * Builds the infer body for N rows of `width` features as text: numbers are already
 * validated finite, so `join` yields valid JSON without a JSON.stringify pass.
 */
export function inferBody(rows: readonly (readonly number[])[], width: number): string {
  const data = rows.length === 1 ? rows[0]!.slice(0, width).join(',') : rows.map((r) => r.slice(0, width).join(',')).join(',');
  return `{"inputs":[{"name":"input-0","shape":[${rows.length},${width}],"datatype":"FP32","data":[${data}]}]}`;
}

interface Output {
  name: string;
  shape?: number[];
  data: unknown;
}

/** The tabular/fallback answer: class per row and [p0, p1] per row. */
export interface ClassifierAnswer {
  readonly version: string;
  readonly predictions: number[];
  readonly probabilities: number[][];
}

/** Triton "churn-deep": [p0, p1] and 20 contributions per row. */
export interface DeepAnswer {
  readonly version: string;
  readonly probabilities: number[][];
  readonly explanation: number[][];
}

function parse(text: string): { version: string; outputs: Output[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamFailure('upstream answered malformed JSON');
  }
  const j = json as { model_version?: unknown; outputs?: unknown };
  if (!Array.isArray(j.outputs)) throw new UpstreamFailure('upstream answer has no outputs');
  return { version: typeof j.model_version === 'string' ? j.model_version : String(j.model_version ?? 'unknown'), outputs: j.outputs as Output[] };
}

function numbers(outputs: Output[], name: string, expected: number): number[] {
  const out = outputs.find((o) => o?.name === name);
  if (!out || !Array.isArray(out.data)) throw new UpstreamFailure(`upstream answer lacks output ${name}`);
  const flat = (out.data as unknown[]).flat(2) as unknown[];
  if (flat.length !== expected || !flat.every((v) => typeof v === 'number')) {
    throw new UpstreamFailure(`upstream output ${name}: expected ${expected} numbers, got ${flat.length}`);
  }
  return flat as number[];
}

function rowsOf(flat: number[], width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += width) rows.push(flat.slice(i, i + width));
  return rows;
}

/** Reads a "churn"/"churn-fallback" answer for `n` rows. */
export function readClassifier(text: string, n: number): ClassifierAnswer {
  const { version, outputs } = parse(text);
  const proba = rowsOf(numbers(outputs, 'predict_proba', n * 2), 2);
  const hasPredict = outputs.some((o) => o?.name === 'predict');
  const predictions = hasPredict ? numbers(outputs, 'predict', n) : proba.map((p) => (p[1]! >= 0.5 ? 1 : 0));
  return { version, predictions, probabilities: proba };
}

/** Reads a Triton "churn-deep" answer for `n` rows of 20 features. */
export function readDeep(text: string, n: number): DeepAnswer {
  const { version, outputs } = parse(text);
  return {
    version,
    probabilities: rowsOf(numbers(outputs, 'probabilities', n * 2), 2),
    explanation: rowsOf(numbers(outputs, 'explanation', n * 20), 20),
  };
}
