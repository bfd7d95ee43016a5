/**
 * Findings: what a run showed that no SLO asked about. Pure: it reads the client-side load
 * windows and the journal's faults and phases, and returns
 *  - every injected fault's measured effect on the endpoints (error rate, p99, fallback share,
 *    dropped share) against the window of equal length just before it, with a finding when
 *    nothing moved ("fault X did not bite": the SLOs "during X" then judged a healthy system);
 *  - a finding for every endpoint the fallback served above 5 % of outside fault windows
 *    (a policy that trips on healthy traffic, as the seed's did on LLM completions).
 * Findings never change the verdict.
 */
import type { EffectFigures, EndpointEffect, FaultEffect, Finding, Journal, TimelineFault } from '../contract/journal.js';
import type { LoadWindows, WindowStats } from '../contract/load-windows.js';

export interface FindingsInput {
  /** The run's client-side data (LoadResult), read only through `window()`. */
  readonly load: LoadWindows;
  readonly faults: readonly TimelineFault[];
  readonly phases: Journal['phases'];
}

export interface FindingsOptions {
  /** An endpoint needs this many answers in both windows to be judged. Default 20. */
  readonly minRequests?: number;
  /** Window judged after an instantaneous fault (kill-replica). Default 5 s. */
  readonly instantWindowMs?: number;
  /** After a fault ends, fallback still counts as the fault's for this long (breakers half-open, policy windows age). Default 10 s. */
  readonly recoveryMs?: number;
  /** Fallback share outside faults above which an endpoint is a finding. Default 5 %. */
  readonly fallbackLimit?: number;
  /** The endpoints a fault can affect; default every endpoint of the load. */
  readonly affected?: (fault: TimelineFault) => readonly string[] | undefined;
}

/** What counts as a measurable change between the window before a fault and the fault's. */
export const MEASURABLE = {
  /** Error rate up by at least 1 percentage point. */
  errorRatePoints: 0.01,
  /** p99 up by at least 25 % and 10 ms. */
  p99Factor: 1.25,
  p99Ms: 10,
  /** Fallback share up by at least 2 percentage points. */
  fallbackPoints: 0.02,
  /** Dropped share (arrivals with no free slot) up by at least 1 percentage point. */
  droppedPoints: 0.01,
} as const;

export interface FindingsResult {
  readonly faultEffects: FaultEffect[];
  readonly findings: Finding[];
}

/** Computes the fault effects and findings of a run. */
export function computeFindings(input: FindingsInput, options: FindingsOptions = {}): FindingsResult {
  const minRequests = options.minRequests ?? 20;
  const instantMs = options.instantWindowMs ?? 5000;
  const recoveryMs = options.recoveryMs ?? 10_000;
  const limit = options.fallbackLimit ?? 0.05;
  const { load } = input;
  const injected = input.faults.filter((f) => f.notInjected === undefined && f.startMs >= 0);

  const faultEffects: FaultEffect[] = [];
  const findings: Finding[] = [];
  for (const f of injected) {
    const end = Math.min(load.durationMs, f.endMs > f.startMs ? f.endMs : f.startMs + instantMs);
    const len = end - f.startMs;
    const baseline: [number, number] = [Math.max(0, f.startMs - len), f.startMs];
    const endpoints = (options.affected?.(f) ?? load.endpoints).filter((e) => load.endpoints.includes(e));
    const effects: EndpointEffect[] = [];
    let judged = 0;
    for (const endpoint of endpoints) {
      const before = figures(load.window(baseline[0], baseline[1], endpoint));
      const during = figures(load.window(f.startMs, end, endpoint));
      const enough = before.requests >= minRequests && during.requests >= minRequests;
      if (enough) judged++;
      effects.push({ endpoint, before: strip(before), during: strip(during), changed: enough ? changes(before, during) : [] });
    }
    const bit = judged === 0 ? undefined : effects.some((e) => e.changed.length > 0);
    faultEffects.push({ fault: f.id, kind: f.kind, target: f.target, window: [f.startMs, end], baseline, endpoints: effects, bit });
    if (bit === false) {
      const shown = effects.filter((e) => e.before.requests >= minRequests && e.during.requests >= minRequests);
      findings.push({
        kind: 'fault-did-not-bite',
        subject: f.id,
        message:
          `fault ${f.id} (${f.kind} on ${f.target}) did not bite: no endpoint changed measurably against the ${fmtSeconds(len)} before it ` +
          `(${shown.map(describeEffect).join('; ')}); SLOs judged during it saw a healthy system`,
      });
    } else if (bit === undefined) {
      findings.push({
        kind: 'fault-effect-unmeasured',
        subject: f.id,
        message: `fault ${f.id} (${f.kind} on ${f.target}): its effect could not be measured, fewer than ${minRequests} answers per endpoint during it or in the ${fmtSeconds(len)} before it`,
      });
    }
  }

  // Fallback outside the faults (each fault's window plus its recovery).
  const busy = injected.map((f) => [f.startMs, Math.max(f.endMs, f.startMs + (f.endMs > f.startMs ? 0 : instantMs)) + recoveryMs] as const);
  const quiet = complement(busy, load.durationMs);
  for (const endpoint of load.endpoints) {
    const { fallback, answers } = fallbackOver(load, quiet, endpoint);
    if (answers < minRequests || fallback / answers <= limit) continue;
    const phases = input.phases
      .map((p) => ({ name: p.name, ...fallbackOver(load, intersect(quiet, [p.startMs, p.endMs]), endpoint) }))
      .filter((p) => p.answers >= minRequests && p.fallback / p.answers > limit)
      .map((p) => `${p.name} ${pct(p.fallback / p.answers)}`);
    findings.push({
      kind: 'fallback-outside-faults',
      subject: endpoint,
      message:
        `fallback served ${pct(fallback / answers)} of ${endpoint} answers outside fault windows (${fallback} of ${answers})` +
        (phases.length > 0 ? `; by phase: ${phases.join(', ')}` : '') +
        ': the primary was bypassed with no fault active',
    });
  }
  return { faultEffects, findings };
}

