/**
 * One supervised child process (a "pod"): spawns it, learns its port from the
 * `{"msg":"listening","port":N}` stdout line, gates it on GET /ready, restarts it with
 * exponential back-off when it dies on its own, and counts restarts.
 *
 * Lifelines: node services get fd 3 as a pipe (PEAKREADY_LIFELINE_FD=3) and exit when it
 * closes, which the kernel does when the harness dies, even by SIGKILL. Debian binaries are
 * started under `setpriv --pdeathsig KILL`, which has the kernel kill them with their parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { request } from 'node:http';
import { requireBinary } from './binaries.js';
import { isSameProcess, procStartTime, signalProcess, waitGone } from './proc-info.js';

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Working folder (default the harness's). */
  readonly cwd?: string;
  /**
   * The process forks workers of its own (gunicorn, uwsgi): it leads a process group, and
   * fault signals (SIGSTOP, SIGCONT, SIGKILL) go to the whole group so its workers freeze too.
   */
  readonly group?: boolean;
  /** 'lifeline': fd-3 pipe (our node services); 'pdeathsig': wrap in setpriv (binaries). */
  readonly deathLink: 'lifeline' | 'pdeathsig';
  /** Port known up front (binaries) or announced on stdout (services, --port 0). */
  readonly port?: number;
  /** HTTP path polled for readiness, or a custom probe. */
  readonly ready: { readonly path: string } | { readonly probe: (port: number) => Promise<boolean> };
  /** Drain budget after SIGTERM before SIGKILL. */
  readonly stopTimeoutMs?: number;
}

export type ProcessState = 'starting' | 'running' | 'backoff' | 'stopped';

export interface ManagedProcessHooks {
  onReady?(ready: boolean): void;
  onRestart?(restarts: number): void;
  onSpawn?(pid: number): void;
  onExit?(pid: number): void;
  onPort?(pid: number, port: number): void;
}

const BACKOFF_BASE_MS = 200;
const CRASHES_BEFORE_GIVING_UP = 3;
const BACKOFF_MAX_MS = 5000;
/** A process that ran this long before dying starts its back-off afresh (like kubelet's reset). */
const BACKOFF_RESET_MS = 10_000;

export class ManagedProcess {
  state: ProcessState = 'starting';
  ready = false;
  restarts = 0;
  port: number | undefined;
  pid: number | undefined;
  startedAt = 0;
  /** Paused by a fault (SIGSTOP): readiness probes are expected to fail meanwhile. */
  paused = false;
  readonly recentOutput: string[] = [];

