import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_KINDS, type ResolvedFault } from '../../../src/scenario/fault-spec.js';
import { LOCAL_FAULTS, localFault } from '../../../src/faults/registry.js';
import type { LocalFaultTarget } from '../../../src/faults/fault.js';
import { ServiceProxy } from '../../../src/platforms/local/service-proxy.js';
import { ManagedProcess } from '../../../src/platforms/local/managed-process.js';
import { spawnHelperProcess } from '../../../src/platforms/local/helper-process.js';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';

const FAKE = join(import.meta.dirname, '..', '..', 'fixtures', 'local', 'fake-service.mjs');

function fault(kind: ResolvedFault['kind'], target: string, params: ResolvedFault['params'] = {}): ResolvedFault {
  return { id: `${kind}-${target}`, kind, target, atMs: 0, durationMs: 0, params };
}

/** Process state letter from /proc (R, S, T = stopped, ...), or 'gone'. */
function procState(pid: number): string {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return 'gone';
  }
}

function cpuTicks(pid: number): number {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

describe('local fault back ends', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A real target: one proxy in front of a real backend, real replica processes, real helpers. */
  async function target(
    replicas = 0,
  ): Promise<{ t: LocalFaultTarget; proxy: ServiceProxy; procs: ManagedProcess[]; outage: boolean[]; helpers: number[] }> {
    const backend: Server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    const proxy = new ServiceProxy('tabular');
    await proxy.start();
    proxy.setBackends([{ id: 'b', version: 'v1', port: (backend.address() as { port: number }).port }]);
    cleanups.push(() => new Promise<void>((r) => backend.close(() => r())), () => proxy.close());
    const procs: ManagedProcess[] = [];
    for (let i = 0; i < replicas; i++) {
      const p = new ManagedProcess(`tabular-v1-${i}`, {
        command: process.execPath,
        args: [FAKE, '--port', '0'],
        deathLink: 'lifeline',
        ready: { path: '/ready' },
        stopTimeoutMs: 1000,
      });
      await p.start();
      procs.push(p);
      cleanups.push(() => p.stop());
    }
    const outage: boolean[] = [];
    const helpers: number[] = [];
    const t: LocalFaultTarget = {
      services: ['tabular', 'gateway', 'redis'],
      addToxic: (_s, id, toxic) => proxy.addToxic(id, toxic),
      processes: () => procs,
      setRedisOutage: (on) => outage.push(on),
      spawnHelper: async (label, args) => {
        const h = spawnHelperProcess(label, args);
        helpers.push(h.pid);
        cleanups.push(h.stop);
        return h.stop;
      },
    };
    return { t, proxy, procs, outage, helpers };
  }

  it('has a back end for every kind of the fault vocabulary, and rejects unknown kinds (exit 2)', () => {
    expect(Object.keys(LOCAL_FAULTS).sort()).toEqual([...FAULT_KINDS].sort());
    for (const k of FAULT_KINDS) expect(LOCAL_FAULTS[k].kind).toBe(k);
    const err = (() => {
      try {
        localFault('meteor');
      } catch (e) {
        return e as PeakreadyError;
      }
    })();
    expect(exitCode({ kind: 'error', error: err })).toBe(2);
    expect(err?.message).toContain('got "meteor"');
  });

  it('validates target and parameters at prepare time, naming the field', async () => {
    const { t, proxy } = await target();
    expect(() => latency().prepare(t, fault('latency', 'tabular', { fraction: 2 }))).toThrow('faults.latency-tabular.params.fraction: expected 0..1, got 2');
    expect(() => latency().prepare(t, fault('latency', 'tabular', { latency: '300' }))).toThrow(/params\.latency: expected a duration/);
    expect(() => latency().prepare(t, fault('latency', 'payments'))).toThrow(/target: expected one of tabular, gateway/);
    expect(() => localFault('redis-outage').prepare(t, fault('redis-outage', 'tabular'))).toThrow(/target: expected one of redis/);
    expect(() => localFault('cpu-stress').prepare(t, fault('cpu-stress', 'tabular', { workers: 64 }))).toThrow(/params\.workers/);
    expect(proxy.activeToxics()).toEqual([]);
  });

  function latency() {
    return localFault('latency');
  }

  it('changes nothing until act, and the revert is idempotent', async () => {
    const { t, proxy } = await target();
    const f = localFault('errors').prepare(t, fault('errors', 'tabular', { status: 502, fraction: 0.5 }));
    expect(proxy.activeToxics()).toEqual([]);
    await f.act();
    expect(proxy.activeToxics()).toEqual(['errors-tabular']);
    await f.revert();
    await f.revert();
    expect(proxy.activeToxics()).toEqual([]);
  });

  it('unavailable freezes every replica (SIGSTOP) and the revert thaws them', async () => {
    const { t, procs } = await target(2);
    const f = localFault('unavailable').prepare(t, fault('unavailable', 'tabular'));
    await f.act();
    await expect.poll(() => procs.map((p) => procState(p.pid!)), { timeout: 2000 }).toEqual(['T', 'T']);
    await f.revert();
    await expect.poll(() => procs.map((p) => procState(p.pid!)).some((s) => s === 'T'), { timeout: 2000 }).toBe(false);
  });

  it('kill-replica SIGKILLs `count` replicas', async () => {
    const { t, procs } = await target(2);
    const pids = procs.map((p) => p.pid!);
    await localFault('kill-replica').prepare(t, fault('kill-replica', 'tabular', { count: 1 })).act();
    await expect.poll(() => procState(pids[0]!), { timeout: 3000 }).toMatch(/gone|Z/);
    expect(procState(pids[1]!)).not.toMatch(/gone|Z/);
  });

  it('cpu-stress burns CPU in a helper process until reverted', async () => {
    const { t, helpers } = await target();
    const f = localFault('cpu-stress').prepare(t, fault('cpu-stress', 'tabular', { workers: 1, load: 50 }));
    await f.act();
    expect(helpers).toHaveLength(1);
    const pid = helpers[0]!;
    // > 50 ms of CPU burnt (0.1 s at 50% load when the machine is idle; longer when it is not).
    await expect.poll(() => cpuTicks(pid), { timeout: 5000, interval: 100 }).toBeGreaterThan(5);
    await f.revert();
    expect(procState(pid)).toMatch(/gone|Z/);
  });

  it('redis-outage switches the outage on and off', async () => {
    const { t, outage } = await target();
    const f = localFault('redis-outage').prepare(t, fault('redis-outage', 'redis'));
    await f.act();
    await f.revert();
    await f.revert();
    expect(outage).toEqual([true, false]);
  });
});
