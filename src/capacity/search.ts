/**
 * The rate search: a step search (doubling from the start rate, or halving when even the
 * start rate breaks an SLO) brackets the breaking point between the last good and the first
 * bad rate; a bisection then narrows the bracket to the set precision. Pure: the caller's
 * `probe` runs a step and says whether it met every SLO, so the search is testable on
 * synthetic services.
 */

export interface SearchOptions {
  /** First rate tried, requests/s (> 0). */
  readonly startRate: number;
  /** The step search stops here without a break: the service carries at least this. */
  readonly maxRate: number;
  /** Halving stops below this: nothing sustainable. */
  readonly minRate: number;
  /** Stop bisecting when (firstBad − lastGood) / lastGood ≤ precision (e.g. 0.05). */
  readonly precision: number;
}

/** Runs one step at `rate` and resolves true when every SLO held. */
export type Probe = (rate: number, phase: 'step' | 'bisect') => Promise<boolean>;

export interface SearchOutcome {
  /** Highest rate that held; undefined when none did. */
  readonly lastGood: number | undefined;
  /** Lowest rate that broke; undefined when none did up to maxRate. */
  readonly firstBad: number | undefined;
  readonly outcome: 'found' | 'no-break' | 'none-sustainable';
  /** Every rate probed, in order. */
  readonly tried: readonly { readonly rate: number; readonly ok: boolean; readonly phase: 'step' | 'bisect' }[];
}

/** Rates are shown to people: whole numbers from 100 rps up, one decimal below. */
export function roundRate(rate: number): number {
  return rate >= 100 ? Math.round(rate) : Math.round(rate * 10) / 10;
}

/** Brackets the breaking point with a step search, then bisects it to `precision`. */
export async function searchCapacity(probe: Probe, opts: SearchOptions): Promise<SearchOutcome> {
  const tried: { rate: number; ok: boolean; phase: 'step' | 'bisect' }[] = [];
  const run = async (rate: number, phase: 'step' | 'bisect'): Promise<boolean> => {
    const ok = await probe(rate, phase);
    tried.push({ rate, ok, phase });
    return ok;
  };

  let good: number | undefined;
  let bad: number | undefined;
  const start = roundRate(Math.min(Math.max(opts.startRate, opts.minRate), opts.maxRate));
  if (await run(start, 'step')) {
    good = start;
    while (bad === undefined) {
      if (good >= opts.maxRate) return { lastGood: good, firstBad: undefined, outcome: 'no-break', tried };
      const next = roundRate(Math.min(good * 2, opts.maxRate));
      if (await run(next, 'step')) good = next;
      else bad = next;
    }
  } else {
    bad = start;
    while (good === undefined) {
      const next = roundRate(bad / 2);
      if (next < opts.minRate || next >= bad) return { lastGood: undefined, firstBad: bad, outcome: 'none-sustainable', tried };
      if (await run(next, 'step')) good = next;
      else bad = next;
    }
  }

  while ((bad - good) / good > opts.precision) {
    const mid = roundRate((good + bad) / 2);
    if (mid <= good || mid >= bad) break; // rounding leaves nothing between them
    if (await run(mid, 'bisect')) good = mid;
    else bad = mid;
  }
  return { lastGood: good, firstBad: bad, outcome: 'found', tried };
}
