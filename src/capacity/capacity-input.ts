/**
 * `peakready capacity` as one library call: every input problem (flags, the scenario, its
 * mix reaching the service, the capacity SLOs, and a team's own stack file with its services
 * and switches) found at once before anything starts (INVALID_INPUT, exit 2), then the
 * platform shaped for the service and the search.
 */
import { dirname, relative, resolve as resolvePath } from 'node:path';
import { errorProblems, invalidInput } from '../contract/errors.js';
import { REPO_ROOT } from '../platforms/factory.js';
import { loadRunStack, preflightProblems } from '../runner/preflight.js';
import { defaultOutDir } from '../runner/run-scenario.js';
import { importScenarioFile } from '../scenario/load-file.js';
import { resolveScenario } from '../scenario/resolve.js';
import { stackPlatformProblems, type LoadedStack } from '../scenario/stack-definition.js';
import type { ResolvedScenario, Scenario } from '../scenario/types.js';
import { parseCapacityFlags, type CapacityFlags, type CapacityStackChoice, type RawCapacityFlags } from './capacity-flags.js';
import { createCapacityPlatform, resolveProfile, routeMode } from './capacity-platform.js';
import { parseCapacitySlos } from './capacity-slo.js';
import { runCapacity, type CapacityOutcome } from './run-capacity.js';
import { expectedPaths, serviceMix, type CapacityService } from './service-traffic.js';

/** The options of `peakready capacity`, as given (numbers and durations unparsed). */
export interface CapacityInput extends RawCapacityFlags {
  /**
   * A stack file (`defineStack`) whose service to measure, instead of the reference stack or
   * the scenario's `stack.definition` (locally its services run as processes; on Kubernetes
   * they are found where its manifests deployed them).
   */
  readonly stack?: string;
  /** Output folder (default reports/<scenario>-capacity-<service>-<UTC timestamp>). */
  readonly out?: string;
  /** kubernetes: the only kubeconfig context peakready may act in. */
  readonly context?: string;
  /** kubernetes: the stack's namespace. */
  readonly namespace?: string;
  /** kubernetes: kind, gke, or a folder with its own kustomization.yaml. */
  readonly overlay?: string;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Checks everything, then searches the capacity of one service of the scenario's stack. */
export async function capacityOfScenario(file: string, input: CapacityInput): Promise<CapacityOutcome> {
  const { parsed, scenario } = await checkCapacityInput(file, input);
  const stack = scenario.stackDefinition;
  const platform = await createCapacityPlatform({
    platform: input.platform,
    service: parsed.service,
    ...(stack ? { stack } : {}),
    ...(parsed.profile ? { profile: parsed.profile } : {}),
    ...(input.context ? { context: input.context } : {}),
    ...(input.namespace ? { namespace: input.namespace } : {}),
    ...(input.prometheusUrl ? { prometheusUrl: input.prometheusUrl } : {}),
    overlay: input.overlay ?? 'kind',
  });
  return runCapacity({
    scenario,
    service: parsed.service,
    platform,
    slos: parsed.slos,
    settings: parsed.settings,
    ...(parsed.peakRps === undefined ? {} : { peakRps: parsed.peakRps }),
    headroom: parsed.headroom,
    // Reports show the profile relative to the working directory (no home paths in shared reports).
    ...(parsed.profile ? { profile: relative(process.cwd(), parsed.profile) || parsed.profile } : {}),
    ...(parsed.disable.length > 0 ? { disable: parsed.disable } : {}),
    outDir: input.out ?? defaultOutDir(`${scenario.name}-capacity-${parsed.service}`),
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.log ? { log: input.log } : {}),
  });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem with the options and the scenario, at once, before anything starts. The
 * stack is `input.stack`, else the scenario's `stack.definition`, else the reference stack;
 * a stack definition comes back as the scenario's `stackDefinition`.
 */
export async function checkCapacityInput(file: string, input: CapacityInput): Promise<{ parsed: CapacityFlags; scenario: ResolvedScenario }> {
  const shown = relative(process.cwd(), resolvePath(file)) || file;
  const loadProblems: string[] = [];
  let value: unknown;
  let imported = false;
  try {
    value = await importScenarioFile(file);
    imported = true;
  } catch (err) {
    loadProblems.push(...errorProblems(err));
  }

  // A team's own stack: --stack, else the scenario's stack.definition (a file next to it, or inline).
  const written = imported && isObj(value) && isObj(value.stack) ? value.stack.definition : undefined;
  let stack: LoadedStack | undefined;
  let choice: CapacityStackChoice = { kind: 'reference' };
  const stackProblems: string[] = [];
  if (input.stack !== undefined || written !== undefined) {
    try {
      stack = await loadRunStack(imported ? value : undefined, file, input.stack);
    } catch (err) {
      stackProblems.push(...errorProblems(err));
    }
    const named =
      input.stack !== undefined
        ? relative(process.cwd(), resolvePath(input.stack)) || input.stack
        : typeof written === 'string'
          ? relative(process.cwd(), resolvePath(dirname(resolvePath(file)), written)) || written
          : `${shown} stack.definition`;
    choice = stack ? { kind: 'defined', stack } : { kind: 'unreadable', shown: named };
  }

  const { flags: parsed, problems } = parseCapacityFlags(input, (v) => resolveProfile(v, REPO_ROOT), choice);
  let scenario: ResolvedScenario | undefined;
  if (imported) {
    try {
      scenario = resolveScenario(value as Scenario, { file: shown });
    } catch (err) {
      loadProblems.push(...errorProblems(err));
    }
  }
  problems.push(...loadProblems, ...stackProblems);
  if (stack) {
    if (input.platform === 'local') problems.push(...stackPlatformProblems(stack.definition, 'local', stack.shown));
    // The scenario's own stack settings (replicas, disable) against the stack; its faults, events and SLOs play no part in a search.
    if (isObj(value)) problems.push(...preflightProblems({ stack: value.stack }, shown, 'local', stack.definition));
  }
  if (scenario && parsed) {
    if (choice.kind !== 'reference') {
      // A stack file (even one that failed to load) gets the whole mix at its entry service.
      const endpoints = Object.keys(scenario.mix);
      const entry = stack ? `${stack.definition.entry}, the entry service of stack ${stack.definition.name}` : 'the entry service of the stack';
      if (endpoints.length === 0) problems.push(`${scenario.file ?? file}: mix: expected at least one entry (the traffic sent to ${entry})`);
      else problems.push(...parseCapacitySlos(parsed.sloTexts, endpoints).problems);
    } else {
      const service = parsed.service as CapacityService;
      const mode = routeMode(service, input.platform);
      const mix = serviceMix(service, scenario.mix, mode);
      if (mix.endpoints.length === 0) {
        problems.push(`${scenario.file ?? file}: mix: no entry reaches service ${service} (${mode}); expected requests to ${expectedPaths(service)}`);
      } else problems.push(...parseCapacitySlos(parsed.sloTexts, mix.endpoints).problems);
    }
  }
  if (problems.length > 0 || !parsed || !scenario) {
    throw invalidInput(`invalid input, nothing was started (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, problems);
  }
  return { parsed, scenario: stack ? { ...scenario, stackDefinition: stack } : scenario };
}
