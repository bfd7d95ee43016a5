/**
 * Both fault back ends implement one `Fault` interface and go through the same bookkeeping
 * (src/faults/active-faults.ts): prepare changes nothing, act resolves only once the back
 * end confirmed the fault, the start edge carries the confirmation time, a fault that is not
 * confirmed is reverted before the error reaches the caller. The cluster capability here
 * records calls and serves Chaos Mesh statuses; the real API server case is in
 * test/k8s/chaos-confirm.k8s.ts.
 */
import { describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { ActiveFaults } from '../../../src/faults/active-faults.js';
import type { ChaosObjectTarget } from '../../../src/faults/chaos-mesh/backend.js';
import type { ChaosStatus } from '../../../src/faults/chaos-mesh/chaos-confirmation.js';
import type { PreparedFault } from '../../../src/faults/fault.js';
import { chaosMeshFault, LOCAL_FAULTS } from '../../../src/faults/registry.js';
import { CHAOS_MESH_FAULTS } from '../../../src/faults/chaos-mesh/backend.js';
import { FAULT_KINDS, type ResolvedFault } from '../../../src/scenario/fault-spec.js';

const INJECTED: ChaosStatus = { conditions: [{ type: 'Selected', status: 'True' }, { type: 'AllInjected', status: 'True' }], experiment: { containerRecords: [{ id: 'ns/redis-0', phase: 'Injected', injectedCount: 1 }] } };

function cluster(statuses: (ChaosStatus | undefined)[]): ChaosObjectTarget & { calls: string[] } {
  const calls: string[] = [];
  let n = 0;
  return {
    calls,
    namespace: 'shop',
    runId: 'run-1',
    confirmTimeoutMs: 200,
    confirmPollMs: 10,
    async apply(o) {
      calls.push(`apply ${o.kind}/${o.metadata.name}`);
    },
    async remove(o) {
      calls.push(`delete ${o.kind}/${o.metadata.name}`);
    },
    async readStatus() {
      calls.push('read');
      return statuses[Math.min(n++, statuses.length - 1)];
    },
  };
}

const slowRedis: ResolvedFault = { id: 'slow-redis', kind: 'latency', target: 'redis', atMs: 0, durationMs: 30_000, params: { latency: '200ms' } };

describe('one Fault interface, two back ends', () => {
  it('every kind of the vocabulary has a local and a Chaos Mesh back end', () => {
    expect(Object.keys(LOCAL_FAULTS).sort()).toEqual([...FAULT_KINDS].sort());
    expect(Object.keys(CHAOS_MESH_FAULTS).sort()).toEqual([...FAULT_KINDS].sort());
    for (const k of FAULT_KINDS) expect(CHAOS_MESH_FAULTS[k].kind).toBe(k);
  });

  it('Chaos Mesh prepare checks the target against the catalogue and touches nothing', () => {
    const c = cluster([INJECTED]);
    expect(() => chaosMeshFault('errors').prepare(c, { ...slowRedis, id: 'x', kind: 'errors' })).toThrow(/faults\.x\.target: expected one of gateway, tabular, fallback, triton, generative, got "redis"/);
    chaosMeshFault('latency').prepare(c, slowRedis);
    expect(c.calls).toEqual([]);
    expect(() => chaosMeshFault('nope')).toThrow(PeakreadyError);
  });

  it('Chaos Mesh act applies the NetworkChaos and resolves only when every target is injected; revert deletes it once', async () => {
    const c = cluster([undefined, undefined, INJECTED]);
    const p = chaosMeshFault('latency').prepare(c, slowRedis);
    await p.act();
    expect(c.calls).toEqual(['apply NetworkChaos/pr-slow-redis-run-1', 'read', 'read', 'read']);
    await p.revert();
    await p.revert();
    expect(c.calls.filter((x) => x.startsWith('delete'))).toEqual(['delete NetworkChaos/pr-slow-redis-run-1']);
  });
});

describe('ActiveFaults: the bookkeeping both platforms share', () => {
  it('a Chaos object nobody injects: inject rejects with the reason, the object is deleted, no start edge, nothing listed', async () => {
    const edges: string[] = [];
    const active = new ActiveFaults((edge, f) => edges.push(`${edge} ${f.id}`));
    const c = cluster([undefined]);
    const err = await active.inject(slowRedis, () => chaosMeshFault('latency').prepare(c, slowRedis)).catch((e: unknown) => e);
    expect((err as PeakreadyError).code).toBe('ENVIRONMENT');
    expect((err as Error).message).toMatch(/NetworkChaos\/pr-slow-redis-run-1 in shop: Chaos Mesh did not confirm it within 0\.2 s: .*has not reported any status.*the object was deleted/);
    expect(c.calls.at(-1)).toBe('delete NetworkChaos/pr-slow-redis-run-1');
    expect(edges).toEqual([]);
    expect(active.list()).toEqual([]);
  });

  it('the start edge is the confirmation, after act resolved; the end edge comes with the first revert only', async () => {
    const order: string[] = [];
    let confirm!: () => void;
    const prepared: PreparedFault = {
      act: () => new Promise<void>((r) => (confirm = () => (order.push('confirmed'), r()))),
      revert: async () => void order.push('reverted'),
    };
    const active = new ActiveFaults((edge, _f, t) => order.push(`${edge}@${t >= confirmedAt ? 'after' : 'before'}`));
    let confirmedAt = Number.POSITIVE_INFINITY;
    const injecting = active.inject(slowRedis, () => prepared);
    await new Promise((r) => setTimeout(r, 20));
    expect(active.list().map((f) => f.id)).toEqual(['slow-redis']); // known before it acts: `down` reverts a half-done injection
    confirmedAt = Date.now();
    confirm();
    const revert = await injecting;
    await revert();
    await revert();
    expect(order).toEqual(['confirmed', 'start@after', 'reverted', 'end@after', 'reverted']);
    expect(active.list()).toEqual([]);
  });

  it('an instantaneous fault (kill-replica) is over once it acted; a second fault with an active id is refused', async () => {
    const edges: string[] = [];
    const active = new ActiveFaults((edge, f) => edges.push(`${edge} ${f.id}`));
    const noop = (): PreparedFault => ({ act: async () => undefined, revert: async () => undefined });
    await active.inject({ id: 'kill', kind: 'kill-replica', target: 'tabular', atMs: 0, durationMs: 0, params: {} }, noop);
    expect(edges).toEqual(['start kill', 'end kill']);
    await active.inject(slowRedis, noop);
    await expect(active.inject(slowRedis, noop)).rejects.toThrow(/faults\.slow-redis: a fault with this id is already active/);
    await active.revertAll();
    expect(edges.at(-1)).toBe('end slow-redis');
  });
});
