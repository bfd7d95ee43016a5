/**
 * Generative simulator (vLLM on a GPU): `node dist/stack/generative/main.js --port N
 * [--profile file] [--warmup-ms N]`. OpenAI-compatible completions with SSE streaming,
 * continuous batching, KV-cache capacity, vLLM metric names; readiness is false while warming up.
 */
import { bundledProfile } from '../common/profile-file.js';
import { createLogger, parseServiceArgs, runMain, startService } from '../common/service-runtime.js';
import { loadVllmProfile } from './profile.js';
import { createGenerativeServer } from './server.js';

runMain('generative', async () => {
  const { port, host, values } = parseServiceArgs(process.argv.slice(2), { profile: { type: 'string' }, 'warmup-ms': { type: 'string' } });
  const profile = loadVllmProfile(typeof values.profile === 'string' ? values.profile : bundledProfile('vllm-a100-llama-8b.json'));
  let warmupMs = profile.warmupMs;
  if (typeof values['warmup-ms'] === 'string') {
    warmupMs = Number(values['warmup-ms']);
    if (!Number.isFinite(warmupMs) || warmupMs < 0) throw new Error(`--warmup-ms: expected a number of milliseconds >= 0, got ${values['warmup-ms']}`);
  }
  const logger = createLogger('generative');
  const server = createGenerativeServer(profile, warmupMs);
  const running = await startService({ name: 'generative', host, port, logger, handler: server.handler, onShutdown: () => server.close() });
  server.setAccepting(running.accepting);
  logger.info({ profile: profile.file, model: profile.model, warmupMs, maxNumSeqs: profile.maxNumSeqs }, 'engine started');
  if (warmupMs > 0) setTimeout(() => logger.info('warm-up done, ready'), warmupMs).unref();
});
