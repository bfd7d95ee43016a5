/**
 * Every check of a run's input, in one place, before anything starts: the scenario on its
 * own and against the platform (preflight.ts), the seed and scales, extra SLO expressions
 * and their endpoints, switched-off mechanisms, the baseline and its tolerances, load
 * runners, and the Kubernetes URLs. Every problem is listed at once (INVALID_INPUT, exit 2).
 * `runScenario` calls it; the CLI only passes its flags through.
 */
import { errorProblems, invalidInput } from '../contract/errors.js';
import { parseBaselineFlags, type BaselineFlags, type BaselineOptions } from '../baseline/baseline-options.js';
import type { KubernetesOptions, LocalOptions } from '../platforms/factory.js';
import { parseDuration } from '../scenario/duration.js';
import type { SloSpec } from '../scenario/slo-spec.js';
import type { ResolvedScenario, Scenario } from '../scenario/types.js';
import { formatSlo } from '../slo/format.js';
import { parseSlo } from '../slo/parse.js';
import { stackPlatformProblems, type AnswerFields } from '../scenario/stack-definition.js';
import { checkedScenario, loadCheckedScenario, loadRunStack, mechanismProblems } from './preflight.js';

/** Where the stack runs, as `run --platform` and its Kubernetes flags say. */
export interface PlatformChoice {
  readonly platform?: 'local' | 'kubernetes';
  /** kubernetes: the only kubeconfig context peakready may act in. */
  readonly context?: string;
  /** kubernetes: the stack's namespace (default peakready). */
  readonly namespace?: string;
  /** kubernetes: kind, gke, or a folder with its own kustomization.yaml (default kind). */
  readonly overlay?: string;
  /** kubernetes: send the traffic here instead of the gateway Service. */
  readonly gatewayUrl?: string;
  /** kubernetes: query this Prometheus instead of the stack's. */
  readonly prometheusUrl?: string;
}

/** A run's input as a user gives it (the CLI's flags, unparsed numbers included). */
export interface RunInput extends PlatformChoice, BaselineFlags {
  /** Seed of the traffic generator (default 1). */
  readonly seed?: number | string;
  /** Multiplies every duration of the scenario (default 1). */
  readonly timeScale?: number | string;
  /** Multiplies every arrival rate (default 1). */
  readonly rateScale?: number | string;
  /** Extra SLOs in the string form, e.g. "p99(predict) < 250ms". */
  readonly slos?: readonly string[];
  /** Resilience mechanisms to switch off (the reference stack's STACK_MECHANISMS, or a stack definition's switches). */
  readonly disable?: readonly string[];
  /** A stack file (`defineStack`) to run instead of the reference stack or the scenario's `stack.definition`. */
  readonly stack?: string;
  /** kubernetes: drive the traffic from N runner pods. */
  readonly loadRunners?: number | string;
  /** kubernetes: how far ahead the runners' common start is set (default "30s"). */
  readonly loadRunnerLead?: string;
  /** kubernetes: the image the runner pods run (peakready's, which holds the CLI); default the reference stack's gateway image. Needed with a stack file. */
  readonly runnerImage?: string;
}

/** The input of a run, checked: nothing in it can fail the run for being wrong. */
export interface CheckedRun {
  readonly scenario: ResolvedScenario;
  /** The scenario file, when the scenario came from one (load runners bundle it). */
  readonly file: string | undefined;
  readonly seed: number;
  readonly platform: LocalOptions | KubernetesOptions;
  readonly baseline: BaselineOptions | undefined;
  readonly loadRunners:
    | { readonly count: number; readonly leadMs: number; readonly timeScale: number; readonly rateScale: number; readonly image?: string; readonly classify?: AnswerFields }
    | undefined;
}

const positive = (v: number) => v > 0 && Number.isFinite(v);

