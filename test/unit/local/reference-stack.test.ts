import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { importStackFile } from '../../../src/scenario/load-file.js';
import { checkedStackDefinition, stackPlatformProblems, type LoadedStack } from '../../../src/scenario/stack-definition.js';
import { REFERENCE_CLUSTER_SERVICES, REFERENCE_SERVICE_PORTS, REFERENCE_STACK, REFERENCE_VERSIONS } from '../../../src/scenario/reference-stack.js';
import { APP_SERVICES, DEFAULT_REPLICAS, gatewayOptionFlags, serviceArgs } from '../../../src/platforms/local/stack-layout.js';
import { serviceNodeArgs } from '../../../src/platforms/local/repo-root.js';
import { definedServiceSpec, definedStartTimeoutMs } from '../../../src/platforms/local/defined-stack.js';
import { APP_TARGETS } from '../../../src/faults/catalogue.js';
import { CAPACITY_SERVICES } from '../../../src/capacity/service-traffic.js';
import { renderOverlay } from '../../../src/platforms/kubernetes/kustomize.js';
import type { StackServiceDefinition } from '../../../src/scenario/stack-definition.js';

const REPO = resolve('.');
const loaded = async (): Promise<LoadedStack> => {
  const definition = checkedStackDefinition(await importStackFile('stacks/reference.ts'), 'stacks/reference.ts');
  return { definition, dir: join(REPO, 'stacks'), shown: 'stacks/reference.ts' };
};
const urls = { gateway: 'http://127.0.0.1:1001', tabular: 'http://127.0.0.1:1002', fallback: 'http://127.0.0.1:1003', triton: 'http://127.0.0.1:1004', generative: 'http://127.0.0.1:1005', redis: 'redis://127.0.0.1:1006' };
/** Arguments without the port flag and its value (the built-in layout passes "--port 0", a definition a free port). */
const withoutPort = (args: readonly string[]) => args.filter((a, i) => a !== '--port' && args[i - 1] !== '--port');

describe('the reference stack is one stack definition (src/scenario/reference-stack.ts, published as stacks/reference.ts)', () => {
  it('stacks/reference.ts is that definition, valid for the local platform and for Kubernetes', async () => {
    const { definition } = await loaded();
    expect(definition).toEqual(REFERENCE_STACK);
    expect(stackPlatformProblems(REFERENCE_STACK, 'local', 'stacks/reference.ts')).toEqual([]);
    // On a cluster its Prometheus is the overlay's, in the run's namespace: the user names it.
    expect(stackPlatformProblems(REFERENCE_STACK, 'kubernetes', 'stacks/reference.ts', { prometheusUrl: 'http://prometheus.peakready.svc:9090' })).toEqual([]);
  });

  it('the built-in layout, the fault targets and capacity read their services, replicas and versions from it', () => {
    expect(APP_SERVICES).toEqual(['gateway', 'tabular', 'fallback', 'triton', 'generative']);
    expect(APP_TARGETS).toEqual(APP_SERVICES);
    expect(CAPACITY_SERVICES).toEqual(APP_SERVICES);
    expect(DEFAULT_REPLICAS).toEqual({ gateway: 1, tabular: 2, fallback: 1, triton: 1, generative: 1 });
    expect(REFERENCE_VERSIONS).toEqual({ tabular: ['v1', 'v2-bad'] });
    expect(REFERENCE_CLUSTER_SERVICES).toEqual([...APP_SERVICES, 'redis', 'prometheus']);
  });

  it("its workloads, pod labels, Services and ports are the kind overlay's", () => {
    const objects = renderOverlay(join(REPO, 'deploy'), 'kind');
    const ports = Object.fromEntries(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, (o.spec as { ports: { port: number }[] }).ports[0]!.port]));
    for (const name of REFERENCE_CLUSTER_SERVICES) expect(ports[name], name).toBe(REFERENCE_SERVICE_PORTS[name]);
    const services: Readonly<Record<string, StackServiceDefinition>> = REFERENCE_STACK.services;
    for (const [name, s] of Object.entries(services)) {
      const kind = s.kubernetes?.workload?.kind ?? 'Deployment';
      const w = objects.find((o) => o.kind === kind && o.metadata.name === (s.kubernetes?.workload?.name ?? name));
      expect(w, `${kind} ${name}`).toBeDefined();
      expect((w!.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels, name).toMatchObject(s.kubernetes!.selector);
    }
  });

  it('the built-in layout starts every service, at every version, with the command line the definition gives it', async () => {
    const stack = await loaded();
    for (const service of APP_SERVICES) {
      for (const version of REFERENCE_VERSIONS[service] ?? [undefined]) {
        const spec = await definedServiceSpec(stack, service, urls, [], version);
        const builtIn = [...serviceNodeArgs(service, REPO), '--port', '0', ...serviceArgs(service, version, { urls, redisUrl: urls.redis, gatewayFlags: [] })];
        expect([spec.command, ...withoutPort(spec.args)], `${service} ${version}`).toEqual([process.execPath, ...withoutPort(builtIn)]);
        expect(spec.cwd).toBe(REPO);
        expect(spec.ready).toEqual({ path: '/ready' });
      }
    }
    expect(serviceArgs('tabular', 'v2-bad', { urls, redisUrl: urls.redis, gatewayFlags: [] })).toEqual(['--version', 'v2-bad']);
  });

  it('a reduced stack passes the gateway only the upstreams that run', () => {
    const args = serviceArgs('gateway', undefined, { urls: { tabular: urls.tabular }, redisUrl: urls.redis, gatewayFlags: ['--no-cache'] });
    expect(args).toEqual(['--tabular-url', urls.tabular, '--redis-url', urls.redis, '--no-cache']);
  });

  it("switches the gateway's fallback, breaker and cache off with the flags the built-in layout uses", async () => {
    const stack = await loaded();
    const switches = REFERENCE_STACK.switches;
    expect(Object.keys(switches).sort()).toEqual(['breaker', 'cache', 'fallback']);
    for (const m of Object.keys(switches)) {
      const flags = gatewayOptionFlags(undefined, '/nonexistent', [m]);
      expect(flags, m).toEqual([`--no-${m}`]);
      const spec = await definedServiceSpec(stack, 'gateway', {}, [m]);
      expect(spec.args.slice(-1), m).toEqual(flags);
    }
    // A gateway option `false` switches it off once, even when also disabled.
    expect(gatewayOptionFlags({ cache: false }, '/nonexistent', ['cache'])).toEqual(['--no-cache']);
  });
});

describe('definedStartTimeoutMs', () => {
  const stack = (timeouts: (string | undefined)[]): LoadedStack => ({
    definition: { name: 's', entry: 'a0', services: Object.fromEntries(timeouts.map((t, i) => [`a${i}`, { command: ['x'], port: { flag: '--port' }, ready: '/', ...(t ? { startTimeout: t } : {}) }])) },
    dir: '/',
    shown: 's.ts',
  });
  it("is the longest of the services' deadlines, each its startTimeout or the default 30 s", () => {
    expect(definedStartTimeoutMs(stack(['10s', '5s']))).toBe(10_000);
    expect(definedStartTimeoutMs(stack(['10s', undefined]))).toBe(30_000);
    expect(definedStartTimeoutMs(stack(['90s', undefined]))).toBe(90_000);
  });
});
