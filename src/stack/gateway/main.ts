/**
 * Gateway entry: `node dist/stack/gateway/main.js --port 0 --tabular-url URL --fallback-url URL
 * [--triton-url URL] [--generative-url URL] [--redis-url redis://…] [--config file.json]
 * [--no-fallback] [--no-breaker] [--no-cache]`. Env fallbacks: TABULAR_URL, FALLBACK_URL,
 * TRITON_URL, GENERATIVE_URL, REDIS_URL, CANARY_URL, GENERATIVE_MODEL; PEAKREADY_DISABLE
 * (comma list of fallback,breaker,cache: the --no-* flags) and PEAKREADY_GATEWAY_OPTIONS
 * (the --config file's JSON inline), which the kubernetes manifests set.
 */
import { createLogger, parseServiceArgs, runMain, startService } from '../common/service-runtime.js';
import { GATEWAY_FLAGS, resolveGatewayConfig } from './config.js';
import { createGatewayApp } from './gateway-app.js';

/** Starts the gateway from command-line arguments. */
async function main(argv: readonly string[]): Promise<void> {
  const { port, host, values } = parseServiceArgs(argv, { ...GATEWAY_FLAGS, 'generative-model': { type: 'string' } });
  const config = resolveGatewayConfig(values);
  const logger = createLogger('gateway');
  const model = typeof values['generative-model'] === 'string' ? values['generative-model'] : process.env.GENERATIVE_MODEL;
  const app = createGatewayApp(config, logger, { generativeModel: model || undefined });
  logger.info(
    { urls: config.urls, redis: config.redisUrl !== undefined, switches: config.switches, maxBatch: config.maxBatch, maxTokens: config.maxTokens },
    'gateway configured',
  );
  await startService({
    name: 'gateway',
    host,
    port,
    logger,
    handler: (req, res) => app.handle(req, res),
    // Pools and Redis stay open while in-flight requests finish; the process exit closes them.
    onShutdown: () => app.startDrain(),
  });
}

// Unconditional, like every service entry: the role dispatcher (stack/main.js) imports this file.
runMain('gateway', () => main(process.argv.slice(2)));
