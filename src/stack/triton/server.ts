/**
 * Triton's HTTP/REST endpoints (KServe v2 as Triton serves it) for one model, backed by the
 * dynamic batcher: /v2, /v2/health/*, /v2/models/{m}[/versions/{v}], /ready, /config, /infer,
 * plus the stack's /health, /ready, /metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HttpError, Router, badRequest, describe, isObject, readJson, sendJson, sendText } from '../common/http-kit.js';
import { parseInferRequest } from '../common/kserve-v2.js';
import { createChurnDeep } from './churn-deep.js';
import { DynamicBatcher, QueueFullError } from './dynamic-batcher.js';
import type { TritonProfile } from './profile.js';
import { TritonMetrics } from './triton-metrics.js';

const OUTPUTS = ['probabilities', 'explanation'] as const;

export interface TritonServer {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  setAccepting(fn: () => boolean): void;
  close(): void;
}

/** Model config as GET /v2/models/{m}/config returns it (Triton's JSON form of config.pbtxt). */
function modelConfig(p: TritonProfile): Record<string, unknown> {
  return {
    name: p.model,
    platform: p.platform,
    backend: p.platform.startsWith('onnxruntime') ? 'onnxruntime' : p.platform,
    max_batch_size: p.maxBatchSize,
    input: [{ name: 'input-0', data_type: 'TYPE_FP32', dims: [p.features] }],
    output: [
      { name: 'probabilities', data_type: 'TYPE_FP32', dims: [2] },
      { name: 'explanation', data_type: 'TYPE_FP32', dims: [p.features] },
    ],
    instance_group: [{ name: `${p.model}_0`, kind: 'KIND_GPU', count: p.instanceCount, gpus: [0] }],
    dynamic_batching: {
      preferred_batch_size: p.preferredBatchSizes,
      max_queue_delay_microseconds: p.maxQueueDelayUs,
      default_queue_policy: { max_queue_size: p.maxQueueSize, timeout_action: 'REJECT', default_timeout_microseconds: 0, allow_timeout_override: false },
    },
    version_policy: { latest: { num_versions: 1 } },
  };
}

function requestedOutputs(body: unknown): Set<string> {
  const all = new Set<string>(OUTPUTS);
  if (!isObject(body) || body.outputs === undefined) return all;
  const outs = body.outputs;
  if (!Array.isArray(outs)) throw badRequest(`outputs: expected an array of {"name"}, got ${describe(outs)}`);
  const wanted = new Set<string>();
  outs.forEach((o: unknown, i) => {
    const name = isObject(o) ? o.name : undefined;
    if (typeof name !== 'string' || !all.has(name)) throw badRequest(`outputs[${i}].name: expected one of ${OUTPUTS.join(', ')}, got ${describe(name)}`);
    wanted.add(name);
  });
  return wanted;
}

export function createTritonServer(profile: TritonProfile): TritonServer {
  const model = createChurnDeep(profile.features);
  let accepting: () => boolean = () => true;
  let metrics: TritonMetrics | undefined;
  const batcher = new DynamicBatcher(profile, (b) => metrics?.recordExecution(b.size, b.computeUs));
  metrics = new TritonMetrics(profile, () => batcher.pending);
  const m = metrics;

  const checkModel = (p: Record<string, string>): void => {
    if (p.name !== profile.model) throw new HttpError(404, 'model_not_found', `Request for unknown model: '${p.name}' is not found`);
    if (p.version !== undefined && p.version !== profile.version) {
      throw new HttpError(404, 'version_not_found', `Request for unknown model: '${p.name}' version ${p.version} is not found`);
    }
  };
  const readiness = (res: ServerResponse): void => {
    if (accepting()) sendJson(res, 200, { ready: true });
    else sendJson(res, 503, { ready: false, reason: 'draining' });
  };

  const infer = async (req: IncomingMessage, res: ServerResponse, params: Record<string, string>): Promise<void> => {
    const started = performance.now();
    try {
      checkModel(params);
      const body = await readJson(req);
      const input = parseInferRequest(body, { featureCount: profile.features, maxBatch: profile.maxBatchSize });
      const wanted = requestedOutputs(body);
      if (!accepting()) throw new HttpError(503, 'unavailable', 'server is shutting down');
      let timing;
      try {
        timing = await batcher.submit(input.rows.length);
      } catch (err) {
        if (err instanceof QueueFullError) throw new HttpError(503, 'queue_full', `Exceeds maximum queue size: ${err.message}`);
        throw err;
      }
      const out = model(input.rows);
      const n = input.rows.length;
      const outputs = [];
      if (wanted.has('probabilities')) outputs.push({ name: 'probabilities', datatype: 'FP32', shape: [n, 2], data: out.probabilities });
      if (wanted.has('explanation')) outputs.push({ name: 'explanation', datatype: 'FP32', shape: [n, profile.features], data: out.explanation });
      m.recordRequest(timing.queueUs, timing.computeUs, (performance.now() - started) * 1000);
      sendJson(res, 200, { model_name: profile.model, model_version: profile.version, ...(input.id !== undefined ? { id: input.id } : {}), outputs });
    } catch (err) {
      if (err instanceof HttpError && err.status !== 404) m.recordFailure(err.code === 'queue_full' ? 'REJECTED' : 'OTHER');
      throw err;
    }
  };

  const metadata = (_q: IncomingMessage, res: ServerResponse, p: Record<string, string>): void => {
    checkModel(p);
    sendJson(res, 200, {
      name: profile.model,
      versions: [profile.version],
      platform: profile.platform,
      inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, profile.features] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        { name: 'explanation', datatype: 'FP32', shape: [-1, profile.features] },
      ],
    });
  };
  const modelReady = (_q: IncomingMessage, res: ServerResponse, p: Record<string, string>): void => {
    checkModel(p);
    sendJson(res, accepting() ? 200 : 503, { name: profile.model, version: profile.version, ready: accepting() });
  };

  const router = new Router()
    .on('GET', '/health', (_q, res) => sendJson(res, 200, { status: 'ok' }))
    .on('GET', '/ready', (_q, res) => readiness(res))
    .on('GET', '/metrics', async (_q, res) => sendText(res, 200, await m.registry.metrics(), m.registry.contentType))
    .on('GET', '/v2', (_q, res) =>
      sendJson(res, 200, {
        name: 'triton',
        version: '2.52.0',
        extensions: ['classification', 'sequence', 'model_repository', 'schedule_policy', 'model_configuration', 'statistics', 'trace', 'logging'],
      }),
    )
    .on('GET', '/v2/health/live', (_q, res) => sendJson(res, 200, { live: true }))
    .on('GET', '/v2/health/ready', (_q, res) => readiness(res))
    .on('GET', '/v2/models/{name}', metadata)
    .on('GET', '/v2/models/{name}/versions/{version}', metadata)
    .on('GET', '/v2/models/{name}/ready', modelReady)
    .on('GET', '/v2/models/{name}/versions/{version}/ready', modelReady)
    .on('GET', '/v2/models/{name}/config', (_q, res, p) => {
      checkModel(p);
      sendJson(res, 200, modelConfig(profile));
    })
    .on('POST', '/v2/models/{name}/infer', infer)
    .on('POST', '/v2/models/{name}/versions/{version}/infer', infer);

  return {
    handler: (req, res) => router.handle(req, res),
    setAccepting(fn) {
      accepting = fn;
    },
    close: () => batcher.close(),
  };
}
