import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { importStackFile } from '../../../src/scenario/load-file.js';
import { checkedStackDefinition, type StackDefinition } from '../../../src/scenario/stack-definition.js';
import { APP_SERVICES, DEFAULT_REPLICAS, gatewayOptionFlags, serviceArgs } from '../../../src/platforms/local/stack-layout.js';
import { serviceNodeArgs } from '../../../src/platforms/local/repo-root.js';
import { definedServiceSpec } from '../../../src/platforms/local/defined-stack.js';
import { GATEWAY_SWITCHES } from '../../../src/scenario/types.js';

const REPO = resolve('.');
const loaded = async () => {
  const definition = checkedStackDefinition(await importStackFile('stacks/reference.ts'), 'stacks/reference.ts');
  return { definition, dir: join(REPO, 'stacks'), shown: 'stacks/reference.ts' };
};

describe('stacks/reference.ts', () => {
  it('is a valid stack definition with the built-in layout\'s services and replicas', async () => {
    const { definition } = await loaded();
    expect(Object.keys(definition.services).sort()).toEqual([...APP_SERVICES].sort());
    for (const s of APP_SERVICES) expect(definition.services[s]?.replicas, s).toBe(DEFAULT_REPLICAS[s]);
    expect(definition.entry).toBe('gateway');
    expect(definition.redis).toBe(true);
  });

  it('starts every service with the command line the built-in layout gives it (node flags, entry file, service flags)', async () => {
    const stack = await loaded();
    const urls = { tabular: 'http://127.0.0.1:1001', fallback: 'http://127.0.0.1:1002', triton: 'http://127.0.0.1:1003', generative: 'http://127.0.0.1:1004', gateway: 'http://127.0.0.1:1005', redis: 'redis://127.0.0.1:1006' };
    for (const service of APP_SERVICES) {
      const spec = await definedServiceSpec(stack, service, urls, []);
      const builtIn = [...serviceNodeArgs(service, REPO), ...serviceArgs(service, 'v1', { urls, redisUrl: urls.redis, gatewayFlags: [] })];
      // The definition's entry files are relative to its cwd (the repository root); its port flag comes last.
      expect([spec.command, ...spec.args.slice(0, -2).map((a) => (a.startsWith('dist/') ? join(spec.cwd!, a) : a))], service).toEqual([process.execPath, ...builtIn]);
      expect(spec.args.slice(-2), service).toEqual(['--port', String(spec.port)]);
      expect(spec.cwd).toBe(REPO);
      expect(spec.ready).toEqual({ path: '/ready' });
    }
  });

  it("switches the gateway's fallback, breaker and cache off with the flags the built-in layout uses", async () => {
    const stack = await loaded();
    const switches = (stack.definition as StackDefinition).switches ?? {};
    expect(Object.keys(switches).sort()).toEqual([...GATEWAY_SWITCHES].sort());
    for (const m of GATEWAY_SWITCHES) {
      expect(switches[m]?.args, m).toEqual(gatewayOptionFlags(undefined, '/nonexistent', [m]));
      const spec = await definedServiceSpec(stack, 'gateway', {}, [m]);
      expect(spec.args.slice(-1), m).toEqual(gatewayOptionFlags(undefined, '/nonexistent', [m]));
    }
  });
});
