/**
 * `peakready run --platform kubernetes` end to end on the real node: the kind overlay's
 * stack deployed and Ready, traffic from load-runner pods (an Indexed Job) through the
 * gateway Service, every tabular pod failed by Chaos Mesh (the gateway falls back), then all
 * of them cut off from the stack by a NetworkChaos partition (applied in the pods by the
 * node's chaos-daemon; the gateway falls back again), one killed later, SLOs judged,
 * everything deleted.
 * The same traffic from three runners and from one gives the same request count and
 * merged percentiles of the same size; a broken SLO makes the run fail with exit 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { connect, deleteNamespace, type TestCluster } from '../k8s/helpers/cluster.js';
import { REPO, runWithJournal, TEST_OVERLAY } from './helpers/real-node.js';

const SCENARIO = join(REPO, 'test/k8s-node/fixtures/real-node-smoke.ts');


describe('peakready run on the real node', () => {
  let c: TestCluster;
  const out = mkdtempSync(join(tmpdir(), 'peakready-real-run-'));
  const namespaces: string[] = [];
  const runs: Record<string, { code: number; stderr: string; journal: Journal }> = {};

  const runOnNode = async (name: string, extra: string[]) => {
    const ns = `run-${name}-${Date.now().toString(36)}`;
    namespaces.push(ns);
    const dir = join(out, name);
    const r = await runWithJournal([SCENARIO, '--platform', 'kubernetes', '--overlay', TEST_OVERLAY, '--context', c.context, '--namespace', ns, ...extra], dir);
    runs[name] = { code: r.code, stderr: r.stderr, journal: r.journal };
    // Nothing of the run is left: the stack, the load Job and the PodChaos are deleted.
    const left = await c.core.listNamespacedPod({ namespace: ns });
    expect(left.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name)).toEqual([]);
    return runs[name]!;
  };

  beforeAll(() => {
    c = connect();
  });
  afterAll(async () => {
    for (const ns of namespaces) await deleteNamespace(c, ns);
    rmSync(out, { recursive: true, force: true });
  });

  it('passes with the traffic from 3 runner pods through the gateway Service, the killed pod replaced, every SLO met', async () => {
    const { code, stderr, journal } = await runOnNode('three', ['--load-runners', '3']);
    const failed = journal.slos.filter((s) => s.status !== 'pass').map((s) => `${s.name}: ${s.status} ${s.observed ?? ''}`);
    expect(failed, stderr.slice(-2000)).toEqual([]);
    expect(journal.verdict, journal.reason).toBe('pass');
    expect(code, journal.reason).toBe(0);
    // The gateway was reached through its Service, never a port-forward to one pod.
    expect(stderr).not.toMatch(/port-forward/);
    // The kill really happened, and the runners' traffic came in at the planned rate.
    expect(journal.faults.map((f) => [f.id, f.notInjected ?? 'injected'])).toEqual([
      ['tabular-down', 'injected'],
      ['tabular-cut', 'injected'],
      ['kill-tabular', 'injected'],
    ]);
    expect(journal.totals.requests).toBeGreaterThanOrEqual(20 * 42 * 0.95);
    // How long Chaos Mesh took to set up the partition (it must within half its 18 s, or the run errors).
    const cut = journal.faults.find((f) => f.id === 'tabular-cut')!;
    console.info(`real node: partition planned at ${cut.requestedMs} ms, confirmed injected at ${cut.startMs} ms`);
  }, 600_000);

  it('one runner with the same traffic: the same request count, merged percentiles of the same size; a broken SLO fails the run with exit 1', async () => {
    const { code, journal } = await runOnNode('one', ['--load-runners', '1', '--slo', 'p99(predict) < 1ms']);
    expect(code, journal.reason).toBe(1);
    expect(journal.verdict).toBe('fail');
    expect(journal.slos.filter((s) => s.status === 'fail').map((s) => s.expression)).toEqual([expect.stringContaining('p99(predict) < 1ms')]);
    const three = runs.three!.journal;
    // Arrival-rate traffic split by rate: the shares add up to the whole, within one request a runner.
    expect(Math.abs(journal.totals.requests - three.totals.requests)).toBeLessThanOrEqual(3);
    const p50 = (j: Journal) => j.endpoints.find((e) => e.endpoint === 'predict')!.latency.p50;
    const ratio = p50(three) / p50(journal);
    console.info(`real node: 3 runners ${three.totals.requests} requests, predict p50 ${p50(three).toFixed(1)} ms; 1 runner ${journal.totals.requests} requests, predict p50 ${p50(journal).toFixed(1)} ms`);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 600_000);
});
