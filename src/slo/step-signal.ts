/**
 * A signal known at discrete moments that keeps its value until the next one (platform
 * events, sampled series, Prometheus range samples). Evaluates window and timing
 * assertions over it.
 */
import type { Comparator } from '../scenario/slo-spec.js';
import { holds, worstOf, type Observed } from './compare.js';

export interface StepPoint {
  /** ms from traffic start. */
  readonly tMs: number;
  readonly value: Observed;
}

export type TimingOutcome =
  | { readonly kind: 'held'; readonly atMs: number; readonly value: Observed }
  | { readonly kind: 'never'; readonly last: Observed; readonly lastMs: number }
  | { readonly kind: 'no-data' };

export class StepSignal {
  private readonly points: readonly StepPoint[];

  /**
   * `initial` is the value before the first point, when known. `sampled`: the points are
   * samples (a series, Prometheus), so nothing is known after the last one; otherwise they
   * are changes (events) and the last value holds until the end of the run.
   */
  constructor(points: readonly StepPoint[], private readonly initial?: Observed, readonly sampled = false) {
    this.points = [...points].sort((a, b) => a.tMs - b.tMs);
  }

  /** Up to when the signal is known, given the end of the run (ms). */
  knownUntil(runEndMs: number): number {
    const last = this.points[this.points.length - 1]?.tMs;
    if (this.sampled) return last ?? Number.NEGATIVE_INFINITY;
    return Math.max(runEndMs, last ?? runEndMs);
  }

  get empty(): boolean {
    return this.points.length === 0 && this.initial === undefined;
  }

  /** The value in effect at `tMs`, or undefined when nothing is known yet. */
  at(tMs: number): Observed | undefined {
    let v = this.initial;
    for (const p of this.points) {
      if (p.tMs > tMs) break;
      v = p.value;
    }
    return v;
  }

  /** Every value in effect during [fromMs, toMs). */
  valuesIn(fromMs: number, toMs: number): Observed[] {
    const out: Observed[] = [];
    const first = this.at(fromMs);
    if (first !== undefined) out.push(first);
    for (const p of this.points) if (p.tMs > fromMs && p.tMs < toMs) out.push(p.value);
    return out;
  }

  /** The worst value during [fromMs, toMs), or undefined without data. */
  over(fromMs: number, toMs: number, op: Comparator, threshold: number | string): Observed | undefined {
    return worstOf(this.valuesIn(fromMs, toMs), op, threshold);
  }

  /**
   * The first moment T in [anchorMs, deadlineMs] from which the condition holds through
   * T + sustainMs (every value in effect in [T, T + sustainMs] holds). A hold that would end
   * after `horizonMs` (the end of what is known) is not sustained.
   */
  firstHolding(anchorMs: number, deadlineMs: number, op: Comparator, threshold: number | string, sustainMs = 0, horizonMs = Number.POSITIVE_INFINITY): TimingOutcome {
    const candidates: StepPoint[] = [];
    const start = this.at(anchorMs);
    if (start !== undefined) candidates.push({ tMs: anchorMs, value: start });
    for (const p of this.points) if (p.tMs > anchorMs && p.tMs <= deadlineMs) candidates.push(p);
    if (candidates.length === 0) return { kind: 'no-data' };
    const sustained = (c: StepPoint): boolean => {
      if (sustainMs <= 0) return true;
      if (c.tMs + sustainMs > horizonMs) return false;
      const through = [...this.valuesIn(c.tMs, c.tMs + sustainMs), this.at(c.tMs + sustainMs)];
      return through.every((v) => v !== undefined && holds(op, v, threshold));
    };
    const hit = candidates.find((c) => holds(op, c.value, threshold) && sustained(c));
    if (hit) return { kind: 'held', atMs: hit.tMs, value: hit.value };
    const last = candidates[candidates.length - 1]!;
    return { kind: 'never', last: last.value, lastMs: last.tMs };
  }
}
