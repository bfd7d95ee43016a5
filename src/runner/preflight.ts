/**
 * What can only be checked once the platform is known, before anything starts: every
 * fault's kind × target × parameters against the platform (src/faults/catalogue.ts), deploy
 * events against the versioned services, and `stack.*` (replica and autoscaling service
 * names, rollout steps and pause, gateway options against the gateway's own schema).
 * `peakready run` and `peakready validate` both call it; each problem names the file and
 * the dotted field.
 */
import { dirname, relative, resolve as resolvePath } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { REFERENCE_CLUSTER_SERVICES, REFERENCE_SERVICES, REFERENCE_VERSIONS } from '../scenario/reference-stack.js';
import { faultProblems, type FaultInput, type FaultPlatform, type StackTargets } from '../faults/catalogue.js';
import { tryParseDuration } from '../scenario/duration.js';
import { importScenarioFile, importStackFile, type LoadScenarioOptions } from '../scenario/load-file.js';
import { checkedStackDefinition, stackDefinitionProblems, stackMechanisms, stackTargets, stackVersions, type LoadedStack, type StackDefinition } from '../scenario/stack-definition.js';
import { resolveScenario } from '../scenario/resolve.js';
import { GATEWAY_SWITCHES, STACK_MECHANISMS, type ResolvedScenario, type Scenario } from '../scenario/types.js';
import { scenarioProblems } from '../scenario/validate.js';
import { fileSchema } from '../stack/gateway/config.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

