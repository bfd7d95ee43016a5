/**
 * The seed's three prediction routes and which model serves each:
 * - POST /api/v1/predict          → tabular "churn" (10 features)
 * - POST /api/v1/predict/detailed → triton "churn-deep" (20 features, probabilities + explanation)
 * - POST /api/v1/predict/batch    → tabular "churn", one [N,10] infer
 * The fallback model "churn-fallback" answers all three on the first 10 features.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson } from '../common/http-kit.js';
import type { GatewayContext } from './gateway-context.js';
import { inferBody, inferPath, readClassifier, readDeep } from './kserve-codec.js';
import { serveAnswer, type Answer } from './model-answer.js';
import { parseBatch, parseDetailed, parsePredict } from './route-input.js';
import { Upstream, type Target } from './upstream.js';

const TABULAR_PATH = inferPath('churn');
const FALLBACK_PATH = inferPath('churn-fallback');
const TRITON_PATH = inferPath('churn-deep');

type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Counts refused input as a prediction error of the route's model, then lets the router answer. */
async function guarded(ctx: GatewayContext, model: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof HttpError) ctx.metrics.errors.labels(model, 'none', 'invalid_input').inc();
    throw err;
  }
}

/** Calls a classifier ("churn" or "churn-fallback") with rows of 10 features. */
function classify(path: string, rows: number[][], single: boolean, withProba: boolean) {
  const body = inferBody(rows, 10);
  return async (target: Target, signal: AbortSignal): Promise<Answer> => {
    const a = readClassifier(await Upstream.postJson(target, path, body, signal), rows.length);
    const p1 = a.probabilities.map((p) => p[1]!);
    const payload: Record<string, unknown> = single
      ? { prediction: a.predictions[0] }
      : { prediction: a.predictions };
    if (withProba) payload.probabilities = single ? a.probabilities[0] : a.probabilities;
    return { payload, version: a.version, p1 };
  };
}

export function predictHandler(ctx: GatewayContext): RouteHandler {
  const tabular = ctx.upstreams.tabular;
  return (req, res) =>
    guarded(ctx, 'churn', async () => {
      const t0 = performance.now();
      const input = parsePredict(await readJson(req));
      const rows = [input.features];
      await serveAnswer(ctx, res, {
        route: 'predict',
        model: 'churn',
        cacheControl: req.headers['cache-control'],
        primary: tabular,
        keyInput: { features: input.features, return_probabilities: input.returnProbabilities },
        callPrimary: classify(TABULAR_PATH, rows, true, input.returnProbabilities),
        callFallback: classify(FALLBACK_PATH, rows, true, input.returnProbabilities),
      }, t0);
    });
}

export function batchHandler(ctx: GatewayContext): RouteHandler {
  const tabular = ctx.upstreams.tabular;
  return (req, res) =>
    guarded(ctx, 'churn', async () => {
      const t0 = performance.now();
      const input = parseBatch(await readJson(req), ctx.config.maxBatch);
      await serveAnswer(ctx, res, {
        route: 'batch',
        model: 'churn',
        cacheControl: req.headers['cache-control'],
        primary: tabular,
        keyInput: { instances: input.rows, return_probabilities: input.returnProbabilities },
        callPrimary: classify(TABULAR_PATH, input.rows, false, input.returnProbabilities),
        callFallback: classify(FALLBACK_PATH, input.rows, false, input.returnProbabilities),
      }, t0);
    });
}

export function detailedHandler(ctx: GatewayContext): RouteHandler {
  const triton = ctx.upstreams.triton;
  return (req, res) =>
    guarded(ctx, 'churn-deep', async () => {
      const t0 = performance.now();
      const input = parseDetailed(await readJson(req));
      const body = inferBody([input.features], 20);
      await serveAnswer(ctx, res, {
        route: 'detailed',
        model: 'churn-deep',
        cacheControl: req.headers['cache-control'],
        primary: triton,
        keyInput: { features: input.features, return_probabilities: input.returnProbabilities, explanation: input.explanation },
        callPrimary: async (target, signal) => {
          const a = readDeep(await Upstream.postJson(target, TRITON_PATH, body, signal), 1);
          const proba = a.probabilities[0]!;
          const payload: Record<string, unknown> = { prediction: proba[1]! >= 0.5 ? 1 : 0 };
          if (input.returnProbabilities) payload.probabilities = proba;
          if (input.explanation) payload.explanation = a.explanation[0];
          return { payload, version: a.version, p1: [proba[1]!] };
        },
        // The fallback has no explanation to give; the answer says so by omitting it.
        callFallback: classify(FALLBACK_PATH, [input.features.slice(0, 10)], true, input.returnProbabilities),
      }, t0);
    });
}
