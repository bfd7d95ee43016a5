/**
 * A stack definition (`defineStack`) on the local platform: each service's replicas run its
 * own command on a port the harness picks, in its own process group (servers such as
 * gunicorn fork workers: a freeze or kill reaches them all), killed with the harness
 * (setpriv's parent-death signal). Switched-off mechanisms (`--disable`) add the
 * definition's environment or arguments to their service.
 */
import { resolve as resolvePath } from 'node:path';
import { invalidInput } from '../../contract/errors.js';
import { parseDuration } from '../../scenario/duration.js';
import { fillTemplate, type LoadedStack } from '../../scenario/stack-definition.js';
import { freePort } from './free-port.js';
import type { ProcessSpec } from './managed-process.js';
import { seedMetricSettings, type AnalysisMetric } from './analysis.js';

const DEFAULT_START_TIMEOUT_MS = 30_000;

/** The process of one replica of `service`; `urls` are the proxy URLs of the services and Redis. */
export async function definedServiceSpec(stack: LoadedStack, service: string, urls: Readonly<Record<string, string>>, disable: readonly string[], version?: string): Promise<ProcessSpec> {
  const svc = stack.definition.services[service];
  if (!svc) throw new Error(`the stack ${stack.definition.name} has no service ${service}`);
  const { command, port: portSpec, ready } = svc;
  // Checked before the run (stackPlatformProblems); a direct caller gets the same message.
  if (!command || !portSpec || ready === undefined) throw invalidInput(`${stack.shown}: services.${service}: command, port and ready are required on the local platform`);
  const port = await freePort();
  const fill = (v: string) => fillTemplate(v, urls, port);
  const [program, ...rest] = command.map(fill);
  const args = [...rest];
  const env: Record<string, string> = {};
  const add = (more: { readonly env?: Readonly<Record<string, string>>; readonly args?: readonly string[] } | undefined) => {
    for (const [k, v] of Object.entries(more?.env ?? {})) env[k] = fill(v);
    args.push(...(more?.args ?? []).map(fill));
  };
  add({ env: svc.env ?? {} });
  if ('flag' in portSpec) args.push(portSpec.flag, fill(portSpec.value ?? '{{port}}'));
  else env[portSpec.env] = String(port);
  // The version this replica runs (a canary's, or the stable one), then the switched-off mechanisms.
  add(version === undefined ? undefined : svc.rollout?.versions[version]);
  for (const mechanism of disable) {
    const sw = stack.definition.switches?.[mechanism];
    if (sw?.service === service) add(sw);
  }
  return {
    command: program!,
    args,
    env,
    cwd: resolvePath(stack.dir, svc.cwd ?? '.'),
    group: true,
    deathLink: 'pdeathsig',
    port,
    ready: { path: ready },
  };
}

/**
 * The analysis of a canary of `version` (Argo's AnalysisTemplate semantics, analysis.ts): the
 * definition's metrics with `{{service}}` and `{{version}}` filled in, measured every
 * `intervalMs` after a first scrape of the canary.
 */
export function definedAnalysis(stack: LoadedStack, service: string, version: string, intervalMs: number): AnalysisMetric[] {
  const seed = seedMetricSettings(intervalMs);
  return (stack.definition.services[service]?.rollout?.analysis ?? []).map((m) => ({
    ...seed,
    name: m.name,
    query: m.query.replaceAll('{{service}}', service).replaceAll('{{version}}', version),
    ...(m.successCondition === undefined ? {} : { successCondition: m.successCondition }),
    ...(m.failureLimit === undefined ? {} : { failureLimit: m.failureLimit }),
    ...(m.count === undefined ? {} : { count: m.count }),
  }));
}

/** The longest start deadline of the definition's services, each its `startTimeout` or the default (the supervisor has one for all). */
export function definedStartTimeoutMs(stack: LoadedStack): number {
  return Math.max(...Object.entries(stack.definition.services).map(([name, s]) => (s.startTimeout ? parseDuration(s.startTimeout, `services.${name}.startTimeout`) : DEFAULT_START_TIMEOUT_MS)));
}

/** The path Prometheus scrapes on a replica of `service`, or undefined when it exposes no metrics. */
export function definedMetricsPath(stack: LoadedStack, service: string): string | undefined {
  const m = stack.definition.services[service]?.metrics;
  return m === false ? undefined : (m ?? '/metrics');
}
