/**
 * Tolerances of a baseline comparison: how much worse a figure may get before it counts
 * as a regression. Given on the command line as `--tolerance <figure>=<value>`:
 *
 *   p99=10%            p99 may rise 10% (relative) …  p99=25ms: … or 25 ms (absolute)
 *   p99(predict)=20%   one endpoint's p99 only (overrides p99 for that endpoint)
 *   throughput=5%      achieved rate may fall 5% …    throughput=3rps: … or 3 req/s
 *   error-rate=0.5pp   error rate may rise 0.5 percentage points
 *   fallback-share=2pp fallback share may rise 2 percentage points
 *   rollback-time=20%  time to roll back may rise 20% … rollback-time=10s: … or 10 s
 *
 * Shares take percentage points only ("2pp"): "2%" of a share is ambiguous (2 points, or
 * 2% of the baseline's share?), so it is refused rather than guessed.
 */
import type { BaselineFigureKind } from '../contract/journal.js';
import { tryParseDuration } from '../slo/duration.js';

/** Relative (a fraction of the baseline) or absolute (in the figure's unit: ms, rps, share 0..1). */
export type Tolerance = { readonly mode: 'relative'; readonly fraction: number } | { readonly mode: 'absolute'; readonly amount: number };

export const FIGURE_KINDS: readonly BaselineFigureKind[] = ['p99', 'throughput', 'error-rate', 'fallback-share', 'rollback-time'];

/** The defaults from the issue: p99 +10%, throughput −5%, fallback share +2pp, rollback time +20%, error rate +0.5pp. */
export const DEFAULT_TOLERANCES: Readonly<Record<BaselineFigureKind, Tolerance>> = {
  p99: { mode: 'relative', fraction: 0.1 },
  throughput: { mode: 'relative', fraction: 0.05 },
  'error-rate': { mode: 'absolute', amount: 0.005 },
  'fallback-share': { mode: 'absolute', amount: 0.02 },
  'rollback-time': { mode: 'relative', fraction: 0.2 },
};

/** Tolerances per figure kind, plus per-scope overrides keyed "p99(predict)". */
export interface Tolerances {
  readonly byKind: Readonly<Record<BaselineFigureKind, Tolerance>>;
  readonly byScope: ReadonlyMap<string, Tolerance>;
}

export const DEFAULT_TOLERANCE_SET: Tolerances = { byKind: DEFAULT_TOLERANCES, byScope: new Map() };

/** The tolerance that applies to one figure: its scope's override, else its kind's. */
export function toleranceFor(t: Tolerances, kind: BaselineFigureKind, scope?: string): Tolerance {
  return (scope === undefined ? undefined : t.byScope.get(`${kind}(${scope})`)) ?? t.byKind[kind];
}

const KEY_RE = /^([a-z0-9-]+)(?:\(([^()\s]+)\))?$/;
const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const PERCENT_RE = new RegExp(`^${NUMBER}%$`);
const PP_RE = new RegExp(`^${NUMBER}pp$`);
const RPS_RE = new RegExp(`^${NUMBER}rps$`);

/** What each figure accepts, for error messages. */
const EXPECTED: Readonly<Record<BaselineFigureKind, string>> = {
  p99: 'a percentage like "10%" or a duration like "25ms"',
  throughput: 'a percentage like "5%" or a rate like "3rps"',
  'error-rate': 'percentage points like "0.5pp"',
  'fallback-share': 'percentage points like "2pp"',
  'rollback-time': 'a percentage like "20%" or a duration like "10s"',
};

function parseValue(kind: BaselineFigureKind, text: string): Tolerance | undefined {
  const pct = PERCENT_RE.exec(text);
  const pp = PP_RE.exec(text);
  switch (kind) {
    case 'p99':
    case 'rollback-time': {
      if (pct) return { mode: 'relative', fraction: Number(pct[1]) / 100 };
      const ms = tryParseDuration(text);
      return ms === undefined ? undefined : { mode: 'absolute', amount: ms };
    }
    case 'throughput': {
      if (pct) return { mode: 'relative', fraction: Number(pct[1]) / 100 };
      const rps = RPS_RE.exec(text);
      return rps ? { mode: 'absolute', amount: Number(rps[1]) } : undefined;
    }
    case 'error-rate':
    case 'fallback-share':
      return pp ? { mode: 'absolute', amount: Number(pp[1]) / 100 } : undefined;
  }
}

/**
 * Parses every `--tolerance` flag over the defaults. Returns every problem at once
 * (`--tolerance "p99=fast": p99: expected …, got "fast"`), never throws.
 */
export function parseTolerances(flags: readonly string[]): { tolerances: Tolerances; problems: string[] } {
  const byKind: Record<BaselineFigureKind, Tolerance> = { ...DEFAULT_TOLERANCES };
  const byScope = new Map<string, Tolerance>();
  const problems: string[] = [];
  for (const flag of flags) {
    const where = `--tolerance ${JSON.stringify(flag)}`;
    const eq = flag.indexOf('=');
    if (eq < 0) {
      problems.push(`${where}: expected <figure>=<value>, e.g. p99=10%, got no "="`);
      continue;
    }
    const key = flag.slice(0, eq).trim();
    const value = flag.slice(eq + 1).trim();
    const m = KEY_RE.exec(key);
    const kind = m?.[1] as BaselineFigureKind | undefined;
    if (!m || !kind || !FIGURE_KINDS.includes(kind)) {
      problems.push(`${where}: figure: expected one of ${FIGURE_KINDS.join(', ')} (or p99(<endpoint>)), got ${JSON.stringify(key)}`);
      continue;
    }
    const scope = m[2];
    if (scope !== undefined && kind !== 'p99' && kind !== 'rollback-time') {
      problems.push(`${where}: ${kind}: expected no (scope), only p99(<endpoint>) and rollback-time(<deploy id>) take one, got ${JSON.stringify(key)}`);
      continue;
    }
    const tol = parseValue(kind, value);
    if (!tol) {
      problems.push(`${where}: ${key}: expected ${EXPECTED[kind]}, got ${JSON.stringify(value)}`);
      continue;
    }
    if (scope === undefined) byKind[kind] = tol;
    else byScope.set(`${kind}(${scope})`, tol);
  }
  return { tolerances: { byKind, byScope }, problems };
}
