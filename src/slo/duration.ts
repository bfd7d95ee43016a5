/**
 * Durations inside SLO expressions ("30s", "2m", "1m30s", "250ms"). Kept here rather than
 * borrowed from scenario/ so SLO strings parse the same everywhere, also on the command line
 * before any scenario is loaded.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds of a duration string, or `undefined` when it is not one. */
export function tryParseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!DURATION_RE.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(PART_RE)) total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  return total;
}

/** Milliseconds of a duration string; throws a plain Error naming the input when it is not one. */
export function durationMs(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new Error(`expected a duration like "30s", "2m" or "250ms", got ${JSON.stringify(text)}`);
  return ms;
}

/** Seconds with one decimal, the form reports use for offsets: 12345 → "12.3s". */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A compact human duration: 250 → "250ms", 90000 → "1m30s", 1500 → "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${round(ms)}ms`;
  if (ms < 60_000) return `${round(ms / 1000)}s`;
  const m = Math.floor(ms / 60_000);
  const rest = ms - m * 60_000;
  return rest === 0 ? `${m}m` : `${m}m${round(rest / 1000)}s`;
}

function round(n: number): number {
  return Number(n.toFixed(n < 10 ? 2 : 1));
}