function stackProblems(stack: unknown, out: string[], def: StackDefinition | undefined): void {
  if (!isObj(stack)) return;
  const services: readonly string[] = def ? Object.keys(def.services) : REFERENCE_SERVICES;
  const names = services.join(', ');
  if (Array.isArray(stack.disable)) {
    stack.disable.forEach((m: unknown, i) => {
      if (typeof m === 'string') out.push(...mechanismProblems(m, `stack.disable[${i}]`, def));
    });
  }
  if (def) {
    if (stack.autoscaling !== undefined) out.push(`stack.autoscaling: the stack ${def.name} is a stack definition: its HPAs are in its stack file (services.<name>.autoscaling)`);
    if (stack.gateway !== undefined) out.push(`stack.gateway: the stack ${def.name} is a stack definition; gateway options are the reference gateway's own`);
    if (stack.rollout !== undefined && !Object.values(def.services).some((s) => s.rollout)) out.push(`stack.rollout: the stack ${def.name} declares no versions to roll out (services.<name>.rollout in its stack file)`);
  }
  if (isObj(stack.replicas)) {
    for (const [svc, n] of Object.entries(stack.replicas)) {
      if (!services.includes(svc)) out.push(`stack.replicas.${svc}: unknown service, expected one of ${names}`);
      else if (!(typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 50)) out.push(`stack.replicas.${svc}: expected an integer 0..50, got ${show(n)}`);
    }
  } else if (stack.replicas !== undefined) out.push(`stack.replicas: expected an object of service: count, got ${show(stack.replicas)}`);
  if (isObj(stack.autoscaling) && !def) {
    for (const [svc, a] of Object.entries(stack.autoscaling)) {
      const p = `stack.autoscaling.${svc}`;
      if (!services.includes(svc)) out.push(`${p}: unknown service, expected one of ${names}`);
      if (!isObj(a)) {
        out.push(`${p}: expected { min, max, targetRps?, targetCpu? }, got ${show(a)}`);
        continue;
      }
      const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
      if (!int(a.min)) out.push(`${p}.min: expected an integer >= 1, got ${show(a.min)}`);
      if (!int(a.max)) out.push(`${p}.max: expected an integer >= 1, got ${show(a.max)}`);
      else if (int(a.min) && (a.max as number) < (a.min as number)) out.push(`${p}.max: expected an integer >= min (${String(a.min)}), got ${show(a.max)}`);
      if (a.targetRps !== undefined && !(typeof a.targetRps === 'number' && a.targetRps > 0)) out.push(`${p}.targetRps: expected a number > 0, got ${show(a.targetRps)}`);
      if (a.targetCpu !== undefined && !(typeof a.targetCpu === 'number' && a.targetCpu > 0 && a.targetCpu <= 100)) out.push(`${p}.targetCpu: expected a percent in (0, 100], got ${show(a.targetCpu)}`);
      for (const k of Object.keys(a)) if (!['min', 'max', 'targetRps', 'targetCpu'].includes(k)) out.push(`${p}.${k}: unknown field, expected min, max, targetRps or targetCpu`);
    }
  } else if (stack.autoscaling !== undefined && !def) out.push(`stack.autoscaling: expected an object of service: { min, max }, got ${show(stack.autoscaling)}`);
  if (isObj(stack.rollout)) {
    const r = stack.rollout;
    if (r.steps !== undefined) {
      const steps = r.steps;
      if (!Array.isArray(steps) || steps.length === 0) out.push(`stack.rollout.steps: expected canary weights in percent, e.g. [20, 40, 60, 80], got ${show(steps)}`);
      else
        steps.forEach((w: unknown, i) => {
          if (!(typeof w === 'number' && w > 0 && w < 100)) out.push(`stack.rollout.steps[${i}]: expected a weight in percent between 0 and 100 (exclusive), got ${show(w)}`);
          else if (i > 0 && typeof steps[i - 1] === 'number' && w <= (steps[i - 1] as number)) out.push(`stack.rollout.steps[${i}]: expected a weight above the step before (${String(steps[i - 1])}), got ${show(w)}`);
        });
    }
    for (const k of ['pause', 'analysisInterval'] as const) {
      if (r[k] === undefined) continue;
      const ms = tryParseDuration(r[k]);
      if (ms === undefined || ms <= 0) out.push(`stack.rollout.${k}: expected a duration > 0 like "30s", got ${show(r[k])}`);
    }
    for (const k of Object.keys(r)) if (!['steps', 'pause', 'analysisInterval'].includes(k)) out.push(`stack.rollout.${k}: unknown field, expected steps, pause or analysisInterval`);
  }
  if (isObj(stack.gateway) && !def) {
    const options: Obj = {};
    for (const [k, v] of Object.entries(stack.gateway)) {
      // `cache` is both a switch (false) and the gateway's cache options (an object).
      if ((GATEWAY_SWITCHES as readonly string[]).includes(k) && !(k === 'cache' && isObj(v))) {
        if (typeof v !== 'boolean') out.push(`stack.gateway.${k}: expected true or false${k === 'cache' ? ' (the switch), or the cache options { ttlSeconds, commandTimeoutMs }' : ''}, got ${show(v)}`);
      } else options[k] = v;
    }
    const parsed = fileSchema.safeParse(options);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = ['stack.gateway', ...issue.path.map(String)].join('.');
        const keys = (issue as { keys?: string[] }).keys;
        out.push(keys?.length ? `${path}: unknown option${keys.length > 1 ? 's' : ''} ${keys.join(', ')} (the gateway's options: ${Object.keys(fileSchema.shape).join(', ')}, or ${GATEWAY_SWITCHES.join('/')}: false)` : `${path}: ${issue.message}`);
      }
    }
  }
}

/**
 * A mechanism `--disable` or `stack.disable` names, checked against the stack: the reference
 * stack's STACK_MECHANISMS, or a stack definition's switches. Empty when it exists.
 */
export function mechanismProblems(name: string, where: string, def: StackDefinition | undefined): string[] {
  const mechanisms: readonly string[] = def ? stackMechanisms(def) : STACK_MECHANISMS;
  if (mechanisms.includes(name)) return [];
  return [`${where}: expected ${mechanisms.length ? `one of ${mechanisms.join(', ')}` : 'nothing'}${def ? ` (the switches of stack ${def.name})` : ''}, got ${show(name)}`];
}

