/**
 * `peakready capacity` as one library call: every input problem (flags, the scenario, its
 * mix reaching the service, the capacity SLOs) found at once before anything starts
 * (INVALID_INPUT, exit 2), then the platform shaped for the service and the search.
 */
import { relative } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { REPO_ROOT } from '../platforms/factory.js';
import { defaultOutDir } from '../runner/run-scenario.js';
import { loadScenarioFile } from '../scenario/load-file.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { parseCapacityFlags, type CapacityFlags, type RawCapacityFlags } from './capacity-flags.js';
import { createCapacityPlatform, resolveProfile, routeMode } from './capacity-platform.js';
import { parseCapacitySlos } from './capacity-slo.js';
import { runCapacity, type CapacityOutcome } from './run-capacity.js';
import { expectedPaths, serviceMix } from './service-traffic.js';

/** The options of `peakready capacity`, as given (numbers and durations unparsed). */
export interface CapacityInput extends RawCapacityFlags {
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
  const platform = await createCapacityPlatform({
    platform: input.platform,
    service: parsed.service,
    ...(parsed.profile ? { profile: parsed.profile } : {}),
    ...(input.context ? { context: input.context } : {}),
    ...(input.namespace ? { namespace: input.namespace } : {}),
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
    outDir: input.out ?? defaultOutDir(`${scenario.name}-capacity-${parsed.service}`),
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.log ? { log: input.log } : {}),
  });
}

/** Every problem with the options and the scenario, at once, before anything starts. */
export async function checkCapacityInput(file: string, input: CapacityInput): Promise<{ parsed: CapacityFlags; scenario: ResolvedScenario }> {
  const { flags: parsed, problems } = parseCapacityFlags(input, (v) => resolveProfile(v, REPO_ROOT));
  let scenario: ResolvedScenario | undefined;
  try {
    scenario = await loadScenarioFile(file);
  } catch (err) {
    const listed = (err as { problems?: unknown }).problems;
    if (Array.isArray(listed) && listed.length > 0) problems.push(...(listed as string[]));
    else problems.push(err instanceof Error ? err.message : String(err));
  }
  if (scenario && parsed) {
    const mode = routeMode(parsed.service, input.platform);
    const mix = serviceMix(parsed.service, scenario.mix, mode);
    if (mix.endpoints.length === 0) {
      problems.push(`${scenario.file ?? file}: mix: no entry reaches service ${parsed.service} (${mode}); expected requests to ${expectedPaths(parsed.service)}`);
    } else problems.push(...parseCapacitySlos(parsed.sloTexts, mix.endpoints).problems);
  }
  if (problems.length > 0 || !parsed || !scenario) {
    throw invalidInput(`invalid input, nothing was started (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, problems);
  }
  return { parsed, scenario };
}
