import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';
import { checkRunInput } from '../../../src/runner/run-input.js';
import { preflightProblems } from '../../../src/runner/preflight.js';
import { breakerQuery, defineStack, fillTemplate, stackDefinitionProblems, stackPlatformProblems, type StackDefinition } from '../../../src/scenario/stack-definition.js';
import { FAULT_KINDS } from '../../../src/scenario/fault-spec.js';

// Stack and scenario files live inside the repository (tmp/ is ignored by git) so their imports resolve like a user's.
const root = resolve('tmp');
mkdirSync(root, { recursive: true });
const dir = mkdtempSync(join(root, 'stack-def-'));
const index = relative(dir, resolve('src/index.js')).replace(/\\/g, '/');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, body: string): string => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};

const mine = defineStack({
  name: 'mine',
  entry: 'app',
  redis: true,
  services: {
    app: { command: ['gunicorn', 'app:app'], port: { flag: '--bind', value: '127.0.0.1:{{port}}' }, env: { MODEL_URL: '{{model.url}}', REDIS_URL: '{{redis.url}}/0' }, ready: '/ready' },
    model: { command: ['python3', 'model_server.py'], port: { flag: '--port' }, ready: '/ready', metrics: '/metrics' },
  },
  classify: { modelType: { json: 'model_type' } },
  switches: { fallback: { service: 'app', env: { FALLBACK_ENABLED: '0' } } },
});

async function refused(p: Promise<unknown>): Promise<PeakreadyError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PeakreadyError);
    return err as PeakreadyError;
  }
  throw new Error('expected the input to be refused');
}

