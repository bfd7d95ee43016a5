/**
 * Triton simulator: `node dist/stack/triton/main.js --port N [--profile file.json|yaml]`.
 * Serves model "churn-deep" with Triton's REST API, dynamic batching and metric names; the
 * profile (default profiles/triton-a100-churn.json) holds the batching config and latency curve.
 */
import { bundledProfile } from '../common/profile-file.js';
import { createLogger, parseServiceArgs, runMain, startService } from '../common/service-runtime.js';
import { loadTritonProfile } from './profile.js';
import { createTritonServer } from './server.js';

runMain('triton', async () => {
  const { port, host, values } = parseServiceArgs(process.argv.slice(2), { profile: { type: 'string' } });
  const profile = loadTritonProfile(typeof values.profile === 'string' ? values.profile : bundledProfile('triton-a100-churn.json'));
  const logger = createLogger('triton');
  const server = createTritonServer(profile);
  const running = await startService({ name: 'triton', host, port, logger, handler: server.handler, onShutdown: () => server.close() });
  server.setAccepting(running.accepting);
  logger.info({ profile: profile.file, model: profile.model, maxBatchSize: profile.maxBatchSize, instances: profile.instanceCount }, 'model ready');
});