/** Checks everything about a run before anything starts; throws INVALID_INPUT listing every problem. */
export async function checkRunInput(fileOrScenario: string | Scenario, input: RunInput = {}): Promise<CheckedRun> {
  const problems: string[] = [];
  const platformName = input.platform ?? 'local';
  if (platformName !== 'local' && platformName !== 'kubernetes') problems.push(`--platform: expected local or kubernetes, got ${JSON.stringify(platformName)}`);
  const seed = Number(input.seed ?? 1);
  if (!Number.isSafeInteger(seed) || seed < 0) problems.push(`--seed: expected a whole number >= 0, got ${JSON.stringify(input.seed)}`);
  const timeScale = Number(input.timeScale ?? 1);
  if (!positive(timeScale)) problems.push(`--time-scale: expected a number > 0, got ${JSON.stringify(input.timeScale)}`);
  const rateScale = Number(input.rateScale ?? 1);
  if (!positive(rateScale)) problems.push(`--rate-scale: expected a number > 0, got ${JSON.stringify(input.rateScale)}`);

  const loadRunners = loadRunnerCount(input, platformName, problems);
  let leadMs = 30_000;
  try {
    leadMs = parseDuration(input.loadRunnerLead ?? '30s', '--load-runner-lead');
    if (leadMs < 1000 || leadMs > 600_000) problems.push(`--load-runner-lead: expected a duration from 1s to 10m, got ${JSON.stringify(input.loadRunnerLead)}`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (loadRunners !== undefined && typeof fileOrScenario !== 'string') problems.push('--load-runners: expected a scenario file (the runners bundle it), got a scenario object');
  if (input.runnerImage !== undefined) {
    if (input.loadRunners === undefined) problems.push(`--runner-image: only with --load-runners, got --runner-image ${JSON.stringify(input.runnerImage)}`);
    else if (!IMAGE.test(input.runnerImage)) problems.push(`--runner-image: expected an image reference like registry.example.com/peakready:1.0, got ${JSON.stringify(input.runnerImage)}`);
  }

  const baseline = parseBaselineFlags(input);
  problems.push(...baseline.problems);
  const extra: SloSpec[] = [];
  for (const text of input.slos ?? []) {
    try {
      extra.push(parseSlo(text));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  const urls = {
    gatewayUrl: url('--gateway-url', input.gatewayUrl, problems),
    prometheusUrl: url('--prometheus-url', input.prometheusUrl, problems),
  };

  let scenario: ResolvedScenario | undefined;
  const faultPlatform = platformName === 'kubernetes' ? 'kubernetes' : 'local';
  const scales = { ...(positive(timeScale) ? { timeScale } : {}), ...(positive(rateScale) ? { rateScale } : {}) };
  try {
    // Checked against the chosen platform too (fault targets, stack.*): nothing starts on a plan that would fail mid-run.
    scenario =
      typeof fileOrScenario === 'string'
        ? await loadCheckedScenario(fileOrScenario, faultPlatform, scales, input.stack)
        : checkedScenario(fileOrScenario, { shown: `scenario '${String((fileOrScenario as { name?: unknown }).name ?? '?')}'` }, faultPlatform, scales, await loadRunStack(fileOrScenario, undefined, input.stack));
  } catch (err) {
    problems.push(...errorProblems(err));
  }
  const disable: string[] = [];
  const def = scenario?.stackDefinition?.definition;
  // A stack file that failed to load names switches nobody can know yet: nothing to check them against.
  const checkable = scenario !== undefined || input.stack === undefined;
  for (const d of input.disable ?? []) {
    const wrong = checkable ? mechanismProblems(d, '--disable', def) : [];
    if (wrong.length === 0) disable.push(d);
    problems.push(...wrong);
  }
  if (def && (platformName === 'local' || platformName === 'kubernetes')) {
    const shown = scenario!.stackDefinition!.shown;
    problems.push(...stackPlatformProblems(def, platformName, shown, urls.prometheusUrl ? { prometheusUrl: urls.prometheusUrl } : {}));
    if (platformName === 'kubernetes') {
      // On Kubernetes the team's own HPA and rollout controller act; peakready reconfigures nothing of their stack.
      for (const d of new Set([...(scenario!.stack.disable ?? []), ...disable])) problems.push(`--disable ${d}: on the kubernetes platform peakready does not reconfigure the stack ${def.name} (${shown}); switch ${d} off in your own manifests, or run --platform local`);
      // A deploy sets the version's image or environment on the workload; its own controller runs the canary.
      if (scenario!.stack.rollout) problems.push(`${scenario!.file ?? scenario!.name}: stack.rollout: on the kubernetes platform the canary steps, pauses and analysis of the stack ${def.name} are its own Rollout's (in its manifests); leave stack.rollout out`);
      if (loadRunners !== undefined) {
        // The runner pods run peakready's image, not the team's; they send to the entry's Service.
        if (input.runnerImage === undefined) problems.push(`--runner-image: the runner pods run peakready's image, which the stack ${def.name} (${shown}) does not deploy; name it (the image built from deploy/Dockerfile, as your cluster pulls it), got nothing`);
        // The scenario's own classifier travels in its bundle; a stack file's must travel as data.
        if (typeof def.classify === 'function' && scenario!.stack.classify === undefined) problems.push(`--load-runners: the stack ${def.name} (${shown}) classifies answers with a function, which the runner pods cannot receive; write classify as fields ({ modelType: { header } or { json } }, ...), or give the scenario its own stack.classify`);
      }
      if (input.overlay !== undefined) problems.push(`--overlay: the stack ${def.name} (${shown}) is deployed by its own manifests; peakready deploys no overlay with it`);
    }
  }
  if (scenario) {
    for (const spec of extra) {
      const ep = 'endpoint' in spec.metric ? spec.metric.endpoint : undefined;
      if (ep !== undefined && !(ep in scenario.mix)) problems.push(`--slo "${formatSlo(spec)}": unknown endpoint "${ep}", expected one of ${Object.keys(scenario.mix).join(', ')}`);
    }
    if (scenario.slos.length + extra.length === 0) {
      problems.push(
        `${scenario.file ?? scenario.name}: slos: nothing to verify: the scenario has no SLOs and no --slo was given, so any run would pass; add slos (or --slo "p99(predict) < 250ms"), or use \`peakready load\` for traffic only`,
      );
    }
  }
  if (problems.length > 0 || !scenario) throw invalidInput(`invalid input, nothing was started (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, problems);

  const stack = disable.length > 0 ? { ...scenario.stack, disable: [...new Set([...(scenario.stack.disable ?? []), ...disable])] } : scenario.stack;
  const platform: LocalOptions | KubernetesOptions =
    platformName === 'kubernetes'
      ? {
          platform: 'kubernetes',
          context: input.context,
          namespace: input.namespace ?? 'peakready',
          overlay: input.overlay ?? 'kind',
          ...(scenario.stackDefinition ? { stack: scenario.stackDefinition } : {}),
          ...(urls.gatewayUrl ? { gatewayUrl: urls.gatewayUrl } : {}),
          ...(urls.prometheusUrl ? { prometheusUrl: urls.prometheusUrl } : {}),
        }
      : { platform: 'local', ...(scenario.stackDefinition ? { stack: scenario.stackDefinition } : {}) };
  return {
    scenario: { ...scenario, slos: [...scenario.slos, ...extra], stack },
    file: typeof fileOrScenario === 'string' ? fileOrScenario : undefined,
    seed,
    platform,
    baseline: baseline.options,
    loadRunners: loadRunners === undefined ? undefined : { count: loadRunners, leadMs, timeScale, rateScale, ...(input.runnerImage ? { image: input.runnerImage } : {}), ...runnerClassifier(scenario) },
  };
}

/** An image reference: [registry[:port]/]path[:tag][@digest]. */
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** The classifier the runner pods need from outside their bundle: a stack file's (as data), unless the scenario has its own. */
function runnerClassifier(scenario: ResolvedScenario): { classify?: AnswerFields } {
  const c = scenario.stack.classify === undefined ? scenario.stackDefinition?.definition.classify : undefined;
  return c !== undefined && typeof c !== 'function' ? { classify: c } : {};
}

/** --load-runners N: an integer 1..100, and only where there is a cluster to run the Job in. */
function loadRunnerCount(input: RunInput, platform: string, problems: string[]): number | undefined {
  if (input.loadRunners === undefined) return undefined;
  const n = Number(input.loadRunners);
  if (!Number.isInteger(n) || n < 1 || n > 100) problems.push(`--load-runners: expected an integer 1..100, got ${JSON.stringify(String(input.loadRunners))}`);
  else if (platform !== 'kubernetes') problems.push(`--load-runners: needs --platform kubernetes (the runners are pods of an Indexed Job), got --platform ${platform}`);
  else return n;
  return undefined;
}

function url(flag: string, v: string | undefined, problems: string[]): string | undefined {
  if (v === undefined) return undefined;
  if (!/^https?:\/\/[^/]+/.test(v)) {
    problems.push(`${flag}: expected an http(s) URL such as http://10.0.0.5:8080, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v.replace(/\/+$/, '');
}