/** The parts of a scenario (as written or resolved) checked here. */
export interface PreflightInput {
  readonly faults?: readonly FaultInput[];
  readonly events?: readonly { readonly service: string; readonly version: string }[];
  readonly slos?: readonly unknown[];
  readonly stack?: unknown;
}

/** SLO metrics that name a service, and what each needs of the stack. */
const SERVICE_METRICS: Readonly<Record<string, 'any' | 'rollout' | 'reference'>> = { replicas: 'any', restarts: 'any', 'rollout-phase': 'rollout', 'breaker-state': 'reference' };

function sloServiceProblems(slos: readonly unknown[], def: StackDefinition | undefined, out: string[]): void {
  const services: readonly string[] = def ? stackTargets(def) : REFERENCE_CLUSTER_SERVICES;
  slos.forEach((s, i) => {
    const m = isObj(s) && isObj(s.metric) ? s.metric : undefined;
    const needs = m && typeof m.kind === 'string' ? SERVICE_METRICS[m.kind] : undefined;
    if (!m || !needs) return;
    const svc = m.kind === 'breaker-state' ? m.upstream : m.service;
    if (typeof svc !== 'string') return;
    if (def && needs === 'reference') {
      const breakers = Object.keys(def.breakers ?? {});
      if (!breakers.includes(svc)) out.push(`slos[${i}].metric.upstream: expected one of the breakers of the stack ${def.name} (${breakers.length ? breakers.join(', ') : 'it declares none: breakers.<name>.query in its stack file'}), got ${show(svc)}`);
    }
    else if (def && needs === 'rollout' && services.includes(svc) && !def.services[svc]?.rollout) out.push(`slos[${i}].metric.service: ${svc} of the stack ${def.name} declares no versions to roll out (services.${svc}.rollout)`);
    else if (m.kind !== 'breaker-state' && !services.includes(svc)) out.push(`slos[${i}].metric.service: expected one of the stack's services (${services.join(', ')}), got ${show(svc)}`);
  });
}

/**
 * Every problem `scenario` has on `platform`, each prefixed with `file`. Empty when the run
 * can start. Tolerates a scenario that is malformed in other ways (scenarioProblems names those).
 * With a stack definition, fault targets, SLO services, switches and versions are checked
 * against it instead of the reference stack.
 */
export function preflightProblems(scenario: PreflightInput, file: string, platform: FaultPlatform, def?: StackDefinition): string[] {
  const out: string[] = [];
  const list = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : []);
  const targets: StackTargets | undefined = def ? { services: Object.keys(def.services), redis: def.redis === true } : undefined;
  list(scenario.faults).forEach((f, i) => isObj(f) && out.push(...faultProblems(f, `faults[${i}]`, platform, targets)));
  sloServiceProblems(list(scenario.slos), def, out);
  list(scenario.events).forEach((e, i) => {
    if (!isObj(e) || typeof e.service !== 'string') return;
    const versioned = def ? stackVersions(def) : REFERENCE_VERSIONS;
    const versions = versioned[e.service];
    if (!versions) {
      const which = Object.keys(versioned);
      out.push(`events[${i}].service: ${which.length ? `only ${which.join(', ')} rolls out model versions` : `the stack ${def!.name} declares no versions to roll out (services.<name>.rollout)`}, got ${show(e.service)}`);
    }
    else if (!versions.includes(e.version)) out.push(`events[${i}].version: ${e.service} has versions ${versions.join(', ')}, got ${show(e.version)}`);
  });
  stackProblems(scenario.stack, out, def);
  return out.map((p) => `${file}: ${p}`);
}

/**
 * The stack a run uses: `--stack` (a file), else the scenario's `stack.definition` (a file
 * relative to the scenario, or a definition written inline); undefined for the reference stack.
 */
