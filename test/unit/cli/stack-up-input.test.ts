/**
 * `peakready stack up` checks every flag before anything starts: against the reference stack,
 * or against a team's own stack file (`--stack`): its services for --replicas and --services,
 * its switches for --disable; --autoscale and the reference gateway's --no-* switches are
 * refused with a stack file. Every problem is listed at once (INVALID_INPUT, exit 2), naming
 * the flag or the file and what was expected. The stack files here are real files, loaded the
 * way `stack up` loads them; nothing is started.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { checkStackUp, type UpFlags } from '../../../src/cli/commands/stack.js';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';

// Inside the repository (tmp/ is ignored by git), so a file's imports resolve like a user's.
const root = resolve('tmp');
mkdirSync(root, { recursive: true });
const dir = mkdtempSync(join(root, 'stack-up-input-'));
const index = relative(dir, resolve('src/index.js')).replace(/\\/g, '/');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, body: string): { path: string; shown: string } {
  const path = join(dir, name);
  writeFileSync(path, body);
  return { path, shown: relative(process.cwd(), path) };
}

// A shop's own stack: an API (the entry, with an HPA and a fallback switch) calling a model server; a Redis.
const shop = write(
  'shop.ts',
  `import { defineStack } from '${index}';
export default defineStack({
  name: 'shop',
  entry: 'api',
  redis: true,
  services: {
    api: {
      command: ['node', 'api.js'], port: { env: 'PORT' }, ready: '/ready',
      env: { MODEL_URL: '{{model.url}}', REDIS_URL: '{{redis.url}}' },
      autoscaling: { min: 1, max: 3, targetCpu: 70 },
    },
    model: { command: ['node', 'model.js'], port: { flag: '--port' }, ready: '/ready', env: { FEATURES_URL: '{{features.url}}' } },
    features: { command: ['node', 'features.js'], port: { flag: '--port' }, ready: '/ready', replicas: 2 },
    audit: { command: ['node', 'audit.js'], port: { flag: '--port' }, ready: '/ready' },
  },
  classify: { modelType: { json: 'model_type' } },
  switches: { fallback: { service: 'api', env: { FALLBACK: '0' } }, 'audit-log': { service: 'audit', env: { AUDIT: '0' } } },
});
`,
);

async function refused(flags: UpFlags): Promise<PeakreadyError> {
  try {
    await checkStackUp(flags);
  } catch (err) {
    expect(err).toBeInstanceOf(PeakreadyError);
    expect(exitCode({ kind: 'error', error: err })).toBe(2);
    return err as PeakreadyError;
  }
  throw new Error('expected stack up to refuse its input');
}

describe('stack up --stack <file>: flags checked against the stack file', () => {
  it('lists every problem at once, naming the flag, the stack and what was expected', async () => {
    const err = await refused({
      stack: shop.path,
      replicas: 'web=2,model=0,api=5',
      autoscale: 'api=1:4',
      fallback: false,
      breaker: false,
      disable: ['breaker'],
      services: 'model,nope',
      traffic: 'nowhere.ts',
    });
    expect(err.message).toBe(`invalid input, nothing was started (${err.problems.length} problems):`);
    expect(err.problems).toEqual([
      `--autoscale: the stack shop (${shop.shown}) declares its HPAs in its stack file (services.<name>.autoscaling); leave --autoscale out (--disable autoscaler switches them off)`,
      "--no-fallback: switches the reference gateway's fallback; with --stack use --disable <mechanism>, one of fallback, audit-log, autoscaler",
      "--no-breaker: switches the reference gateway's breaker; with --stack use --disable <mechanism>, one of fallback, audit-log, autoscaler",
      '--replicas: expected services of the stack shop (api, model, features, audit), got "web"',
      '--replicas.model: expected a whole number 1..20, got "0"',
      `--replicas.api: api autoscales between 1 and 3 replicas (services.api.autoscaling in ${shop.shown}); expected 1..3, or add --disable autoscaler`,
      '--disable: expected one of fallback, audit-log, autoscaler (the switches of stack shop), got "breaker"',
      '--services: expected some of api, model, features, audit (the services of the stack shop), got "nope"',
      `--services: expected the entry service api among them (it receives the traffic; entry in ${shop.shown})`,
      `--services: model needs features ({{features.url}} in services.model.env.FEATURES_URL of ${shop.shown}); add features, or leave --services out`,
      "--traffic: sets the console's background traffic; add --dashboard (or leave --traffic out)",
      '--traffic: nowhere.ts: scenario file not found (pass the path of a scenario .ts file, e.g. scenarios/holiday-peak.ts)',
    ]);
  });

  it('refuses a switch whose service --services leaves out, and a --services list that cuts a needed upstream', async () => {
    const err = await refused({ stack: shop.path, services: 'api,model', disable: ['audit-log'] });
    expect(err.problems).toEqual([
      `--services: model needs features ({{features.url}} in services.model.env.FEATURES_URL of ${shop.shown}); add features, or leave --services out`,
      '--disable audit-log: switches services.audit, which --services leaves out',
    ]);
  });

  it("lists the stack file's own problems (and what it lacks locally) next to the flags'", async () => {
    const broken = write(
      'broken.ts',
      `export default { name: 'broken', entry: 'web', services: { api: { command: ['node', 'api.js'], ready: '/ready' } } };\n`,
    );
    const err = await refused({ stack: broken.path, autoscale: 'api=1:2' });
    expect(err.problems).toEqual([`${broken.shown}: entry: expected one of the stack's services (api), got "web"`, `--autoscale: the stack file ${broken.shown} declares its HPAs in its stack file (services.<name>.autoscaling); leave --autoscale out (--disable autoscaler switches them off)`]);
    const unlaunchable = write('unlaunchable.ts', `export default { name: 'k8s-only', entry: 'api', services: { api: { ready: '/ready' } } };\n`);
    expect((await refused({ stack: unlaunchable.path })).problems).toEqual([
      `${unlaunchable.shown}: services.api.command: required on the local platform (the command line that starts it)`,
      `${unlaunchable.shown}: services.api.port: required on the local platform (how it is told its port)`,
    ]);
  });

  it('names a stack file that does not exist', async () => {
    const err = await refused({ stack: 'stacks/nope.ts' });
    expect(err.problems).toEqual(['--stack: stacks/nope.ts: stack file not found (pass the path of a stack .ts file, e.g. stacks/reference.ts)']);
  });

  it('accepts good flags: the stack reduced to --services, its replicas and switches in the plan', async () => {
    const plan = await checkStackUp({ stack: shop.path, services: 'api,model,features', replicas: 'features=3,api=2', disable: ['fallback'], timeScale: '0.5' });
    expect(Object.keys(plan.stack!.definition.services)).toEqual(['api', 'model', 'features']);
    expect(Object.keys(plan.stack!.definition.switches!)).toEqual(['fallback']);
    expect(plan.stack!.shown).toBe(shop.shown);
    expect(plan.spec).toEqual({ replicas: { features: 3, api: 2 }, disable: ['fallback'] });
    expect(plan.services).toBeUndefined();
    expect(plan.timeScale).toBe(0.5);
    // Outside its HPA's range only with the HPA off.
    expect((await checkStackUp({ stack: shop.path, replicas: 'api=5', disable: ['autoscaler'] })).spec.replicas).toEqual({ api: 5 });
  });

  it("takes --traffic's mix (and its classifier) from a scenario file, and lists that scenario's problems", async () => {
    const traffic = write(
      'traffic.ts',
      `import { defineScenario, seedMix } from '${index}';
export default defineScenario({
  name: 'shop-traffic',
  traffic: { executor: 'arrival-rate', stages: [{ name: 'base', duration: '10s', rate: 5 }] },
  mix: { ...seedMix(), search: { weight: 5, request: () => ({ method: 'GET', path: '/search?q=gift' }) } },
  stack: { classify: { modelType: { header: 'x-served-by' } } },
});
`,
    );
    const plan = await checkStackUp({ stack: shop.path, dashboard: true, traffic: traffic.path });
    expect(Object.keys(plan.traffic!.mix)).toEqual(['predict', 'detailed', 'batch', 'search']);
    expect(plan.traffic!.label).toBe(`mix of ${traffic.shown}`);
    expect(plan.traffic!.classify).toEqual({ modelType: { header: 'x-served-by' } });
    const bad = write('bad-traffic.ts', `export default { name: 'x', traffic: { executor: 'arrival-rate', stages: [] }, mix: {} };\n`);
    const err = await refused({ stack: shop.path, dashboard: true, traffic: bad.path });
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.problems.every((p) => p.startsWith(`${bad.shown}: `))).toBe(true);
  });
});

describe('stack up without --stack: the reference stack', () => {
  it('lists every problem at once in the reference terms', async () => {
    const err = await refused({ services: 'tabular,payments', replicas: 'tabular=zero', autoscale: 'tabular=4:1', disable: ['audit-log'], timeScale: '0', dashboardPort: '70000' });
    expect(err.problems).toEqual([
      '--time-scale: expected a positive number, got "0"',
      '--dashboard-port: expected a port number 0..65535, got "70000"',
      '--replicas.tabular: expected a whole number >= 1, got "zero"',
      '--autoscale.tabular: expected min:max[:targetRps], got "4:1"',
      '--services: expected some of gateway, tabular, fallback, triton, generative, got "payments"',
      '--disable: expected one of fallback, breaker, cache, autoscaler, analysis, got "audit-log"',
    ]);
    expect((await refused({ replicas: 'tabular' })).problems).toEqual(['--replicas: expected service=value[,service=value], got "tabular"']);
  });

  it('keeps the gateway switches and takes --disable against its mechanisms', async () => {
    const plan = await checkStackUp({ services: 'gateway,tabular', replicas: 'tabular=3', autoscale: 'tabular=1:4:100', fallback: false, cache: false, disable: ['breaker', 'analysis'] });
    expect(plan.services).toEqual(['gateway', 'tabular']);
    expect(plan.stack).toBeUndefined();
    expect(plan.spec).toEqual({
      replicas: { tabular: 3 },
      autoscaling: { tabular: { min: 1, max: 4, targetRps: 100 } },
      gateway: { fallback: false, cache: false },
      disable: ['breaker', 'analysis'],
    });
  });

  it('leaves no bundle of a stack or traffic file behind', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.peakready.mjs'))).toEqual([]);
  });
});
