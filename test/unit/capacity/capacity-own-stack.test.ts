/**
 * `peakready capacity` on a team's own stack (a stack definition, issue 17): the input checks
 * (every problem naming the file or flag, the field and what was expected), the stack a
 * search runs (the service pinned, the autoscaler off, the switches asked for), and the
 * reports naming the stack and the service. The stack and scenario files are real files,
 * loaded the way the CLI loads them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCapacityFlags, type RawCapacityFlags } from '../../../src/capacity/capacity-flags.js';
import { checkCapacityInput, type CapacityInput } from '../../../src/capacity/capacity-input.js';
import { renderCapacityHtml } from '../../../src/capacity/capacity-html.js';
import { renderCapacityMarkdown } from '../../../src/capacity/capacity-markdown.js';
import { capacityStack, definedCapacityStack } from '../../../src/capacity/capacity-platform.js';
import { parseCapacitySlos } from '../../../src/capacity/capacity-slo.js';
import { buildResult } from '../../../src/capacity/run-capacity.js';
import { entryMix } from '../../../src/capacity/service-traffic.js';
import type { Platform } from '../../../src/platforms/platform.js';
import type { LoadedStack, StackDefinition } from '../../../src/scenario/stack-definition.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'peakready-cap-stack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A path as the checks show it (relative to the working directory). */
const shown = (p: string): string => relative(process.cwd(), p);

const SHOP: StackDefinition = {
  name: 'shop',
  entry: 'api',
  services: {
    api: { command: ['python3', 'api.py'], port: { env: 'PORT' }, ready: '/ready', autoscaling: { min: 1, max: 3, targetCpu: 70 } },
    model: { command: ['python3', 'model.py'], port: { flag: '--port' }, ready: '/ready' },
  },
  switches: { fallback: { service: 'api', env: { FALLBACK_ENABLED: '0' } } },
};

function write(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

const stackFile = write('shop-stack.ts', `export default ${JSON.stringify(SHOP)};\n`);
const MIX = `{ predict: { weight: 1, request: () => ({ method: 'POST', path: '/predict', body: { features: [1, 2] } }) } }`;
const scenarioText = (stack: string): string =>
  `export default { name: 'shop-capacity', traffic: { executor: 'arrival-rate', stages: [{ name: 'steady', duration: '10s', rate: 10 }] }, mix: ${MIX}${stack} };\n`;
/** A scenario that names its stack in stack.definition, and one that names none. */
const namingScenario = write('naming.ts', scenarioText(`, stack: { definition: './shop-stack.ts' }`));
const plainScenario = write('plain.ts', scenarioText(''));

const input = (over: Partial<CapacityInput> = {}): CapacityInput => ({
  service: 'api',
  slo: [],
  replicas: '1',
  headroom: '30%',
  platform: 'local',
  stepDuration: '10s',
  warmup: '2s',
  startRate: '10',
  maxRate: '10000',
  precision: '5%',
  repeats: '3',
  seed: '1',
  ...over,
});

/** The problems checkCapacityInput throws (it must throw INVALID_INPUT). */
async function problems(file: string, over: Partial<CapacityInput>): Promise<string[]> {
  const err = await checkCapacityInput(file, input(over)).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string; problems?: string[] },
  );
  expect(err, 'expected INVALID_INPUT').toBeDefined();
  expect(err!.code).toBe('INVALID_INPUT');
  expect(err!.message).toMatch(/^invalid input, nothing was started \(\d+ problems?\):$/);
  return err!.problems ?? [];
}