export async function loadRunStack(scenario: unknown, scenarioFile: string | undefined, stackFlag: string | undefined): Promise<LoadedStack | undefined> {
  const written = isObj(scenario) && isObj(scenario.stack) ? scenario.stack.definition : undefined;
  const base = scenarioFile ? dirname(resolvePath(scenarioFile)) : process.cwd();
  const file = stackFlag !== undefined ? resolvePath(stackFlag) : typeof written === 'string' ? resolvePath(base, written) : undefined;
  if (file !== undefined) {
    const shown = relative(process.cwd(), file) || file;
    return { definition: checkedStackDefinition(await importStackFile(file), shown), dir: dirname(file), shown };
  }
  if (written === undefined) return undefined;
  const shown = `${scenarioFile ? relative(process.cwd(), resolvePath(scenarioFile)) : 'the scenario'} stack.definition`;
  const problems = stackDefinitionProblems(written, shown);
  if (problems.length > 0) throw invalidInput(`${shown}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the stack definition`, problems);
  return { definition: written as unknown as StackDefinition, dir: base, shown };
}

/**
 * `peakready validate` of a TypeScript file: a stack file (`defineStack`: its default export
 * has `services` and `entry`) is checked as a stack definition, anything else as a scenario
 * on `platform` (against `stackFlag` when given). Throws INVALID_INPUT listing every problem.
 */
export async function validateTypeScriptFile(path: string, platform: FaultPlatform, stackFlag?: string): Promise<'stack' | 'scenario'> {
  const value = await importScenarioFile(path);
  if (isObj(value) && 'services' in value && 'entry' in value && !('traffic' in value)) {
    checkedStackDefinition(value, relative(process.cwd(), resolvePath(path)) || path);
    return 'stack';
  }
  await checkedScenarioFile(value, path, platform, {}, stackFlag);
  return 'scenario';
}

/**
 * Loads a scenario file and checks it on its own and against `platform`, listing every
 * problem of both at once (INVALID_INPUT); resolves it when there is none.
 */
export async function loadCheckedScenario(path: string, platform: FaultPlatform, opts: LoadScenarioOptions = {}, stackFlag?: string): Promise<ResolvedScenario> {
  return checkedScenarioFile(await importScenarioFile(path), path, platform, opts, stackFlag);
}

/** A scenario file's default export checked (checkedScenario) against the stack it or `stackFlag` names. */
async function checkedScenarioFile(value: unknown, path: string, platform: FaultPlatform, opts: LoadScenarioOptions, stackFlag: string | undefined): Promise<ResolvedScenario> {
  const shown = relative(process.cwd(), resolvePath(path)) || path;
  return checkedScenario(value, { shown, file: shown }, platform, opts, await loadRunStack(value, path, stackFlag));
}

/**
 * A scenario value (a file's default export, or one built in code) checked on its own and
 * against `platform`, every problem of both listed at once (INVALID_INPUT, each prefixed
 * with `where.shown`); resolved when there is none. `where.file` is the file it came from, if any.
 */
export function checkedScenario(value: unknown, where: { readonly shown: string; readonly file?: string }, platform: FaultPlatform, opts: LoadScenarioOptions = {}, stack?: LoadedStack): ResolvedScenario {
  const { shown } = where;
  const own = scenarioProblems(value, shown);
  // A field the scenario check already named (e.g. fraction: 2) is not listed twice.
  const named = new Set(own.map((p) => p.slice(0, p.indexOf(': ', shown.length + 2))));
  const onPlatform = isObj(value) ? preflightProblems(value as PreflightInput, shown, platform, stack?.definition).filter((p) => !named.has(p.slice(0, p.indexOf(': ', shown.length + 2)))) : [];
  const problems = [...own, ...onPlatform];
  if (problems.length > 0) throw invalidInput(`${shown}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenario on the ${platform} platform`, problems, 'fix every listed field and run again');
  const resolved = resolveScenario(value as Scenario, { ...opts, ...(where.file !== undefined ? { file: where.file } : {}) });
  return stack ? { ...resolved, stackDefinition: stack } : resolved;
}
