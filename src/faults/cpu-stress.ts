/**
 * cpu-stress: CPU taken from the target service (StressChaos cpu: stress-ng inside the pod,
 * within the pod's CPU limit). `workers` burner processes, each busy `load` percent of every
 * 100 ms, killed on revert (and with the harness).
 *
 * Confined (root, cgroup v1 `cpu` controller or cgroup v2 with `cpu`): a cgroup is made for
 * the fault with a CPU limit of `workers` cores; the target's replicas and the burners are put
 * in it, so the burners compete with the target alone and every other process (the load
 * generator, the gateway, the other services) keeps its CPU. The replicas go back to their own
 * cgroup on revert. A replica the supervisor restarts during the fault starts outside it.
 *
 * Not confined (not root, or no cpu controller): the burners are ordinary processes and load
 * the whole machine, the load generator included. The fault says so: in its description
 * (`chaos list`) and in the prepared fault's `note`
 * (for the journal).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Fault, PreparedFault } from './fault.js';
import { invalidInput } from '../contract/errors.js';
import { resolveFaultParams } from './catalogue.js';
import { once, requireService } from './fault-params.js';

/** Busy-loops `load`% of each 100 ms slice; joins the cgroup first (argv[2]); exits when stdin (its lifeline) closes. */
const BURNER = `
const load = Number(process.argv[1]) / 100;
if (process.argv[2]) require('node:fs').writeFileSync(process.argv[2], String(process.pid));
process.stdin.on('end', () => process.exit(0)).on('close', () => process.exit(0)).resume();
function slice() {
  const t0 = Date.now();
  while (Date.now() - t0 < 100 * load) {}
  setTimeout(slice, 100 * (1 - load));
}
slice();
`;

const PERIOD_US = 100_000;

/** A cgroup for one fault: its processes file and how to take it down. */
export interface CpuCgroup {
  readonly dir: string;
  readonly procsFile: string;
  /** Moves a process in; remembers its previous cgroup for `release`. */
  add(pid: number): void;
  /** Moves every added process back, then removes the cgroup. */
  release(): Promise<void>;
}

/** How cpu-stress runs here: confined to a cgroup, or why not. */
export function cpuCgroupSupport(): { readonly root: string; readonly v2: boolean } | { readonly reason: string } {
  if (process.getuid?.() !== 0) return { reason: 'the harness is not root, so it cannot create a cgroup' };
  for (const root of ['/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/cpu']) {
    if (existsSync(join(root, 'cpu.cfs_quota_us'))) return { root, v2: false };
  }
  try {
    if (readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('cpu')) return { root: '/sys/fs/cgroup', v2: true };
  } catch {
    // no unified hierarchy
  }
  return { reason: 'no cgroup cpu controller is mounted (looked for /sys/fs/cgroup/cpu,cpuacct, /sys/fs/cgroup/cpu and cgroup v2)' };
}

/** Creates a cgroup limited to `cores` CPUs (cfs quota); undefined with the reason when it cannot. */
export function createCpuCgroup(name: string, cores: number): CpuCgroup | { readonly reason: string } {
  const support = cpuCgroupSupport();
  if ('reason' in support) return support;
  const dir = join(support.root, 'peakready', name);
  try {
    mkdirSync(dir, { recursive: true });
    if (support.v2) writeFileSync(join(dir, 'cpu.max'), `${Math.round(cores * PERIOD_US)} ${PERIOD_US}`);
    else {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(Math.round(cores * PERIOD_US)));
    }
  } catch (err) {
    return { reason: `cannot set up cgroup ${dir}: ${(err as Error).message}` };
  }
  const procsFile = join(dir, 'cgroup.procs');
  const previous = new Map<number, string>();
  const controller = support.v2 ? '' : 'cpu';
  return {
    dir,
    procsFile,
    add(pid) {
      previous.set(pid, currentCgroup(pid, controller) ?? '/');
      writeFileSync(procsFile, String(pid));
    },
    async release() {
      for (const [pid, rel] of previous) {
        try {
          writeFileSync(join(support.root, rel, 'cgroup.procs'), String(pid));
        } catch {
          // the process is gone (killed, restarted): nothing to move back
        }
      }
      previous.clear();
      // A SIGKILLed burner can stay a task for a moment; rmdir fails while any task remains.
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir);
          try {
            rmdirSync(join(dir, '..')); // the shared peakready/ parent, once no other fault uses it
          } catch {
            // another cpu-stress is active
          }
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
  };
}

/** The cgroup path of `pid` in the hierarchy of `controller` ('' = cgroup v2), from /proc. */
function currentCgroup(pid: number, controller: string): string | undefined {
  try {
    for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
      const [, ctrls, path] = line.split(':');
      if (path === undefined) continue;
      if (controller === '' ? ctrls === '' : ctrls!.split(',').includes(controller)) return path;
    }
  } catch {
    // gone
  }
  return undefined;
}

/** What the fault does on this machine, for `chaos list` and the journal. */
function describeMode(): string {
  const s = cpuCgroupSupport();
  return 'reason' in s
    ? `NOT confined (${s.reason}): the burners load the whole machine, the load generator included`
    : `confined: the target's replicas and the burners share a cgroup limited to \`workers\` cores (${s.root}); other processes keep their CPU`;
}

export const cpuStressFault: Fault = {
  kind: 'cpu-stress',
  description: `takes CPU from the service (params: workers=1 up to the core count, load=80 percent); ${describeMode()}`,
  prepare(target, fault) {
    requireService(target, fault);
    const { workers, load } = resolveFaultParams(fault);
    if (workers > cpus().length) throw invalidInput(`faults.${fault.id}.params.workers: expected at most ${cpus().length} (the cores of this machine), got ${workers}`);
    const stops: (() => Promise<void>)[] = [];
    let cgroup: CpuCgroup | undefined;
    let reverted = false;
    const prepared: PreparedFault & { note: string | undefined } = {
      /** What the fault did on this machine, once it acted (for the journal). */
      note: undefined,
      async act() {
        const made = createCpuCgroup(`cpu-stress-${process.pid}-${fault.id.replace(/[^A-Za-z0-9_.-]/g, '_')}`, workers);
        if ('reason' in made) {
          prepared.note = `NOT confined to ${fault.target} (${made.reason}): ${workers} burner(s) at ${load}% load the whole machine, the load generator included`;
        } else {
          cgroup = made;
          let moved = 0;
          for (const p of target.processes(fault.target)) {
            if (p.pid === undefined) continue;
            cgroup.add(p.pid);
            moved++;
          }
          prepared.note = `confined: ${moved} ${fault.target} replica(s) and ${workers} burner(s) at ${load}% share a cgroup limited to ${workers} core(s) (${cgroup.dir})`;
        }
        for (let i = 0; i < workers && !reverted; i++) {
          const args = ['-e', BURNER, String(load), ...(cgroup ? [cgroup.procsFile] : [])];
          stops.push(await target.spawnHelper(`cpu-stress-${fault.target}-${i}`, args));
        }
      },
      revert: once(async () => {
        reverted = true;
        await Promise.all(stops.map((s) => s()));
        await cgroup?.release();
      }),
    };
    return prepared;
  },
};
