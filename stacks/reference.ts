/**
 * The reference stack as a stack definition: the same five services, replicas, flags and
 * switches the local platform's built-in layout starts (src/platforms/local/stack-layout.ts;
 * test/unit/local/reference-stack.test.ts keeps the two equal). Run it as data with
 * `peakready run <scenario> --stack stacks/reference.ts`, or copy it as the start of your
 * own (docs/your-stack.md).
 *
 * As a definition it has no rollouts, HPA or gateway options (those need the built-in
 * reference stack, the default when no stack is named): scenarios with deploy events,
 * stack.autoscaling or stack.gateway run without --stack.
 */
import { defineStack } from '../src/index.js';

const node = process.execPath;
// Relative to the repository root (cwd: '..'), built by `make build`.
const entry = (service: string) => `dist/stack/${service}/main.js`;

export default defineStack({
  name: 'reference',
  description: 'gateway with fallback, circuit breakers and a Redis prediction cache in front of the tabular, fallback, Triton and generative model servers',
  entry: 'gateway',
  redis: true,
  services: {
    tabular: { command: [node, entry('tabular'), '--version', 'v1'], cwd: '..', port: { flag: '--port' }, ready: '/ready', replicas: 2 },
    fallback: { command: [node, entry('fallback')], cwd: '..', port: { flag: '--port' }, ready: '/ready', replicas: 1 },
    triton: { command: [node, entry('triton')], cwd: '..', port: { flag: '--port' }, ready: '/ready', replicas: 1 },
    generative: { command: [node, entry('generative'), '--warmup-ms', '300'], cwd: '..', port: { flag: '--port' }, ready: '/ready', replicas: 1 },
    gateway: {
      command: [
        node,
        // The gateway's runtime flags (src/stack/node-flags.ts).
        '--single-threaded-gc',
        '--max-semi-space-size=4',
        entry('gateway'),
        ...['tabular', 'fallback', 'triton', 'generative'].flatMap((s) => [`--${s}-url`, `{{${s}.url}}`]),
        '--redis-url',
        '{{redis.url}}',
      ],
      cwd: '..',
      port: { flag: '--port' },
      ready: '/ready',
      replicas: 1,
    },
  },
  // The gateway's headers (also what peakready reads when no stack is named).
  classify: { modelType: { header: 'x-model-type' }, cache: { header: 'x-cache' }, version: { header: 'x-model-version' } },
  switches: {
    fallback: { service: 'gateway', args: ['--no-fallback'] },
    breaker: { service: 'gateway', args: ['--no-breaker'] },
    cache: { service: 'gateway', args: ['--no-cache'] },
  },
});