interface Figures extends EffectFigures {
  readonly droppedShare: number | undefined;
}

function figures(s: WindowStats | undefined): Figures {
  if (s === undefined) return { requests: 0, errorRate: undefined, p99Ms: undefined, fallbackShare: undefined, droppedShare: undefined };
  const typed = sum(s.modelType);
  return {
    requests: s.requests,
    errorRate: s.requests > 0 ? s.errors / s.requests : undefined,
    p99Ms: s.latency.count > 0 ? s.percentile(99) : undefined,
    fallbackShare: typed > 0 ? (s.modelType['fallback'] ?? 0) / typed : undefined,
    droppedShare: s.requests + s.dropped > 0 ? s.dropped / (s.requests + s.dropped) : undefined,
  };
}

function strip(f: Figures): EffectFigures {
  return { requests: f.requests, errorRate: f.errorRate, p99Ms: f.p99Ms, fallbackShare: f.fallbackShare };
}

function changes(b: Figures, d: Figures): string[] {
  const out: string[] = [];
  const up = (x: number | undefined, y: number | undefined, points: number) => (y ?? 0) - (x ?? 0) >= points;
  if (up(b.errorRate, d.errorRate, MEASURABLE.errorRatePoints)) out.push('error rate');
  if (d.p99Ms !== undefined && b.p99Ms !== undefined && d.p99Ms >= b.p99Ms * MEASURABLE.p99Factor && d.p99Ms - b.p99Ms >= MEASURABLE.p99Ms) out.push('p99');
  if (up(b.fallbackShare, d.fallbackShare, MEASURABLE.fallbackPoints)) out.push('fallback share');
  if (up(b.droppedShare, d.droppedShare, MEASURABLE.droppedPoints)) out.push('dropped');
  return out;
}

function describeEffect(e: EndpointEffect): string {
  const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`);
  const p = (v: number | undefined) => (v === undefined ? '–' : pct(v));
  return `${e.endpoint}: errors ${p(e.before.errorRate)} → ${p(e.during.errorRate)}, p99 ${ms(e.before.p99Ms)} → ${ms(e.during.p99Ms)}, fallback ${p(e.before.fallbackShare)} → ${p(e.during.fallbackShare)}`;
}

function fallbackOver(load: LoadWindows, spans: readonly (readonly [number, number])[], endpoint: string): { fallback: number; answers: number } {
  let fallback = 0;
  let answers = 0;
  for (const [from, to] of spans) {
    const s = load.window(from, to, endpoint);
    if (!s) continue;
    fallback += s.modelType['fallback'] ?? 0;
    answers += sum(s.modelType);
  }
  return { fallback, answers };
}

/** [0, total) minus the union of `busy`, as sorted disjoint spans. */
export function complement(busy: readonly (readonly [number, number])[], total: number): [number, number][] {
  const sorted = [...busy].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let at = 0;
  for (const [from, to] of sorted) {
    if (from > at) out.push([at, Math.min(from, total)]);
    at = Math.max(at, to);
    if (at >= total) break;
  }
  if (at < total) out.push([at, total]);
  return out.filter(([a, b]) => b > a);
}

function intersect(spans: readonly (readonly [number, number])[], [from, to]: readonly [number, number]): [number, number][] {
  return spans.map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number]).filter(([a, b]) => b > a);
}

function sum(r: Readonly<Record<string, number>>): number {
  let n = 0;
  for (const v of Object.values(r)) n += v;
  return n;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
