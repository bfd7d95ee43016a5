/**
 * A KServe v2 REST server (the way MLServer serves scikit-learn) around one tabular
 * classifier: the shared body of the tabular and fallback services. The port opens at
 * once; the model loads right after (from the model cache, or trained on a cold cache),
 * and readiness stays false until it has.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { HttpError, Router, readJson, sendJson, sendText } from './http-kit.js';
import { flatRows, parseInferRequest } from './kserve-v2.js';
import { ModelMetrics } from './model-metrics.js';

/** The trained model as the server needs it. */
export interface LoadedClassifier {
  readonly featureCount: number;
  predictProba(rows: number[][]): number[];
  accuracy(): number;
  readonly reference: readonly (readonly number[])[];
}

export interface KserveServerOptions {
  readonly modelName: string;
  readonly version: string;
  /** Reported in model metadata, e.g. "sklearn". */
  readonly platform: string;
  readonly maxBatch: number;
  readonly accuracyIntervalMs: number;
  readonly logger: Logger;
  readonly load: () => Promise<LoadedClassifier>;
}

export interface KserveServer {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Starts loading the model (call once the port is announced). */
  start(): Promise<void>;
  /** Stops the accuracy timer; `accepting` false makes readiness report draining. */
  stop(): void;
  setAccepting(fn: () => boolean): void;
}

/** Builds the routes of a v2 model server for one model. */
export function createKserveServer(opts: KserveServerOptions): KserveServer {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let model: LoadedClassifier | undefined;
  let metrics: ModelMetrics | undefined;
  let loadError: string | undefined;
  let accepting: () => boolean = () => true;
  let timer: NodeJS.Timeout | undefined;

  const notReadyReason = (): string | undefined => {
    if (!accepting()) return 'draining';
    if (loadError) return `model failed to load: ${loadError}`;
    if (!model) return 'model loading';
    return undefined;
  };
  const checkModel = (name: string): void => {
    if (name !== opts.modelName) throw new HttpError(404, 'model_not_found', `model "${name}" is not served here; this server serves "${opts.modelName}"`);
  };
  const readiness = (res: ServerResponse): void => {
    const reason = notReadyReason();
    if (reason) sendJson(res, 503, { ready: false, reason });
    else sendJson(res, 200, { ready: true });
  };

  const infer = async (req: IncomingMessage, res: ServerResponse, params: Record<string, string>): Promise<void> => {
    const started = performance.now();
    try {
      checkModel(params.name!);
      if (params.version !== undefined && params.version !== opts.version) {
        throw new HttpError(404, 'version_not_found', `model "${opts.modelName}" has version "${opts.version}", not "${params.version}"`);
      }
      const body = await readJson(req);
      if (!model || !metrics) throw new HttpError(503, 'model_not_ready', notReadyReason() ?? 'model loading');
      const input = parseInferRequest(body, { featureCount: model.featureCount, maxBatch: opts.maxBatch });
      const proba = model.predictProba(input.rows);
      for (const r of input.rows) metrics.drift.observe(r);
      const n = input.rows.length;
      const response = {
        model_name: opts.modelName,
        model_version: opts.version,
        ...(input.id !== undefined ? { id: input.id } : {}),
        outputs: [
          { name: 'predict', shape: [n], datatype: 'INT64', data: proba.map((p) => (p >= 0.5 ? 1 : 0)) },
          { name: 'predict_proba', shape: [n, 2], datatype: 'FP32', data: flatRows(proba.map((p) => [round6(1 - p), round6(p)])) },
        ],
      };
      metrics.recordSuccess((performance.now() - started) / 1000, proba);
      sendJson(res, 200, response);
    } catch (err) {
      metrics?.recordError(err instanceof HttpError ? err.code : 'internal');
      throw err;
    }
  };

  const metadata = (_req: IncomingMessage, res: ServerResponse, params: Record<string, string>): void => {
    checkModel(params.name!);
    const f = model?.featureCount ?? 10;
    sendJson(res, 200, {
      name: opts.modelName,
      versions: [opts.version],
      platform: opts.platform,
      inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, f] }],
      outputs: [
        { name: 'predict', datatype: 'INT64', shape: [-1] },
        { name: 'predict_proba', datatype: 'FP32', shape: [-1, 2] },
      ],
    });
  };

  const router = new Router()
    .on('GET', '/health', (_q, res) => sendJson(res, 200, { status: 'ok' }))
    .on('GET', '/ready', (_q, res) => readiness(res))
    .on('GET', '/metrics', async (_q, res) => sendText(res, 200, await registry.metrics(), registry.contentType))
    .on('GET', '/v2', (_q, res) => sendJson(res, 200, { name: 'peakready-mlserver', version: '1.0.0', extensions: [] }))
    .on('GET', '/v2/health/live', (_q, res) => sendJson(res, 200, { live: true }))
    .on('GET', '/v2/health/ready', (_q, res) => readiness(res))
    .on('GET', '/v2/models/{name}', metadata)
    .on('GET', '/v2/models/{name}/versions/{version}', metadata)
    .on('GET', '/v2/models/{name}/ready', (_q, res, p) => {
      checkModel(p.name!);
      const ready = model !== undefined && accepting();
      sendJson(res, ready ? 200 : 503, { name: opts.modelName, ready });
    })
    .on('POST', '/v2/models/{name}/infer', infer)
    .on('POST', '/v2/models/{name}/versions/{version}/infer', infer);

  return {
    handler: (req, res) => router.handle(req, res),
    setAccepting(fn) {
      accepting = fn;
    },
    async start() {
      const t0 = performance.now();
      try {
        const loaded = await opts.load();
        const m = new ModelMetrics({ model: opts.modelName, version: opts.version, featureCount: loaded.featureCount, reference: loaded.reference, registry });
        const acc = loaded.accuracy();
        m.setAccuracy(acc);
        // The seed's update_accuracy_metrics: re-score the validation set periodically.
        timer = setInterval(() => m.setAccuracy(loaded.accuracy()), opts.accuracyIntervalMs);
        timer.unref();
        metrics = m;
        model = loaded;
        opts.logger.info({ model: opts.modelName, version: opts.version, accuracy: acc, loadMs: Math.round(performance.now() - t0) }, 'model loaded');
      } catch (err) {
        loadError = err instanceof Error ? err.message : String(err);
        opts.logger.error({ err }, 'model failed to load');
      }
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