describe('capacity input checks against a stack file', () => {
  const where = `(the services of stack shop, ${shown(stackFile)})`;
  const stack = `stack shop (${shown(stackFile)})`;

  it('names the stack file and its services for a --service that is not one of them (the scenario naming its stack, or --stack)', async () => {
    const expected = [`--service: expected one of api, model ${where}, got "gateway"`];
    expect(await problems(namingScenario, { service: 'gateway' })).toEqual(expected);
    expect(await problems(plainScenario, { service: 'gateway', stack: stackFile })).toEqual(expected);
    expect(await problems(plainScenario, { service: undefined, stack: stackFile })).toEqual([`--service: required, expected one of api, model ${where}`]);
  });

  it('refuses --profile with a stack: the simulators are the reference stack\'s', async () => {
    expect(await problems(namingScenario, { profile: 'capacity-triton-4x50ms' })).toEqual([
      `--profile: only for the reference stack's simulators (triton, generative); ${stack} starts its services from its own commands, got "capacity-triton-4x50ms"`,
    ]);
  });

  it('on Kubernetes needs the stack file to say where the stack lives, and refuses --disable there (its manifests hold its switches)', async () => {
    const file = shown(join(tmp, 'shop-stack.ts'));
    expect(await problems(namingScenario, { platform: 'kubernetes', disable: ['fallback'] })).toEqual([
      `${file}: services.api.kubernetes: required on the kubernetes platform (its workload, the labels of its pods, its Service)`,
      `${file}: services.model.kubernetes: required on the kubernetes platform (its workload, the labels of its pods, its Service)`,
      `${file}: kubernetes.prometheus: required on the kubernetes platform (the URL of the Prometheus that scrapes the stack), or give --prometheus-url`,
      `--disable fallback: on the kubernetes platform peakready does not reconfigure ${stack}; switch fallback off in your own manifests (its HPAs are held at --replicas during the search)`,
    ]);
    // A stack file that says where it lives is measured there.
    const onCluster = write(
      'shop-cluster.ts',
      `export default ${JSON.stringify({
        ...SHOP,
        services: {
          api: { ...SHOP.services.api, kubernetes: { selector: { app: 'api' }, service: { name: 'api', port: 8080 } } },
          model: { ...SHOP.services.model, kubernetes: { selector: { app: 'model' } } },
        },
      })};\n`,
    );
    const { parsed, scenario } = await checkCapacityInput(plainScenario, input({ platform: 'kubernetes', stack: onCluster, service: 'model', prometheusUrl: 'http://10.0.0.9:9090' }));
    expect([parsed.service, scenario.stackDefinition?.definition.name]).toEqual(['model', 'shop']);
    // There the search holds the service's HPAs at --replicas (the autoscaler is always off), whatever the stack file declares.
    const loaded = scenario.stackDefinition!;
    expect(definedCapacityStack({}, { ...loaded, definition: { ...loaded.definition, services: { model: loaded.definition.services.model! } } }, 'model', 2, [], 'kubernetes')).toEqual({ replicas: { model: 2 }, disable: ['autoscaler'] });
  });

  it("checks --disable against the stack's switches (and the reference stack's mechanisms without one)", async () => {
    expect(await problems(namingScenario, { disable: ['fallback', 'breaker'] })).toEqual(['--disable: expected one of fallback, autoscaler (the switches of stack shop), got "breaker"']);
    expect(await problems('scenarios/ci-smoke.ts', { service: 'triton', disable: ['fallback', 'warp-drive'] })).toEqual([
      '--disable: expected one of fallback, breaker, cache, autoscaler, analysis, got "warp-drive"',
    ]);
  });

  it('lists every problem at once, each naming its flag', async () => {
    const all = await problems(namingScenario, { service: 'web', profile: 'p', disable: ['cache'], replicas: '0' });
    expect(all.map((p) => p.split(/[: ]/)[0])).toEqual(['--service', '--replicas', '--profile', '--disable']);
  });

  it('names the stack file and the field of a bad stack file, without judging --service against what it cannot read', async () => {
    const bad = write('bad-stack.ts', `export default ${JSON.stringify({ ...SHOP, entry: 'web' })};\n`);
    expect(await problems(plainScenario, { service: 'api', stack: bad })).toEqual([`${shown(bad)}: entry: expected one of the stack's services (api, model), got "web"`]);
    expect(await problems(plainScenario, { service: undefined, stack: bad, platform: 'kubernetes' })).toEqual([
      `--service: required, expected one of the services of the stack in ${shown(bad)}`,
      `${shown(bad)}: entry: expected one of the stack's services (api, model), got "web"`,
    ]);
    const missing = join(tmp, 'nope.ts');
    expect(await problems(plainScenario, { stack: missing })).toEqual([`${shown(missing)}: stack file not found`]);
  });

  it('needs what the local platform needs of every service, and checks the scenario\'s stack settings against the stack', async () => {
    const noCommand = write('no-command.ts', `export default ${JSON.stringify({ ...SHOP, services: { ...SHOP.services, model: { port: { flag: '--port' }, ready: '/ready' } } })};\n`);
    expect(await problems(plainScenario, { stack: noCommand })).toEqual([`${shown(noCommand)}: services.model.command: required on the local platform (the command line that starts it)`]);
    const replicas = write('replicas.ts', scenarioText(`, stack: { definition: './shop-stack.ts', replicas: { gateway: 2 } }`));
    expect(await problems(replicas, {})).toEqual([`${shown(replicas)}: stack.replicas.gateway: unknown service, expected one of api, model`]);
  });

  it('names an unknown --slo endpoint among the mix entries sent to the entry service', async () => {
    expect(await problems(namingScenario, { slo: ['p99(detailed)<1s'] })).toEqual(['--slo "p99(detailed)<1s": unknown endpoint "detailed", expected one of predict']);
  });

  it('passes a valid command line: the scenario carries the stack, the flags the switches asked for', async () => {
    const { parsed, scenario } = await checkCapacityInput(plainScenario, input({ service: 'model', stack: stackFile, disable: ['fallback'], replicas: '2' }));
    expect(scenario.stackDefinition?.definition.name).toBe('shop');
    expect(scenario.stackDefinition?.shown).toBe(shown(stackFile));
    expect(parsed).toMatchObject({ service: 'model', disable: ['fallback'], sloTexts: ['p99<250ms', 'errors<1%'], settings: { replicas: 2 } });
  });
});

