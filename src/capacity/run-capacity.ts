/**
 * runCapacity: how many requests/s one replica of a service sustains within the SLOs.
 *
 *   platform up (service at fixed replicas, no HPA) → step search (doubling) until an SLO
 *   breaks → bisection between last good and first bad → knee of the p99 curve →
 *   replica and HPA advice for a forecast peak → capacity.json, capacity.md, capacity.html
 *
 * The platform's teardown is on the stack before it starts anything; the stack unwinds on
 * success, failure and SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { exitCode } from '../contract/exit-code.js';
import type { Platform } from '../platforms/platform.js';
import { guardSignals, sleep } from '../runner/signals.js';
import { TeardownStack } from '../contract/teardown.js';
import type { LoadedStack } from '../scenario/stack-definition.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { describeCapacitySlo, type CapacitySlo } from './capacity-slo.js';
import { capacityStack, definedCapacityStack, routeMode } from './capacity-platform.js';
import { findKnee } from './knee.js';
import { recommend, suggestHpa } from './recommend.js';
import { searchCapacity, type SearchOutcome } from './search.js';
import { entryMix, expectedPaths, serviceMix, type CapacityService } from './service-traffic.js';
import { runStep, stepFailure } from './step-runner.js';
import type { CapacityResult, CapacitySettings, Knee, StepResult } from './types.js';
import { writeCapacityReports } from './write-capacity-reports.js';

export interface CapacityOptions {
  /** With `stackDefinition` set, the search runs that stack (local platform) instead of the reference stack. */
  readonly scenario: ResolvedScenario;
  /** One of CAPACITY_SERVICES on the reference stack, else a service of the scenario's stack definition. */
  readonly service: string;
  readonly platform: Platform;
  readonly slos: readonly CapacitySlo[];
  readonly settings: CapacitySettings;
  /** Forecast peak, requests/s for the whole service; enables the replica recommendation. */
  readonly peakRps?: number;
  /** 0..1 (default 0.3). */
  readonly headroom?: number;
  /** Shown in the reports when a simulator profile was used. */
  readonly profile?: string;
  /** Mechanisms to switch off during the search besides the autoscaler (`--disable`), already checked against the stack. */
  readonly disable?: readonly string[];
  readonly outDir: string;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** Pause between steps so the service's queues drain (default 500 ms). */
  readonly settleMs?: number;
}

export interface CapacityOutcome {
  readonly result: CapacityResult;
  readonly outDir: string;
  /** 0 a sustainable rate was found; 1 not even the lowest rate met the SLOs; 130 interrupted. */
  readonly exitCode: number;
}

const NOTES = {
  direct: 'sent straight to the service (its proxy balances the replicas); gateway routes rewritten into the service protocol',
  gateway: 'sent through the gateway routes that use the service',
  kubernetes: 'through the gateway with fallback, breaker, cache and HPAs switched off (cluster Services are not reachable from the harness)',
} as const;

/** How the traffic reaches a stack definition's service, for the reports. */
function entryNote(stack: LoadedStack, service: string, platform: string): string {
  const d = stack.definition;
  return (
    `sent unchanged to ${d.entry}, the entry service of stack ${d.name} (its routes are not known to peakready, so nothing is classified or rewritten)` +
    (service === d.entry ? '' : `; ${service} is measured behind it`) +
    (platform === 'kubernetes' ? `; on Kubernetes ${service}'s workload and the HPAs that scale it were held at the search's replicas, and put back after` : '') +
    '; each step sends fresh requests (seed + step number), so no cache of the stack answers a replay of an earlier step'
  );
}

