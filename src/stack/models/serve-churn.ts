/**
 * Runs one churn model behind the KServe v2 server: the whole of the tabular and fallback
 * services, which differ only in model, name and flags.
 */
import { createKserveServer } from '../common/kserve-model-server.js';
import { createLogger, parseServiceArgs, startService } from '../common/service-runtime.js';
import { accuracy, loadChurnModel, type ModelKind } from './churn-models.js';

export interface ServeChurnOptions {
  /** Service name in logs ("tabular", "fallback"). */
  readonly service: string;
  readonly modelName: string;
  readonly argv: readonly string[];
  /** Accept `--version v1|v2-bad` (the tabular service); the fallback has one model. */
  readonly versioned: boolean;
}

const VERSIONS: Record<string, ModelKind> = { v1: 'v1', 'v2-bad': 'v2-bad' };

function positiveInt(raw: unknown, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a positive integer, got ${String(raw)}`);
  return n;
}

/** Parses flags, opens the port, then loads the model; resolves once listening. */
export async function serveChurn(opts: ServeChurnOptions): Promise<void> {
  const { port, host, values } = parseServiceArgs(opts.argv, {
    ...(opts.versioned ? { version: { type: 'string' as const, default: 'v1' } } : {}),
    'accuracy-interval-ms': { type: 'string', default: '5000' },
    'max-batch': { type: 'string', default: '256' },
  });
  let kind: ModelKind = 'fallback';
  let version = 'v1';
  if (opts.versioned) {
    version = String(values.version);
    const k = VERSIONS[version];
    if (!k) throw new Error(`--version: expected one of ${Object.keys(VERSIONS).join(', ')}, got ${version}`);
    kind = k;
  }
  const logger = createLogger(opts.service);
  const server = createKserveServer({
    modelName: opts.modelName,
    version,
    platform: 'sklearn',
    maxBatch: positiveInt(values['max-batch'], '--max-batch'),
    accuracyIntervalMs: positiveInt(values['accuracy-interval-ms'], '--accuracy-interval-ms'),
    logger,
    load: async () => {
      const { model, validation, reference, cached } = await loadChurnModel(kind);
      logger.info({ kind, cached }, cached ? 'model read from cache' : 'model trained and cached');
      return { featureCount: model.featureCount, predictProba: (rows) => model.predictProba(rows), accuracy: () => accuracy(model, validation), reference };
    },
  });
  const running = await startService({ name: opts.service, host, port, logger, handler: server.handler, onShutdown: () => server.stop() });
  server.setAccepting(running.accepting);
  await server.start();
}