describe('stack definitions', () => {
  it('accepts a well-formed definition and fills {{svc.url}}, {{redis.url}} and {{port}}', () => {
    expect(stackDefinitionProblems(mine, 'mine.ts')).toEqual([]);
    expect(fillTemplate('{{model.url}}/predict at {{ port }}', { model: 'http://127.0.0.1:4001' }, 5000)).toBe('http://127.0.0.1:4001/predict at 5000');
  });

  it('names the file, the field and what was expected for every problem at once', () => {
    const bad = {
      name: 'Mine',
      entry: 'web',
      services: {
        app: { command: 'gunicorn app:app', port: { flag: 'port' }, ready: 'ready', replicas: 0, surprise: 1 },
        model: { command: ['python3'], port: { env: 'PORT' }, ready: '/ready', env: { URL: '{{db.url}}' } },
      },
      switches: { fallback: { service: 'nope' } },
    };
    const problems = stackDefinitionProblems(bad, 'stacks/mine.ts');
    expect(problems).toEqual(
      expect.arrayContaining([
        'stacks/mine.ts: name: expected a lower-case name like "my-stack"',
        'stacks/mine.ts: services.app.command: expected the command line as an array, program first, like ["gunicorn", "app:app"]',
        'stacks/mine.ts: services.app.port.flag: expected a flag like "--port"',
        'stacks/mine.ts: services.app.ready: expected an HTTP path starting with "/"',
        'stacks/mine.ts: services.app.replicas: expected an integer 1..20',
        'stacks/mine.ts: services.app.surprise: unknown field',
      ]),
    );
    // The cross-field checks run once the shape is right.
    const shaped = { ...bad, name: 'mine', services: { ...bad.services, app: { command: ['gunicorn'], port: { flag: '--port' }, ready: '/ready' } } };
    expect(stackDefinitionProblems(shaped, 'stacks/mine.ts')).toEqual([
      'stacks/mine.ts: entry: expected one of the stack\'s services (app, model), got "web"',
      'stacks/mine.ts: services.model.env.URL: {{db.url}} names no service of the stack (it has app, model)',
      'stacks/mine.ts: switches.fallback.service: expected one of the stack\'s services (app, model), got "nope"',
      'stacks/mine.ts: switches.fallback: expected env or args that switch fallback off',
    ]);
  });

  it('takes a classifier as data or as a function, and names what it expected otherwise', () => {
    expect(stackDefinitionProblems({ ...mine, classify: ({ body }: { body: unknown }) => ({ modelType: String((body as { m: string }).m) }) }, 'm.ts')).toEqual([]);
    expect(stackDefinitionProblems({ ...mine, classify: 'model_type' }, 'm.ts')).toEqual([
      'm.ts: classify: expected { modelType?, fallbackValue?, cache?, version? } (each { header } or { json }), or a function (answer) => ({ modelType?, cache?, version? })',
    ]);
  });

  it('checks an HPA in the stack file: bounds, and something to scale on', () => {
    const hpa = (autoscaling: unknown) => stackDefinitionProblems({ ...mine, services: { ...mine.services, model: { ...mine.services.model, autoscaling } } }, 'm.ts');
    expect(hpa({ min: 1, max: 3, targetCpu: 70 })).toEqual([]);
    expect(hpa({ min: 1, max: 3, metric: { query: 'avg(up{service="{{service}}"})', target: 5 } })).toEqual([]);
    expect(hpa({ min: 3, max: 2, targetCpu: 70 })).toEqual(['m.ts: services.model.autoscaling.max: expected an integer >= min (3), got 2']);
    expect(hpa({ min: 1, max: 2 })).toEqual(['m.ts: services.model.autoscaling: expected targetCpu or metric (what to scale on)']);
    expect(hpa({ min: 1, max: 2, targetCpu: 170, metric: { query: '', target: 0 } })).toEqual([
      'm.ts: services.model.autoscaling.targetCpu: expected a percent in (0, 100]',
      'm.ts: services.model.autoscaling.metric.query: expected a PromQL query',
      'm.ts: services.model.autoscaling.metric.target: expected a number > 0',
    ]);
  });

  it("reads a breaker SLO with the stack's own PromQL, and names the stack's breakers when the SLO names another", () => {
    const guarded = { ...mine, breakers: { model: { query: 'max(app_breaker_state)' } } } satisfies StackDefinition;
    expect(stackDefinitionProblems(guarded, 'm.ts')).toEqual([]);
    expect(breakerQuery(guarded, 'model')).toBe('max(app_breaker_state)');
    expect(breakerQuery(guarded, 'toString')).toBeUndefined();
    expect(stackDefinitionProblems({ ...mine, breakers: { Model: { query: 'max(x)' } } }, 'm.ts')).toEqual(['m.ts: breakers.Model: expected a lower-case breaker name like "model-server"']);
    expect(stackDefinitionProblems({ ...mine, breakers: { model: { query: '' } } }, 'm.ts')).toEqual(['m.ts: breakers.model.query: expected a PromQL query whose value is the state (0 closed, 1 half-open, 2 open)']);
    const slos = (upstream: string) => ({ slos: [{ metric: { kind: 'breaker-state', upstream } }] });
    expect(preflightProblems(slos('model'), 's.ts', 'local', guarded)).toEqual([]);
    expect(preflightProblems(slos('tabular'), 's.ts', 'local', guarded)).toEqual(['s.ts: slos[0].metric.upstream: expected one of the breakers of the stack mine (model), got "tabular"']);
  });

  it("checks fault targets, SLO services, switches and deploy events against the stack, not the reference stack's names", () => {
    const scenario = {
      faults: [
        { kind: 'unavailable', target: 'model', for: '10s' },
        { kind: 'redis-outage', target: 'redis', for: '10s' },
        { kind: 'latency', target: 'tabular', for: '10s' },
      ],
      slos: [{ metric: { kind: 'replicas', service: 'model' } }, { metric: { kind: 'restarts', service: 'triton' } }, { metric: { kind: 'breaker-state', upstream: 'model' } }],
      events: [{ kind: 'deploy', at: '1s', service: 'model', version: 'v2' }],
      stack: { disable: ['fallback', 'breaker'], gateway: { cache: false } },
    };
    expect(preflightProblems(scenario, 's.ts', 'local', mine)).toEqual([
      's.ts: faults[2].target: latency on the local platform supports app, model, redis; got "tabular"',
      's.ts: slos[1].metric.service: expected one of the stack\'s services (app, model, redis), got "triton"',
      's.ts: slos[2].metric.upstream: expected one of the breakers of the stack mine (it declares none: breakers.<name>.query in its stack file), got "model"',
      's.ts: events[0].service: the stack mine declares no versions to roll out (services.<name>.rollout), got "model"',
      's.ts: stack.disable[1]: expected one of fallback (the switches of stack mine), got "breaker"',
      "s.ts: stack.gateway: the stack mine is a stack definition; gateway options are the reference gateway's own",
    ]);
    // The same scenario against the reference stack: its own names are the valid ones.
    const onReference = preflightProblems(scenario, 's.ts', 'local');
    expect(onReference).toContain('s.ts: faults[0].target: unavailable on the local platform supports gateway, tabular, fallback, triton, generative, redis; got "model"');
    expect(onReference).toContain('s.ts: slos[0].metric.service: expected one of the stack\'s services (gateway, tabular, fallback, triton, generative, redis, prometheus), got "model"');
  });

  it('checks deploy events, rollout SLOs and rollout settings against the versions a stack declares', () => {
    const versioned = {
      ...mine,
      services: {
        ...mine.services,
        model: { ...mine.services.model, rollout: { versions: { v1: { args: ['--version', 'v1'] }, v2: { args: ['--version', 'v2'] } }, analysis: [{ name: 'accuracy', query: 'avg(acc{version="{{version}}"}) > 0.9' }] } },
      },
    } satisfies StackDefinition;
    expect(stackDefinitionProblems(versioned, 'm.ts')).toEqual([]);
    const scenario = {
      events: [
        { kind: 'deploy', at: '1s', service: 'model', version: 'v2' },
        { kind: 'deploy', at: '2s', service: 'model', version: 'v3' },
        { kind: 'deploy', at: '3s', service: 'app', version: 'v2' },
      ],
      slos: [{ metric: { kind: 'rollout-phase', service: 'model' } }, { metric: { kind: 'rollout-phase', service: 'app' } }],
      stack: { rollout: { steps: [50], pause: '5s' }, disable: ['analysis'] },
    };
    expect(preflightProblems(scenario, 's.ts', 'local', versioned)).toEqual([
      's.ts: slos[1].metric.service: app of the stack mine declares no versions to roll out (services.app.rollout)',
      's.ts: events[1].version: model has versions v1, v2, got "v3"',
      's.ts: events[2].service: only model rolls out model versions, got "app"',
    ]);
    // A stable version that is not one of them, and a condition Argo could not evaluate.
    const bad = { ...versioned, services: { ...versioned.services, model: { ...versioned.services.model, rollout: { ...versioned.services.model.rollout, stable: 'v9', analysis: [{ name: 'accuracy', query: 'x', successCondition: 'value > 1' }] } } } };
    expect(stackDefinitionProblems(bad, 'm.ts')).toEqual([
      'm.ts: services.model.rollout.analysis[0].successCondition: expected an Argo condition on result, like "result == true" or "result[0] < 100"',
    ]);
    const badStable = { ...versioned, services: { ...versioned.services, model: { ...versioned.services.model, rollout: { ...versioned.services.model.rollout, stable: 'v9' } } } };
    expect(stackDefinitionProblems(badStable, 'm.ts')).toEqual(['m.ts: services.model.rollout.stable: expected one of its versions (v1, v2), got "v9"']);
  });

  it('every fault kind but the Redis-only one can target a model service of a stack definition', () => {
    const without = { ...mine, redis: false } satisfies StackDefinition;
    for (const kind of FAULT_KINDS) {
      const problems = preflightProblems({ faults: [{ kind, target: 'model', for: '5s' }] }, 's.ts', 'local', without);
      if (kind === 'redis-outage') expect(problems).toEqual(['s.ts: faults[0].target: redis-outage on the local platform supports no service of this stack; got "model"']);
      else expect(problems, kind).toEqual([]);
    }
  });

  it('run --stack loads the stack file and refuses a bad one (exit 2, file and field named, nothing started)', async () => {
    const stackFile = write('bad-stack.ts', `import { defineStack } from '${index}';\nexport default defineStack({ name: 'x', entry: 'app', services: { app: { command: ['true'], port: { flag: '--port' }, ready: '/ready', replicas: 99 } } });\n`);
    const scenarioFile = write(
      'uses.ts',
      `import { defineScenario } from '${index}';
export default defineScenario({
  name: 'uses',
  traffic: { executor: 'arrival-rate', stages: [{ duration: '5s', rate: 5 }] },
  mix: { predict: { weight: 1, request: () => ({ path: '/predict' }) } },
  faults: [{ kind: 'unavailable', target: 'model', for: '2s', at: '1s' }],
  slos: [{ metric: { kind: 'error-rate' }, op: '<', threshold: 0.01 }],
});
`,
    );
    const e = await refused(checkRunInput(scenarioFile, { stack: stackFile }));
    expect(exitCode({ kind: 'error', error: e })).toBe(2);
    expect(e.problems).toEqual([expect.stringMatching(new RegExp(`^${relative(process.cwd(), stackFile).replace(/[.]/g, '\\.')}: services\\.app\\.replicas: `))]);
    const missing = await refused(checkRunInput(scenarioFile, { stack: join(dir, 'nope.ts') }));
    expect(missing.problems.join('\n')).toMatch(/nope\.ts: stack file not found/);
  });

  it("a scenario names its stack file relative to itself; --disable takes the stack's switches; on Kubernetes it needs the kubernetes fields", async () => {
    write('good-stack.ts', `import { defineStack } from '${index}';\nexport default defineStack(${JSON.stringify(mine)});\n`);
    const scenarioFile = write(
      'names-stack.ts',
      `import { defineScenario } from '${index}';
export default defineScenario({
  name: 'names-stack',
  traffic: { executor: 'arrival-rate', stages: [{ duration: '5s', rate: 5 }] },
  mix: { predict: { weight: 1, request: () => ({ path: '/predict' }) } },
  faults: [{ kind: 'unavailable', target: 'model', for: '2s', at: '1s' }],
  slos: [{ metric: { kind: 'fallback-share' }, op: '<', threshold: 0.5 }],
  stack: { definition: './good-stack.ts' },
});
`,
    );
    const checked = await checkRunInput(scenarioFile, { disable: ['fallback'] });
    expect(checked.scenario.stackDefinition?.definition.name).toBe('mine');
    expect(checked.scenario.stack.disable).toEqual(['fallback']);
    expect(checked.platform).toMatchObject({ platform: 'local', stack: { definition: { name: 'mine' }, dir } });
    const e = await refused(checkRunInput(scenarioFile, { disable: ['cache'], platform: 'kubernetes' }));
    const shown = String.raw`[^:]*good-stack\.ts`;
    expect(e.problems).toEqual([
      '--disable: expected one of fallback (the switches of stack mine), got "cache"',
      expect.stringMatching(new RegExp(`^${shown}: services\\.app\\.kubernetes: required on the kubernetes platform`)),
      expect.stringMatching(new RegExp(`^${shown}: services\\.model\\.kubernetes: required on the kubernetes platform`)),
      expect.stringMatching(new RegExp(`^${shown}: kubernetes\\.redis: required on the kubernetes platform with redis: true`)),
      expect.stringMatching(new RegExp(`^${shown}: kubernetes\\.prometheus: required on the kubernetes platform .*--prometheus-url`)),
    ]);
  });

  it('on Kubernetes: a stack deployed by its own manifests, named by workloads, labels and its entry Service', async () => {
    const onCluster = {
      ...mine,
      services: {
        app: { ...mine.services.app, kubernetes: { selector: { 'app.kubernetes.io/name': 'app' }, service: { name: 'app', port: 8080 } } },
        model: { ...mine.services.model, kubernetes: { workload: { kind: 'StatefulSet', name: 'model-server' }, selector: { 'app.kubernetes.io/name': 'model-server' } } },
      },
      kubernetes: { prometheus: 'http://prometheus.monitoring.svc:9090', redis: { selector: { 'app.kubernetes.io/name': 'redis' } } },
    } satisfies StackDefinition;
    expect(stackDefinitionProblems(onCluster, 'm.ts')).toEqual([]);
    expect(stackPlatformProblems(onCluster, 'kubernetes', 'm.ts')).toEqual([]);
    // The same file still runs locally (its command, port and ready are there).
    expect(stackPlatformProblems(onCluster, 'local', 'm.ts')).toEqual([]);
    // A stack only for Kubernetes has no commands: the local platform says what it lacks.
    const clusterOnly = { ...onCluster, services: { app: { ready: '/ready', kubernetes: onCluster.services.app.kubernetes }, model: { kubernetes: onCluster.services.model.kubernetes } } } satisfies StackDefinition;
    expect(stackDefinitionProblems(clusterOnly, 'm.ts')).toEqual([]);
    expect(stackPlatformProblems(clusterOnly, 'kubernetes', 'm.ts')).toEqual([]);
    expect(stackPlatformProblems(clusterOnly, 'local', 'm.ts')).toEqual([
      'm.ts: services.app.command: required on the local platform (the command line that starts it)',
      'm.ts: services.app.port: required on the local platform (how it is told its port)',
      'm.ts: services.model.command: required on the local platform (the command line that starts it)',
      'm.ts: services.model.port: required on the local platform (how it is told its port)',
      'm.ts: services.model.ready: required on the local platform (the HTTP path answering 2xx once it is ready)',
    ]);
    // The entry needs its Service and ready path; --prometheus-url stands in for the file's Prometheus.
    const noEntry = { ...clusterOnly, services: { ...clusterOnly.services, app: { kubernetes: { selector: { app: 'x' } } } }, kubernetes: { redis: onCluster.kubernetes.redis } } satisfies StackDefinition;
    expect(stackPlatformProblems(noEntry, 'kubernetes', 'm.ts', { prometheusUrl: 'http://10.0.0.9:9090' })).toEqual([
      'm.ts: services.app.kubernetes.service: required for the entry service (the Service that receives the traffic), like { name: "api", port: 8080 }',
      'm.ts: services.app.ready: required for the entry service (the harness checks it through the Service before the traffic starts)',
    ]);
    // Malformed fields are named.
    const bad = { ...onCluster, services: { ...onCluster.services, app: { ...onCluster.services.app, kubernetes: { workload: { kind: 'Job', name: 'App' }, selector: {}, service: { name: 'app', port: 0 } } } }, kubernetes: { prometheus: 'prometheus:9090' } };
    expect(stackDefinitionProblems(bad, 'm.ts')).toEqual([
      'm.ts: services.app.kubernetes.workload.kind: expected Deployment, StatefulSet or Rollout',
      'm.ts: services.app.kubernetes.workload.name: expected a Kubernetes object name like "model-server"',
      'm.ts: services.app.kubernetes.selector: expected the labels of its pods, like { "app.kubernetes.io/name": "api" }',
      'm.ts: services.app.kubernetes.service.port: expected a port 1..65535',
      'm.ts: kubernetes.prometheus: expected an http(s) URL like http://prometheus.monitoring.svc:9090',
    ]);

    // A run on Kubernetes: the platform gets the stack; what it would reconfigure or deploy is refused.
    write('cluster-stack.ts', `import { defineStack } from '${index}';\nexport default defineStack(${JSON.stringify(onCluster)});\n`);
    const scenarioFile = write(
      'on-cluster.ts',
      `import { defineScenario } from '${index}';
export default defineScenario({
  name: 'on-cluster',
  traffic: { executor: 'arrival-rate', stages: [{ duration: '5s', rate: 5 }] },
  mix: { predict: { weight: 1, request: () => ({ path: '/predict' }) } },
  faults: [{ kind: 'partition', target: 'model', for: '2s', at: '1s' }, { kind: 'redis-outage', target: 'redis', for: '2s', at: '3s' }],
  slos: [{ metric: { kind: 'fallback-share' }, op: '<', threshold: 0.5 }],
  stack: { definition: './cluster-stack.ts' },
});
`,
    );
    const checked = await checkRunInput(scenarioFile, { platform: 'kubernetes', context: 'test', namespace: 'team' });
    expect(checked.platform).toMatchObject({ platform: 'kubernetes', namespace: 'team', stack: { definition: { name: 'mine' } } });
    // Versions on Kubernetes are an image or environment on the pod template (args are the local platform's), never through a StatefulSet.
    const withVersions = { ...onCluster, services: { ...onCluster.services, model: { ...onCluster.services.model, rollout: { versions: { v1: { args: ['--version', 'v1'] }, v2: { image: 'models:2' } } } } } } satisfies StackDefinition;
    expect(stackPlatformProblems(withVersions, 'kubernetes', 'm.ts')).toEqual([
      "m.ts: services.model.rollout.versions.v1: expected image or env on the kubernetes platform (set on the pod template of its workload; args are the local platform's)",
      'm.ts: services.model.kubernetes.workload.kind: versions roll out through a Rollout or a Deployment, got StatefulSet',
    ]);
    expect(stackPlatformProblems(withVersions, 'local', 'm.ts')).toEqual(['m.ts: services.model.rollout.versions.v2: expected env or args on the local platform (what makes a process run it; an image is for Kubernetes)']);
    // A deploy event is taken on Kubernetes (its own controller rolls it out); the scenario's canary settings are not.
    const withDeploy = { ...withVersions, services: { ...withVersions.services, model: { ...withVersions.services.model, kubernetes: { ...onCluster.services.model.kubernetes, workload: { kind: 'Rollout', name: 'model-server' } }, rollout: { versions: { v1: { env: { V: '1' } }, v2: { image: 'models:2' } } } } } } satisfies StackDefinition;
    write('versioned-stack.ts', `import { defineStack } from '${index}';\nexport default defineStack(${JSON.stringify(withDeploy)});\n`);
    const canaryFile = write(
      'canary-on-cluster.ts',
      `import { defineScenario } from '${index}';
export default defineScenario({
  name: 'canary-on-cluster',
  traffic: { executor: 'arrival-rate', stages: [{ duration: '5s', rate: 5 }] },
  mix: { predict: { weight: 1, request: () => ({ path: '/predict' }) } },
  events: [{ kind: 'deploy', at: '1s', service: 'model', version: 'v2' }],
  slos: [{ metric: { kind: 'rollout-phase', service: 'model' }, op: '==', threshold: 'Aborted' }],
  stack: { definition: './versioned-stack.ts', rollout: { steps: [20, 40], pause: '5s' } },
});
`,
    );
    const canary = await refused(checkRunInput(canaryFile, { platform: 'kubernetes', context: 'test' }));
    expect(canary.problems).toEqual([expect.stringMatching(/canary-on-cluster\.ts: stack\.rollout: on the kubernetes platform the canary steps, pauses and analysis of the stack mine are its own Rollout's/)]);
    const e = await refused(checkRunInput(scenarioFile, { platform: 'kubernetes', context: 'test', disable: ['fallback'], loadRunners: '2', overlay: 'kind' }));
    expect(e.problems).toEqual([
      expect.stringMatching(/^--disable fallback: on the kubernetes platform peakready does not reconfigure the stack mine/),
      expect.stringMatching(/^--runner-image: the runner pods run peakready's image, which the stack mine .* does not deploy; name it/),
      expect.stringMatching(/^--overlay: the stack mine .* is deployed by its own manifests/),
    ]);

    // Load runners on a team's stack: peakready's image named, the stack file's classifier sent to the runners as data.
    const runners = await checkRunInput(scenarioFile, { platform: 'kubernetes', context: 'test', loadRunners: '3', runnerImage: 'registry.example.com/peakready:1.0' });
    expect(runners.loadRunners).toMatchObject({ count: 3, image: 'registry.example.com/peakready:1.0', classify: onCluster.classify });
    const badImage = await refused(checkRunInput(scenarioFile, { platform: 'kubernetes', context: 'test', loadRunners: '3', runnerImage: 'Peakready Image' }));
    expect(badImage.problems).toEqual(['--runner-image: expected an image reference like registry.example.com/peakready:1.0, got "Peakready Image"']);
    const noRunners = await refused(checkRunInput(scenarioFile, { platform: 'kubernetes', context: 'test', runnerImage: 'peakready:1' }));
    expect(noRunners.problems).toEqual(['--runner-image: only with --load-runners, got --runner-image "peakready:1"']);
    // A classifier function cannot travel to the runner pods; the scenario's own classifier travels in its bundle.
    write('fn-stack.ts', `import { defineStack } from '${index}';\nconst s = ${JSON.stringify(onCluster)};\nexport default defineStack({ ...s, classify: (a) => ({ modelType: a.status === 200 ? 'primary' : 'fallback' }) });\n`);
    const fnScenario = (own: string) =>
      write(
        `fn-scenario-${own ? 'own' : 'plain'}.ts`,
        `import { defineScenario } from '${index}';
export default defineScenario({
  name: 'fn', traffic: { executor: 'arrival-rate', stages: [{ duration: '5s', rate: 5 }] },
  mix: { predict: { weight: 1, request: () => ({ path: '/predict' }) } },
  slos: [{ metric: { kind: 'fallback-share' }, op: '<', threshold: 0.5 }],
  stack: { definition: './fn-stack.ts'${own} },
});
`,
      );
    const fn = await refused(checkRunInput(fnScenario(''), { platform: 'kubernetes', context: 'test', loadRunners: '2', runnerImage: 'peakready:1' }));
    expect(fn.problems).toEqual([expect.stringMatching(/^--load-runners: the stack mine .* classifies answers with a function, which the runner pods cannot receive/)]);
    const own = await checkRunInput(fnScenario(", classify: { modelType: { header: 'x-model' } }"), { platform: 'kubernetes', context: 'test', loadRunners: '2', runnerImage: 'peakready:1' });
    expect(own.loadRunners?.classify).toBeUndefined();
  });
});
