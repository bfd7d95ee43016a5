/**
 * Helper processes next to the stack (the cpu-stress burners): stdin is their lifeline (it
 * closes when the harness dies), they are listed in the run-state, and stopping is a SIGKILL.
 */
import { spawn } from 'node:child_process';
import { environmentError } from '../../contract/errors.js';
import { procStartTime, signalProcess, waitGone } from './proc-info.js';
import type { RunState } from './run-state.js';

/** Starts `node <args>`; returns its pid and an idempotent stop. */
export function spawnHelperProcess(label: string, args: readonly string[], runState?: RunState): { pid: number; stop: () => Promise<void> } {
  const child = spawn(process.execPath, [...args], { stdio: ['pipe', 'ignore', 'ignore'] });
  const pid = child.pid;
  if (pid === undefined) throw environmentError(`cannot start ${label}`);
  const start = procStartTime(pid);
  runState?.trackProcess(pid, label);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      signalProcess(pid, 'SIGKILL');
      await waitGone(pid, start, 2000);
      child.stdin?.destroy();
      runState?.untrackProcess(pid);
    })());
  return { pid, stop };
}
