/**
 * The flash-sale scale-out inside `peakready run --platform kubernetes` on the real node, done
 * by the cluster's own HPA on inference_requests_per_second (served by prometheus-adapter from
 * the cluster Prometheus), with the traffic from a load-runner pod: the run passes with tabular scaled out; with `--disable autoscaler`
 * (the run deploys no HPA) it fails, naming the scale-out SLO, as on the local platform.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { connect, deleteNamespace, type TestCluster } from '../k8s/helpers/cluster.js';
import { REPO, runWithJournal, TEST_OVERLAY } from './helpers/real-node.js';

const SCENARIO = join(REPO, 'test/k8s-node/fixtures/real-node-flash-sale.ts');
const SCALE_OUT = 'tabular scales out for the flash sale';

describe('flash-sale scale-out by the HPA on the real node', () => {
  let c: TestCluster;
  const out = mkdtempSync(join(tmpdir(), 'peakready-flash-'));
  const namespaces: string[] = [];

  const run = async (name: string, extra: string[] = []) => {
    const ns = `flash-${name}-${Date.now().toString(36)}`;
    namespaces.push(ns);
    return runWithJournal([SCENARIO, '--platform', 'kubernetes', '--overlay', TEST_OVERLAY, '--context', c.context, '--namespace', ns, '--load-runners', '1', ...extra], join(out, name));
  };
  /** The replicas events of tabular the run recorded (from the HPA's status). */
  const scaling = (j: Journal) => j.events.filter((e) => e.type === 'replicas' && (e.data as { service?: string } | undefined)?.service === 'tabular').map((e) => `${(e.atMs / 1000).toFixed(1)} s: ${e.message}`);

  beforeAll(() => {
    c = connect();
  });
  afterAll(async () => {
    for (const ns of namespaces) await deleteNamespace(c, ns);
    rmSync(out, { recursive: true, force: true });
  });

  it('passes: the HPA scales tabular out on its request rate during the sale', async () => {
    const { code, stderr, journal } = await run('hpa');
    const failed = journal.slos.filter((s) => s.status !== 'pass').map((s) => `${s.name}: ${s.status} ${s.observed ?? ''}`);
    console.info(`real node flash sale: ${scaling(journal).join('; ')}`);
    expect(failed, stderr.slice(-2500)).toEqual([]);
    expect(code, journal.reason).toBe(0);
    // The cluster's HPA did it, on the Pods metric.
    expect(scaling(journal).join('\n')).toMatch(/inference_requests_per_second/);
  }, 600_000);

  it('with --disable autoscaler it fails, naming the scale-out SLO', async () => {
    const { code, journal } = await run('no-hpa', ['--disable', 'autoscaler']);
    expect(code, journal.reason).toBe(1);
    expect(journal.slos.filter((s) => s.status === 'fail').map((s) => s.name)).toEqual([SCALE_OUT]);
    expect(scaling(journal)).toEqual([]);
  }, 600_000);
});
