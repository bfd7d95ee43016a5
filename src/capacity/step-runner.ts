/**
 * One capacity step: a constant arrival rate for warm-up + measured window, driven by the load
 * engine, judged over the measured window only (the warm-up fills connection pools, caches
 * and queues to their steady level first).
 */
import { performance } from 'node:perf_hooks';
import { runLoad } from '../load/run-load.js';
import type { MixEntry, ResolvedScenario } from '../scenario/types.js';
import { checkCapacitySlo, type CapacitySlo } from './capacity-slo.js';
import type { StepResult } from './types.js';

export interface StepPlan {
  /** The scenario the mix, timeout and in-flight cap come from. */
  readonly scenario: ResolvedScenario;
  /** The mix entries that reach the service, already in the right protocol. */
  readonly mix: Readonly<Record<string, MixEntry>>;
  readonly target: string;
  readonly slos: readonly CapacitySlo[];
  /** Whole seconds (windows have one-second resolution). */
  readonly warmupMs: number;
  readonly stepMs: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly allowRemoteTarget?: boolean;
}

/**
 * A service that keeps up holds its in-flight count level; one that cannot grows it by
 * (offered − served) × time. Growth above this share of the step's arrivals, or above a few
 * requests of sampling noise, counts as not keeping up.
 */
const BACKLOG_SHARE = 0.03;
const BACKLOG_FLOOR = 8;

/** The traffic part of a resolved scenario for one constant-rate step. */
function stepTraffic(plan: StepPlan, rate: number): ResolvedScenario['traffic'] {
  const t = plan.scenario.traffic;
  const durationMs = plan.warmupMs + plan.stepMs;
  const maxInFlight = t.executor === 'arrival-rate' ? t.maxInFlight : 1000;
  return {
    executor: 'arrival-rate',
    stages: [{ name: 'capacity-step', startMs: 0, durationMs, fromRate: rate, toRate: rate }],
    preAllocated: Math.min(maxInFlight, Math.max(t.executor === 'arrival-rate' ? t.preAllocated : 50, Math.ceil(rate / 4))),
    maxInFlight,
    timeoutMs: t.timeoutMs,
    durationMs,
  };
}

/** In-flight count nearest to `atMs` among the once-a-second samples. */
function inFlightAt(samples: readonly { atMs: number; inFlight: number }[], atMs: number): number {
  let best: { atMs: number; inFlight: number } | undefined;
  for (const s of samples) if (!best || Math.abs(s.atMs - atMs) < Math.abs(best.atMs - atMs)) best = s;
  return best?.inFlight ?? 0;
}

/** Runs one step at `rate` requests/s and judges it. */
export async function runStep(plan: StepPlan, rate: number, phase: StepResult['phase']): Promise<StepResult> {
  const scenario: ResolvedScenario = { ...plan.scenario, mix: plan.mix, drift: undefined, traffic: stepTraffic(plan, rate), phases: [], faults: [], events: [] };
  const samples: { atMs: number; inFlight: number }[] = [];
  const t0 = performance.now();
  const load = await runLoad(scenario, {
    target: plan.target,
    seed: plan.seed,
    ...(plan.signal ? { signal: plan.signal } : {}),
    ...(plan.allowRemoteTarget ? { allowRemoteTarget: true } : {}),
    onSecond: (s) => samples.push({ atMs: performance.now() - t0, inFlight: s.inFlight }),
  });
  const from = plan.warmupMs;
  const to = plan.warmupMs + plan.stepMs;
  const all = load.window(from, to);
  const slos = plan.slos.map((slo) => checkCapacitySlo(slo, load.window(from, to, slo.metric.endpoint)));
  const requests = all?.requests ?? 0;
  const errors = all?.errors ?? 0;
  const dropped = all?.dropped ?? 0;
  const backlogGrowth = Math.max(0, inFlightAt(samples, to) - inFlightAt(samples, from));
  const backlogLimit = Math.max(BACKLOG_FLOOR, Math.round(BACKLOG_SHARE * rate * (plan.stepMs / 1000)));
  const keptUp = backlogGrowth <= backlogLimit;
  const lat = all?.latency;
  const st = all?.stream;
  const seconds = (to - from) / 1000;
  return {
    rate,
    phase,
    requests,
    errors,
    dropped,
    errorRate: requests + dropped > 0 ? (errors + dropped) / (requests + dropped) : 0,
    achievedRps: all?.rps ?? 0,
    p50: lat?.p50 ?? 0,
    p90: lat?.p90 ?? 0,
    p99: lat?.p99 ?? 0,
    max: lat?.max ?? 0,
    concurrency: Math.round((all?.rps ?? 0) * ((lat?.mean ?? 0) / 1000) * 10) / 10,
    ...(st
      ? {
          tokens: {
            ttftP50: st.percentile('ttft', 50) ?? 0,
            ttftP95: st.percentile('ttft', 95) ?? 0,
            itlP50: st.percentile('itl', 50) ?? 0,
            itlP95: st.percentile('itl', 95) ?? 0,
            outputTokensPerSecond: Math.round((st.tokensOut / seconds) * 10) / 10,
          },
        }
      : {}),
    backlogGrowth,
    backlogLimit,
    keptUp,
    slos,
    ok: keptUp && slos.every((c) => c.ok) && requests > 0,
  };
}

/** Why a step failed, for people: "p99 < 250ms (observed 812ms)", "backlog grew by 40". */
export function stepFailure(step: StepResult): string | null {
  if (step.ok) return null;
  const parts = step.slos.filter((c) => !c.ok).map((c) => `${c.slo} (observed ${c.observed === null ? 'no data' : formatObservedFor(c.slo, c.observed)})`);
  if (!step.keptUp) parts.push(`in-flight backlog grew by ${step.backlogGrowth} requests (limit ${step.backlogLimit}): the service did not keep up`);
  if (step.requests === 0) parts.push('no request was answered');
  return parts.join('; ');
}

function formatObservedFor(slo: string, v: number): string {
  if (/^(p|ttft_p|itl_p|tpot_p)\d/.test(slo)) return `${v.toFixed(v < 10 ? 2 : 0)}ms`;
  if (slo.startsWith('error_rate')) return `${(v * 100).toFixed(2)}%`;
  return String(v);
}