describe('parseCapacityFlags with a stack definition', () => {
  const loaded: LoadedStack = { definition: SHOP, dir: '/teams/shop', shown: 'stacks/shop.ts' };
  const raw: RawCapacityFlags = { ...input(), service: 'generative' };

  it('takes any service name of the stack, with the plain default SLOs whatever its name', () => {
    const gen: LoadedStack = { ...loaded, definition: { ...SHOP, services: { ...SHOP.services, generative: SHOP.services.model! } } };
    const { flags, problems: p } = parseCapacityFlags(raw, () => undefined, { kind: 'defined', stack: gen });
    expect(p).toEqual([]);
    expect(flags).toMatchObject({ service: 'generative', sloTexts: ['p99<250ms', 'errors<1%'], disable: [] });
  });

  it('names the stack file in every refusal', () => {
    const { problems: p } = parseCapacityFlags({ ...raw, service: 'constructor', platform: 'kubernetes', profile: 'x', disable: ['analysis'] }, () => '/x', { kind: 'defined', stack: loaded });
    expect(p).toEqual([
      '--service: expected one of api, model (the services of stack shop, stacks/shop.ts), got "constructor"',
      'stacks/shop.ts: services.api.kubernetes: required on the kubernetes platform (its workload, the labels of its pods, its Service)',
      'stacks/shop.ts: services.model.kubernetes: required on the kubernetes platform (its workload, the labels of its pods, its Service)',
      'stacks/shop.ts: kubernetes.prometheus: required on the kubernetes platform (the URL of the Prometheus that scrapes the stack), or give --prometheus-url',
      "--profile: only for the reference stack's simulators (triton, generative); stack shop (stacks/shop.ts) starts its services from its own commands, got \"x\"",
      '--disable analysis: on the kubernetes platform peakready does not reconfigure stack shop (stacks/shop.ts); switch analysis off in your own manifests (its HPAs are held at --replicas during the search)',
    ]);
  });
});

