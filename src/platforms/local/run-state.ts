/**
 * The run-state file: what a running stack owns (PIDs with their start times, ports, temp
 * dirs, the admin URL of `stack up`). Written atomically on every change so that a harness
 * killed by SIGKILL leaves an accurate list for `peakready clean`.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.js';
import { isSameProcess, procStartTime, signalProcess, waitGone } from './proc-info.js';

export interface TrackedProcess {
  readonly pid: number;
  readonly startTime: number | undefined;
  readonly label: string;
  port?: number;
}

export interface RunStateData {
  readonly runId: string;
  readonly harnessPid: number;
  readonly harnessStartTime: number | undefined;
  readonly createdAt: string;
  adminUrl?: string;
  gatewayUrl?: string;
  processes: TrackedProcess[];
  tempDirs: string[];
}

/** Default folder of run-state files: <repo>/.peakready/run-state (override with PEAKREADY_STATE_DIR). */
export function runStateDir(): string {
  return process.env.PEAKREADY_STATE_DIR ?? join(REPO_ROOT, '.peakready', 'run-state');
}

/** The live run-state of this harness process. */
export class RunState {
  readonly file: string;
  private data: RunStateData;
  private removed = false;

  constructor(runId: string, dir = runStateDir()) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${runId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
    this.data = {
      runId,
      harnessPid: process.pid,
      harnessStartTime: procStartTime(process.pid),
      createdAt: new Date().toISOString(),
      processes: [],
      tempDirs: [],
    };
    this.flush();
  }

  get snapshot(): Readonly<RunStateData> {
    return this.data;
  }

  trackProcess(pid: number, label: string, port?: number): void {
    this.data.processes.push({ pid, startTime: procStartTime(pid), label, ...(port === undefined ? {} : { port }) });
    this.flush();
  }

  setPort(pid: number, port: number): void {
    const p = this.data.processes.find((x) => x.pid === pid);
    if (p) p.port = port;
    this.flush();
  }

  untrackProcess(pid: number): void {
    this.data.processes = this.data.processes.filter((p) => p.pid !== pid);
    this.flush();
  }

  trackTempDir(dir: string): void {
    this.data.tempDirs.push(dir);
    this.flush();
  }

  untrackTempDir(dir: string): void {
    this.data.tempDirs = this.data.tempDirs.filter((d) => d !== dir);
    this.flush();
  }

  set(fields: Partial<Pick<RunStateData, 'adminUrl' | 'gatewayUrl'>>): void {
    Object.assign(this.data, fields);
    this.flush();
  }

  /** Deletes the file (a clean shutdown leaves nothing to reap). */
  remove(): void {
    this.removed = true;
    rmSync(this.file, { force: true });
  }

  private flush(): void {
    if (this.removed) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 2));
    renameSync(tmp, this.file); // atomic: a reader never sees half a file
  }
}

export interface StoredRunState extends RunStateData {
  readonly file: string;
  /** True while the harness that wrote it is still running. */
  readonly live: boolean;
}

/** Every run-state file in `dir`, newest first. */
export function listRunStates(dir = runStateDir()): StoredRunState[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: StoredRunState[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as RunStateData;
      out.push({ ...data, file, live: isSameProcess(data.harnessPid, data.harnessStartTime) });
    } catch {
      // a torn or foreign file: ignore, never delete what we cannot read
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface ReapResult {
  readonly file: string;
  readonly killed: string[];
  readonly removedDirs: string[];
}

/**
 * Kills every still-running process a run-state lists (only when the PID still belongs to the
 * same process), removes its temp dirs and the file itself.
 */
export async function reapRunState(state: StoredRunState): Promise<ReapResult> {
  const killed: string[] = [];
  if (state.live) signalProcess(state.harnessPid, 'SIGKILL');
  for (const p of state.processes) {
    if (!isSameProcess(p.pid, p.startTime)) continue;
    signalProcess(p.pid, 'SIGKILL');
    await waitGone(p.pid, p.startTime, 2000);
    killed.push(`${p.label} (pid ${p.pid}${p.port ? `, port ${p.port}` : ''})`);
  }
  const removedDirs: string[] = [];
  for (const d of state.tempDirs) {
    rmSync(d, { recursive: true, force: true });
    removedDirs.push(d);
  }
  rmSync(state.file, { force: true });
  return { file: state.file, killed, removedDirs };
}
