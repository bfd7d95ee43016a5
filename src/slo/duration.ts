/**
 * Durations inside SLO expressions ("30s", "2m", "1m30s", "250ms"): the scenario's parser
 * (one grammar everywhere), tolerant of surrounding spaces as typed on a command line; and
 * the compact forms reports show.
 */
import { tryParseDuration as parseScenarioDuration } from '../scenario/duration.js';

/** Milliseconds of a duration string, or `undefined` when it is not one. */
export function tryParseDuration(text: string): number | undefined {
  return parseScenarioDuration(text.trim());
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
