/**
 * Durations as users write them ("250ms", "90s", "2m", "1h", "1m30s") parsed once into
 * milliseconds, so every later part works with numbers.
 */
import { invalidInput } from '../contract/errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// One or more <number><unit> parts, largest first by convention but not enforced.
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** Milliseconds for a duration string, or undefined when it is not one. */
export function tryParseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(text); m !== null; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    consumed = PART.lastIndex;
  }
  return consumed === text.length ? total : undefined;
}

/**
 * Parses "1m30s" to 90000. Throws an INVALID_INPUT PeakreadyError naming `where`
 * (a file and field path) and what was expected.
 */
export function parseDuration(text: string, where = 'duration'): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw invalidInput(`${where}: expected a duration like "90s", "2m" or "1m30s", got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** The shortest "1m30s"-style string for a number of milliseconds (whole ms). */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}
