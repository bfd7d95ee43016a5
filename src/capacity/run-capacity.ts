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
import type { ResolvedScenario } from '../scenario/types.js';
import { describeCapacitySlo, type CapacitySlo } from './capacity-slo.js';
import { capacityStack, routeMode } from './capacity-platform.js';
import { findKnee } from './knee.js';
import { recommend, suggestHpa } from './recommend.js';
import { searchCapacity, type SearchOutcome } from './search.js';
import { expectedPaths, serviceMix, type CapacityService } from './service-traffic.js';
import { runStep, stepFailure } from './step-runner.js';
import type { CapacityResult, CapacitySettings, Knee, StepResult } from './types.js';
import { writeCapacityReports } from './write-capacity-reports.js';

export interface CapacityOptions {
  readonly scenario: ResolvedScenario;
  readonly service: CapacityService;
  readonly platform: Platform;
  readonly slos: readonly CapacitySlo[];
  readonly settings: CapacitySettings;
  /** Forecast peak, requests/s for the whole service; enables the replica recommendation. */
  readonly peakRps?: number;
  /** 0..1 (default 0.3). */
  readonly headroom?: number;
  /** Shown in the reports when a simulator profile was used. */
  readonly profile?: string;
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

/** Runs the capacity search end to end and writes its reports. */
export async function runCapacity(opts: CapacityOptions): Promise<CapacityOutcome> {
  const { scenario, service, platform, settings } = opts;
  const log = opts.log ?? (() => {});
  const headroom = opts.headroom ?? 0.3;
  const mode = routeMode(service, platform.name);
  const traffic = serviceMix(service, scenario.mix, mode);
  if (traffic.endpoints.length === 0) {
    throw invalidInput(`${scenario.file ?? scenario.name}: mix: no entry reaches service ${service}`, [], `add a mix entry that requests ${expectedPaths(service)}`);
  }
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
    log(`starting ${service} ×${settings.replicas} on the ${platform.name} platform…`);
    const endpoints = await platform.up({ stack: capacityStack(scenario.stack, service, settings.replicas, platform.name), timeScale: 1, runId, teardown, signal: guard.signal });
    target = mode === 'direct' ? (endpoints.services[service] ?? '') : endpoints.gateway;
    if (!target) throw invalidInput(`service ${service}: the ${platform.name} platform exposes no URL for it`);
    log(`driving ${traffic.endpoints.join(', ')} at ${target} (${mode})`);
    const plan = { scenario, mix: traffic.mix, target, slos: opts.slos, warmupMs: settings.warmupMs, stepMs: settings.stepMs, seed: settings.seed, signal: guard.signal };
    search = await searchCapacity(
      async (rate, phase) => {
        if (guard.signal.aborted) throw guard.signal.reason;
        const step = await runStep(plan, rate, phase);
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

  const result = buildResult({ opts, mode, target, note: platform.name === 'kubernetes' ? NOTES.kubernetes : NOTES[mode], endpoints: traffic.endpoints, steps, search, headroom, startedAt, interrupted });
  writeCapacityReports(outDir, result);
  return { result, outDir, exitCode: exitCode({ kind: 'capacity', outcome: result.outcome }) };
}

interface BuildInput {
  readonly opts: CapacityOptions;
  readonly mode: 'direct' | 'gateway';
  readonly target: string;
  readonly note: string;
  readonly endpoints: readonly string[];
  readonly steps: readonly StepResult[];
  readonly search: SearchOutcome | undefined;
  readonly headroom: number;
  readonly startedAt: string;
  readonly interrupted: boolean;
}

/** Assembles capacity.json from the steps (also from a partial, interrupted search). */
export function buildResult(b: BuildInput): CapacityResult {
  const { opts, steps } = b;
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
    route: { mode: b.mode, target: b.target, endpoints: b.endpoints, note: b.note },
    ...(opts.profile ? { profile: opts.profile } : {}),
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
