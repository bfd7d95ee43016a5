import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ReplicaRemovedError, Supervisor } from '../../../src/platforms/local/supervisor.js';
import { isSameProcess } from '../../../src/platforms/local/proc-info.js';
import type { PlatformEvent } from '../../../src/platforms/platform.js';

const FAKE = join(import.meta.dirname, '..', '..', 'fixtures', 'local', 'fake-service.mjs');

function makeSupervisor(events: PlatformEvent[] = []) {
  return new Supervisor({
    specFor: (_svc, version) => ({
      command: process.execPath,
      args: [FAKE, '--port', '0', '--version', version, '--ready-delay-ms', '150'],
      deathLink: 'lifeline',
      ready: { path: '/ready' },
      stopTimeoutMs: 2000,
    }),
    emit: (e) => events.push(e),
  });
}

async function get(port: number, path = '/x'): Promise<{ pid: number; version: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return (await res.json()) as { pid: number; version: string };
}

describe('Supervisor', () => {
  let sup: Supervisor | undefined;
  afterEach(async () => {
    await sup?.shutdown();
  });

  it('starts replicas on announced ports and gates them on /ready', async () => {
    const events: PlatformEvent[] = [];
    sup = makeSupervisor(events);
    const [a, b] = await Promise.all([sup.addReplica('svc', 'v1'), sup.addReplica('svc', 'v1')]);
    expect(a.process.ready && b.process.ready).toBe(true);
    expect(a.process.port).not.toBe(b.process.port);
    expect((await get(a.process.port!)).version).toBe('v1');
    expect(events.filter((e) => e.type === 'ready' && e.ready)).toHaveLength(2);
  });

  it('reports a replica that never becomes ready as a replica-failed event, and forgets it', async () => {
    const events: PlatformEvent[] = [];
    sup = new Supervisor({
      specFor: () => ({ command: process.execPath, args: ['-e', 'process.exit(3)'], deathLink: 'lifeline', ready: { path: '/ready' }, stopTimeoutMs: 2000 }),
      emit: (e) => events.push(e),
      startTimeoutMs: 5000,
    });
    await expect(sup.addReplica('svc', 'v1')).rejects.toThrow(/crashed \d+ times while starting|did not become ready/);
    const failed = events.filter((e) => e.type === 'replica-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ service: 'svc', replica: 'svc-v1-0' });
    expect(sup.replicas('svc')).toHaveLength(0);
  });

  it('a replica removed while it starts (a scale-in) is not a failure: ReplicaRemovedError, no replica-failed event', async () => {
    const events: PlatformEvent[] = [];
    sup = new Supervisor({
      specFor: (_svc, version) => ({ command: process.execPath, args: [FAKE, '--port', '0', '--version', version, '--ready-delay-ms', '3000'], deathLink: 'lifeline', ready: { path: '/ready' }, stopTimeoutMs: 2000 }),
      emit: (e) => events.push(e),
      startTimeoutMs: 10_000,
    });
    // Its outcome is caught from the start: it settles while the removal is awaited.
    const starting = sup.addReplica('svc', 'v1').then(() => undefined, (err: unknown) => err);
    await expect.poll(() => sup!.replicas('svc').length).toBe(1);
    await sup.removeReplica(sup.replicas('svc')[0]!.id);
    expect(await starting).toBeInstanceOf(ReplicaRemovedError);
    expect(events.filter((e) => e.type === 'replica-failed')).toEqual([]);
  });

  it('restarts a SIGKILLed replica and counts the restart', async () => {
    const events: PlatformEvent[] = [];
    sup = makeSupervisor(events);
    const r = await sup.addReplica('svc', 'v1');
    const oldPid = r.process.pid!;
    r.process.signal('SIGKILL');
    await expect.poll(() => r.process.ready && r.process.pid !== oldPid, { timeout: 5000 }).toBe(true);
    expect(sup.restarts('svc')).toBe(1);
    expect(events.some((e) => e.type === 'restart' && e.replica === r.id && e.restarts === 1)).toBe(true);
    expect((await get(r.process.port!)).pid).toBe(r.process.pid);
    // Scaled in afterwards: the restart stays counted (the count never goes down).
    await sup.addReplica('svc', 'v1');
    await sup.removeReplica(r.id);
    expect(sup.replicas('svc')).toHaveLength(1);
    expect(sup.restarts('svc')).toBe(1);
  });

  it('removing a replica stops its process and it is not restarted', async () => {
    sup = makeSupervisor();
    const r = await sup.addReplica('svc', 'v1');
    const pid = r.process.pid!;
    await sup.removeReplica(r.id);
    expect(isSameProcess(pid, undefined)).toBe(false);
    expect(sup.replicas('svc')).toHaveLength(0);
  });
});

describe('Supervisor start failures', () => {
  it('gives up on a replica that crashes while starting, with its last output', async () => {
    const sup = new Supervisor({
      specFor: () => ({
        command: process.execPath,
        args: ['-e', 'console.error("model file missing"); process.exit(1)'],
        deathLink: 'lifeline',
        ready: { path: '/ready' },
      }),
    });
    try {
      await expect(sup.addReplica('svc', 'v1')).rejects.toThrow(/crashed 4 times while starting:[\s\S]*model file missing/);
      expect(sup.replicas('svc')).toHaveLength(0);
    } finally {
      await sup.shutdown();
    }
  });
});
