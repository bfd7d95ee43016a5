/**
 * Linux process-table helpers: a PID alone is not an identity (PIDs are recycled), so the
 * run-state file stores the kernel start time from /proc/<pid>/stat next to each PID.
 */
import { readFileSync } from 'node:fs';

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined when gone. */
export function procStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined; // a zombie is as good as gone
    const start = Number(rest[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and still the same process (same start time) as recorded. */
export function isSameProcess(pid: number, startTime: number | undefined): boolean {
  const now = procStartTime(pid);
  if (now === undefined) return false;
  return startTime === undefined || now === startTime;
}

/** Sends a signal, ignoring "no such process". */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the process is gone (or `timeoutMs` passes); returns true when gone. */
export async function waitGone(pid: number, startTime: number | undefined, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isSameProcess(pid, startTime)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isSameProcess(pid, startTime);
}