  private child: ChildProcess | undefined;
  private lifeline: { destroy(): void; unref?: () => void } | undefined;
  private pidStart: number | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private consecutiveCrashes = 0;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly spec: ProcessSpec,
    private readonly hooks: ManagedProcessHooks = {},
  ) {}

  /** The replica id (for faults and status). */
  get id(): string {
    return this.name;
  }

  /** Starts the process; resolves once it is ready, rejects if it dies or `timeoutMs` passes first. */
  async start(timeoutMs = 15_000): Promise<void> {
    this.spawnOnce();
    await this.waitReady(timeoutMs);
  }

  waitReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const tick = setInterval(() => {
        if (this.ready) {
          clearInterval(tick);
          resolve();
        } else if (this.state === 'stopped' || this.restarts >= CRASHES_BEFORE_GIVING_UP || Date.now() - t0 > timeoutMs) {
          // A process that keeps crashing before it was ever ready will not get better: say so
          // now with its last output rather than after the whole start deadline.
          clearInterval(tick);
          const tail = this.recentOutput.slice(-8).join('\n');
          const why = this.restarts >= CRASHES_BEFORE_GIVING_UP ? `crashed ${this.restarts + 1} times while starting` : `did not become ready within ${timeoutMs} ms (state ${this.state})`;
          reject(new Error(`${this.name} ${why}${tail ? `:\n${tail}` : ''}`));
        }
      }, 20);
    });
  }

  /** Whether the current process is running (not exited, not a zombie, not a recycled PID). */
  running(): boolean {
    return this.pid !== undefined && isSameProcess(this.pid, this.pidStart);
  }

  /** Sends a signal to the current process (faults: SIGKILL, SIGSTOP, SIGCONT). */
  signal(sig: NodeJS.Signals): boolean {
    if (this.pid === undefined) return false;
    return signalProcess(this.spec.group ? -this.pid : this.pid, sig);
  }

  /** Stops for good: SIGTERM, SIGKILL after the drain budget; no restart. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.state = 'stopped';
    clearTimeout(this.restartTimer);
    clearInterval(this.probeTimer);
    this.setReady(false);
    const pid = this.pid;
    if (pid === undefined) return;
    const all = this.spec.group ? -pid : pid;
    if (this.paused) signalProcess(all, 'SIGCONT');
    // A group's leader stops its own workers on SIGTERM; SIGKILL, when needed, takes the whole group.
    signalProcess(pid, 'SIGTERM');
    if (!(await waitGone(pid, this.pidStart, this.spec.stopTimeoutMs ?? 5000))) {
      signalProcess(all, 'SIGKILL');
      await waitGone(pid, this.pidStart, 2000);
    }
    await this.exited; // onExit kills what a group's leader left behind
  }

  private spawnOnce(): void {
    const { spec } = this;
    // pdeathsig also backs up the lifeline: a replica frozen by SIGSTOP (the `unavailable`
    // fault) cannot read its lifeline's EOF, but the kernel's SIGKILL still reaches it.
    const wrap = spec.deathLink === 'pdeathsig' || hasSetpriv();
    const [command, args] = wrap ? ['setpriv', ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args]] : [spec.command, [...spec.args]];
    const child = spawn(command, args as string[], {
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      ...(spec.group ? { detached: true } : {}),
      stdio: spec.deathLink === 'lifeline' ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...spec.env, ...(spec.deathLink === 'lifeline' ? { PEAKREADY_LIFELINE_FD: '3' } : {}) },
    });
    this.child = child;
    this.state = 'starting';
    this.port = spec.port;
    this.startedAt = Date.now();
    this.paused = false;
    if (child.pid === undefined) {
      this.exited = Promise.resolve();
      child.once('error', (err) => this.remember(`spawn failed: ${err.message}`));
      setImmediate(() => this.onExit(undefined, null, null));
      return;
    }
    const pid = child.pid;
    this.pid = pid;
    this.pidStart = procStartTime(pid);
    this.hooks.onSpawn?.(pid);
    if (spec.port !== undefined) this.hooks.onPort?.(pid, spec.port);
    // The lifeline: keep our end open and out of the event loop's way; never write to it.
    this.lifeline = child.stdio[3] as { destroy(): void; unref?: () => void } | undefined;
    this.lifeline?.unref?.();

    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (this.port === undefined && line.includes('listening')) {
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number };
          if (rec.msg === 'listening' && typeof rec.port === 'number') {
            this.port = rec.port;
            this.hooks.onPort?.(pid, rec.port);
          }
        } catch {
          /* not JSON: ignore */
        }
      }
      this.remember(line);
    });
    createInterface({ input: child.stderr! }).on('line', (l) => this.remember(l));

    this.exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => {
        this.onExit(pid, code, sig);
        resolve();
      });
    });
    child.once('error', (err) => this.remember(`spawn failed: ${err.message}`));
    this.fastProbe = true;
    this.probeTimer = setInterval(() => void this.probe(), 100);
    this.probeTimer.unref();
  }

  private remember(line: string): void {
    this.recentOutput.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (this.recentOutput.length > 20) this.recentOutput.shift();
  }

  private probing = false;
  private fastProbe = true;
  private async probe(): Promise<void> {
    if (this.probing || this.port === undefined || this.state === 'stopped') return;
    this.probing = true;
    try {
      const ok = 'probe' in this.spec.ready ? await this.spec.ready.probe(this.port) : await httpOk(this.port, this.spec.ready.path, 1000);
      if (this.stopping || (this.state as ProcessState) === 'stopped') return;
      if (ok) this.state = 'running';
      this.setReady(ok);
      // Probe fast while starting, then every 0.5 s once ready (kubelet-like, kept short for tests).
      if (ok && this.fastProbe) {
        this.fastProbe = false;
        clearInterval(this.probeTimer);
        this.probeTimer = setInterval(() => void this.probe(), 500);
        this.probeTimer.unref();
      }
    } finally {
      this.probing = false;
    }
  }

  private setReady(ready: boolean): void {
    if (this.ready === ready) return;
    this.ready = ready;
    this.hooks.onReady?.(ready);
  }

  private onExit(pid: number | undefined, code: number | null, sig: NodeJS.Signals | null): void {
    clearInterval(this.probeTimer);
    this.setReady(false);
    this.child = undefined;
    this.pid = undefined;
    // A group leader that died leaves no worker behind to hold its port (a kill-replica fault, a crash).
    if (pid !== undefined && this.spec.group) signalProcess(-pid, 'SIGKILL');
    if (pid !== undefined) this.hooks.onExit?.(pid);
    if (this.stopping) {
      this.state = 'stopped';
      return;
    }
    this.remember(`exited (code ${code}, signal ${sig})`);
    const ranMs = Date.now() - this.startedAt;
    this.consecutiveCrashes = ranMs > BACKOFF_RESET_MS ? 1 : this.consecutiveCrashes + 1;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.consecutiveCrashes - 1));
    this.state = 'backoff';
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.restarts += 1;
      this.hooks.onRestart?.(this.restarts);
      this.spawnOnce();
    }, delay);
    this.restartTimer.unref();
  }
}

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  if (setprivFound === undefined) {
    try {
      requireBinary('setpriv');
      setprivFound = true;
    } catch {
      setprivFound = false;
    }
  }
  return setprivFound;
}

/** GET http://127.0.0.1:<port><path> answered 2xx within `timeoutMs`. */
export function httpOk(port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