describe('the stack a search on a stack definition runs', () => {
  const loaded: LoadedStack = { definition: SHOP, dir: '/teams/shop', shown: 'stacks/shop.ts' };

  it('pins the service under test, switches the autoscaler off when the stack has one, and adds the switches asked for', () => {
    expect(definedCapacityStack({ replicas: { model: 2 }, definition: './shop.ts' }, loaded, 'api', 3, ['fallback'])).toEqual({
      replicas: { model: 2, api: 3 },
      definition: './shop.ts',
      disable: ['autoscaler', 'fallback'],
    });
    const still = { ...loaded, definition: { ...SHOP, services: { model: SHOP.services.model! }, entry: 'model', switches: {} } };
    expect(definedCapacityStack({}, still, 'model', 1)).toEqual({ replicas: { model: 1 }, disable: [] });
  });

  it('leaves the reference stack as it was without --disable, and adds what --disable names', () => {
    expect(capacityStack({}, 'gateway', 2, 'local')).toEqual({ replicas: { gateway: 2 }, disable: ['autoscaler'] });
    expect(capacityStack({}, 'gateway', 2, 'local', ['cache'])).toEqual({ replicas: { gateway: 2 }, disable: ['autoscaler', 'cache'] });
  });

  it('sends the whole mix, unchanged, to the entry', () => {
    const mix = { a: { weight: 1, request: () => ({ method: 'GET' as const, path: '/x' }) }, b: { weight: 2, request: () => ({ method: 'GET' as const, path: '/y' }) } };
    const t = entryMix(mix);
    expect(t.endpoints).toEqual(['a', 'b']);
    expect(t.mix).toBe(mix);
  });
});

describe('capacity reports of a stack definition', () => {
  const stack: LoadedStack = { definition: SHOP, dir: '/teams/shop', shown: 'stacks/shop.ts' };
  const scenario = { name: 'shop-capacity', file: 'shop/capacity.ts', stackDefinition: stack } as unknown as ResolvedScenario;
  const settings = { replicas: 1, startRate: 5, maxRate: 200, minRate: 1, precision: 0.2, repeats: 1, tolerance: 0.1, warmupMs: 1000, stepMs: 2000, seed: 1 };
  const step = (rate: number, p99: number, ok: boolean) => ({
    rate, phase: 'step' as const, requests: rate * 2, errors: 0, dropped: 0, errorRate: 0, achievedRps: rate, p50: p99 / 2, p90: p99, p99, max: p99, concurrency: 1,
    backlogGrowth: 0, backlogLimit: 8, keptUp: true, slos: [{ slo: 'p99 < 250ms', observed: p99, ok }], ok,
  });
  const r = buildResult({
    opts: { scenario, service: 'model', platform: { name: 'local' } as Platform, slos: parseCapacitySlos(['p99<250ms']).slos, settings, outDir: '/tmp/x' },
    mode: 'entry',
    target: 'http://127.0.0.1:1',
    note: 'sent unchanged to api, the entry service of stack shop',
    endpoints: ['predict'],
    steps: [step(5, 20, true), step(10, 30, true), step(20, 400, false)],
    search: { lastGood: 10, firstBad: 20, outcome: 'found', tried: [] },
    headroom: 0.3,
    startedAt: '2026-11-26T16:00:00.000Z',
    interrupted: false,
    disabled: ['autoscaler', 'fallback'],
  });

  it('capacity.json names the stack, its entry, the service and what was switched off', () => {
    expect(r).toMatchObject({ service: 'model', stack: { name: 'shop', file: 'stacks/shop.ts', entry: 'api' }, route: { mode: 'entry' }, disabled: ['autoscaler', 'fallback'], breakingRps: 20 });
  });

  it('capacity.md and capacity.html name the stack and its file, and the HPA snippet is a plain Deployment', () => {
    const md = renderCapacityMarkdown(r);
    expect(md).toContain('Scenario **shop-capacity** · stack **shop** (`stacks/shop.ts`) · local platform · 1 replica of model');
    expect(md).toContain('Switched off during the search: `autoscaler`, `fallback`.');
    expect(md).toContain('# model exports its server');
    expect(md).toContain('kind: Deployment');
    const html = renderCapacityHtml(r);
    expect(html).toContain('stack <strong>shop</strong> (<code>stacks/shop.ts</code>) · local platform');
    expect(html).toContain('Switched off during the search: <code>autoscaler</code>, <code>fallback</code>.');
  });
});