/** Runs the capacity search end to end and writes its reports. */
export async function runCapacity(opts: CapacityOptions): Promise<CapacityOutcome> {
  const { scenario, service, platform, settings } = opts;
  const log = opts.log ?? (() => {});
  const headroom = opts.headroom ?? 0.3;
  const defined = scenario.stackDefinition;
  if (defined && !Object.hasOwn(defined.definition.services, service)) throw invalidInput(`service ${service}: expected one of the services of stack ${defined.definition.name} (${Object.keys(defined.definition.services).join(', ')})`);
  const mode = defined ? 'entry' : routeMode(service as CapacityService, platform.name);
  const traffic = mode === 'entry' ? entryMix(scenario.mix) : serviceMix(service as CapacityService, scenario.mix, mode);
  if (traffic.endpoints.length === 0) {
    throw invalidInput(`${scenario.file ?? scenario.name}: mix: no entry reaches service ${service}`, [], defined ? 'add a mix entry' : `add a mix entry that requests ${expectedPaths(service as CapacityService)}`);
  }
  const stack = defined
    ? definedCapacityStack(scenario.stack, defined, service, settings.replicas, opts.disable, platform.name)
    : capacityStack(scenario.stack, service as CapacityService, settings.replicas, platform.name, opts.disable);
  const outDir = resolve(opts.outDir);
  const startedAt = new Date().toISOString();
  const runId = `cap-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const teardown = new TeardownStack();
  const guard = guardSignals(opts.signal);
  const steps: StepResult[] = [];
  let search: SearchOutcome | undefined;
  let target = '';
  let interrupted = false;
  try {
    log(
      defined
        ? `starting stack ${defined.definition.name} (${defined.shown}) with ${service} ×${settings.replicas} on the ${platform.name} platform${stack.disable?.length ? `, ${stack.disable.join(', ')} off` : ''}…`
        : `starting ${service} ×${settings.replicas} on the ${platform.name} platform…`,
    );
    const endpoints = await platform.up({ stack, timeScale: 1, runId, teardown, signal: guard.signal, log });
    target = mode === 'direct' ? (endpoints.services[service] ?? '') : endpoints.gateway;
    if (!target) throw invalidInput(`service ${service}: the ${platform.name} platform exposes no URL for it`);
    log(`driving ${traffic.endpoints.join(', ')} at ${target} (${mode})`);
    const plan = { scenario, mix: traffic.mix, target, slos: opts.slos, warmupMs: settings.warmupMs, stepMs: settings.stepMs, seed: settings.seed, signal: guard.signal };
    search = await searchCapacity(
      async (rate, phase) => {
        if (guard.signal.aborted) throw guard.signal.reason;
        // On a team's own stack every step draws fresh requests (seed + step number): the same
        // requests again would be answered by the stack's own cache (a replay of the step before).
        const step = await runStep(mode === 'entry' ? { ...plan, seed: settings.seed + steps.length } : plan, rate, phase);
        if (guard.signal.aborted) throw guard.signal.reason;
        steps.push(step);
        log(`${phase} ${rate} rps: ${step.ok ? 'ok' : 'BROKE'} — p50 ${step.p50.toFixed(1)}ms p99 ${step.p99.toFixed(1)}ms, errors ${(step.errorRate * 100).toFixed(2)}%, backlog +${step.backlogGrowth}`);
        await sleep(opts.settleMs ?? 500, guard.signal);
        return step.ok;
      },
      { startRate: settings.startRate, maxRate: settings.maxRate, minRate: settings.minRate, precision: settings.precision, repeats: settings.repeats, tolerance: settings.tolerance },
    );
  } catch (err) {
    if (!guard.signal.aborted) throw err;
    interrupted = true;
  } finally {
    const errors = await teardown.unwind();
    for (const e of errors) log(e.message);
    guard.dispose();
  }

  const note = defined ? entryNote(defined, service, platform.name) : platform.name === 'kubernetes' ? NOTES.kubernetes : NOTES[mode as 'direct' | 'gateway'];
  // What was switched off is reported for a stack definition, and for the reference stack when --disable asked for more.
  const disabled = defined || opts.disable?.length ? (stack.disable ?? []) : undefined;
  const result = buildResult({ opts, mode, target, note, endpoints: traffic.endpoints, steps, search, headroom, startedAt, interrupted, ...(disabled ? { disabled } : {}) });
  writeCapacityReports(outDir, result);
  return { result, outDir, exitCode: exitCode({ kind: 'capacity', outcome: result.outcome }) };
}

interface BuildInput {
  readonly opts: CapacityOptions;
  readonly mode: 'direct' | 'gateway' | 'entry';
  readonly target: string;
  readonly note: string;
  readonly endpoints: readonly string[];
  readonly steps: readonly StepResult[];
  readonly search: SearchOutcome | undefined;
  readonly headroom: number;
  readonly startedAt: string;
  readonly interrupted: boolean;
  /** Mechanisms switched off during the search, when the report should name them. */
  readonly disabled?: readonly string[];
}

/** Assembles capacity.json from the steps (also from a partial, interrupted search). */
export function buildResult(b: BuildInput): CapacityResult {
  const { opts, steps } = b;
  const def = opts.scenario.stackDefinition;
  const replicas = opts.settings.replicas;
  const good = steps.filter((s) => s.ok).map((s) => s.rate);
  const bad = steps.filter((s) => !s.ok).map((s) => s.rate);
  const sustainable = b.search?.lastGood ?? (good.length > 0 ? Math.max(...good) : undefined);
  const breaking = b.search ? b.search.firstBad : bad.length > 0 ? Math.min(...bad) : undefined;
  const breakingStep = breaking === undefined ? undefined : steps.find((s) => s.rate === breaking && !s.ok);
  const kneePoint = findKnee(steps.map((s) => ({ rate: s.rate, p99: s.p99 })));
  const knee: Knee | null = kneePoint ? { rate: kneePoint.rate, p99: kneePoint.p99, perReplica: kneePoint.rate / replicas } : null;
  const perReplica = sustainable === undefined ? undefined : sustainable / replicas;
  const recommendation = perReplica !== undefined && perReplica > 0 && opts.peakRps !== undefined ? recommend(perReplica, opts.peakRps, b.headroom, knee?.perReplica) : undefined;
  const hpa = recommendation?.hpa ?? (perReplica !== undefined && perReplica > 0 ? suggestHpa(perReplica, b.headroom, knee?.perReplica) : null);
  const outcome: CapacityResult['outcome'] = b.interrupted ? 'interrupted' : (b.search?.outcome ?? 'none-sustainable');
  return {
    schema: 'peakready.capacity/v1',
    scenario: { name: opts.scenario.name, file: opts.scenario.file },
    service: opts.service,
    platform: opts.platform.name,
    ...(def ? { stack: { name: def.definition.name, file: def.shown, entry: def.definition.entry } } : {}),
    route: { mode: b.mode, target: b.target, endpoints: b.endpoints, note: b.note },
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(b.disabled ? { disabled: b.disabled } : {}),
    slos: opts.slos.map(describeCapacitySlo),
    settings: opts.settings,
    startedAt: b.startedAt,
    endedAt: new Date().toISOString(),
    steps,
    sustainableRps: sustainable ?? null,
    sustainablePerReplica: perReplica ?? null,
    sustainableConcurrency: sustainable === undefined ? null : (steps.filter((s) => s.ok && s.rate === sustainable).at(-1)?.concurrency ?? null),
    breakingRps: breaking ?? null,
    breakingReason: breakingStep ? stepFailure(breakingStep) : null,
    ...(b.search?.spread ? { spread: b.search.spread } : {}),
    knee,
    ...(recommendation ? { recommendation } : {}),
    hpa,
    outcome,
  };
}
