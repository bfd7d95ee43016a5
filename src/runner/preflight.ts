/**
 * What can only be checked once the platform is known, before anything starts: every
 * fault's kind × target × parameters against the platform (src/faults/catalogue.ts), deploy
 * events against the versioned services, and `stack.*` (replica and autoscaling service
 * names, rollout steps and pause, gateway options against the gateway's own schema).
 * `peakready run` and `peakready validate` both call it; each problem names the file and
 * the dotted field.
 */
import { relative, resolve as resolvePath } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { APP_TARGETS, faultProblems, type FaultInput, type FaultPlatform } from '../faults/catalogue.js';
import { tryParseDuration } from '../scenario/duration.js';
import { importScenarioFile, type LoadScenarioOptions } from '../scenario/load-file.js';
import { resolveScenario } from '../scenario/resolve.js';
import { GATEWAY_SWITCHES, type ResolvedScenario, type Scenario } from '../scenario/types.js';
import { scenarioProblems } from '../scenario/validate.js';
import { fileSchema } from '../stack/gateway/config.js';

/** Services whose model version can be rolled out, and the versions their image has. */
const VERSIONS: Readonly<Record<string, readonly string[]>> = { tabular: ['v1', 'v2-bad'] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

function stackProblems(stack: unknown, out: string[]): void {
  if (!isObj(stack)) return;
  const services: readonly string[] = APP_TARGETS;
  const names = services.join(', ');
  if (isObj(stack.replicas)) {
    for (const [svc, n] of Object.entries(stack.replicas)) {
      if (!services.includes(svc)) out.push(`stack.replicas.${svc}: unknown service, expected one of ${names}`);
      else if (!(typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 50)) out.push(`stack.replicas.${svc}: expected an integer 0..50, got ${show(n)}`);
    }
  } else if (stack.replicas !== undefined) out.push(`stack.replicas: expected an object of service: count, got ${show(stack.replicas)}`);
  if (isObj(stack.autoscaling)) {
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
  } else if (stack.autoscaling !== undefined) out.push(`stack.autoscaling: expected an object of service: { min, max }, got ${show(stack.autoscaling)}`);
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
  if (isObj(stack.gateway)) {
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

/** The parts of a scenario (as written or resolved) checked here. */
export interface PreflightInput {
  readonly faults?: readonly FaultInput[];
  readonly events?: readonly { readonly service: string; readonly version: string }[];
  readonly stack?: unknown;
}

/**
 * Every problem `scenario` has on `platform`, each prefixed with `file`. Empty when the run
 * can start. Tolerates a scenario that is malformed in other ways (scenarioProblems names those).
 */
export function preflightProblems(scenario: PreflightInput, file: string, platform: FaultPlatform): string[] {
  const out: string[] = [];
  const list = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : []);
  list(scenario.faults).forEach((f, i) => isObj(f) && out.push(...faultProblems(f, `faults[${i}]`, platform)));
  list(scenario.events).forEach((e, i) => {
    if (!isObj(e) || typeof e.service !== 'string') return;
    const versions = VERSIONS[e.service];
    if (!versions) out.push(`events[${i}].service: only ${Object.keys(VERSIONS).join(', ')} rolls out model versions, got ${show(e.service)}`);
    else if (!versions.includes(e.version)) out.push(`events[${i}].version: ${e.service} has versions ${versions.join(', ')}, got ${show(e.version)}`);
  });
  stackProblems(scenario.stack, out);
  return out.map((p) => `${file}: ${p}`);
}

/**
 * Loads a scenario file and checks it on its own and against `platform`, listing every
 * problem of both at once (INVALID_INPUT); resolves it when there is none.
 */
export async function loadCheckedScenario(path: string, platform: FaultPlatform, opts: LoadScenarioOptions = {}): Promise<ResolvedScenario> {
  const value = await importScenarioFile(path);
  const shown = relative(process.cwd(), resolvePath(path)) || path;
  return checkedScenario(value, { shown, file: shown }, platform, opts);
}

/**
 * A scenario value (a file's default export, or one built in code) checked on its own and
 * against `platform`, every problem of both listed at once (INVALID_INPUT, each prefixed
 * with `where.shown`); resolved when there is none. `where.file` is the file it came from, if any.
 */
export function checkedScenario(value: unknown, where: { readonly shown: string; readonly file?: string }, platform: FaultPlatform, opts: LoadScenarioOptions = {}): ResolvedScenario {
  const { shown } = where;
  const own = scenarioProblems(value, shown);
  // A field the scenario check already named (e.g. fraction: 2) is not listed twice.
  const named = new Set(own.map((p) => p.slice(0, p.indexOf(': ', shown.length + 2))));
  const onPlatform = isObj(value) ? preflightProblems(value as PreflightInput, shown, platform).filter((p) => !named.has(p.slice(0, p.indexOf(': ', shown.length + 2)))) : [];
  const problems = [...own, ...onPlatform];
  if (problems.length > 0) throw invalidInput(`${shown}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenario on the ${platform} platform`, problems, 'fix every listed field and run again');
  return resolveScenario(value as Scenario, { ...opts, ...(where.file !== undefined ? { file: where.file } : {}) });
}
