/**
 * The seed's canary done by the cluster's own controller on the real node: `peakready run`
 * deploys tabular v2-bad, Argo Rollouts' controller (a pod on the node, so its analysis
 * resolves prometheus.<ns>.svc through CoreDNS) steps the canary and runs the seed's
 * AnalysisTemplate against the stack's Prometheus; the analysis measures v2-bad's accuracy
 * below 0.9, fails, and Argo aborts the rollout, which the run reads as rolled back.
 * What Argo wrote is watched while the run goes (the run deletes it all at the end).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { connect, deleteNamespace, type TestCluster } from '../k8s/helpers/cluster.js';
import { peakready, REPO, TEST_OVERLAY } from './helpers/real-node.js';

const SCENARIO = join(REPO, 'test/k8s-node/fixtures/real-node-canary.ts');

interface AnalysisRun {
  metadata: { name: string };
  spec: { args?: { name: string; value?: string }[] };
  status?: { phase?: string; metricResults?: { name: string; phase?: string; failed?: number; measurements?: { phase?: string; value?: string }[] }[] };
}
interface Rollout {
  status?: { abort?: boolean; phase?: string; message?: string };
}

describe('the canary on the real node', () => {
  let c: TestCluster;
  const ns = `canary-${Date.now().toString(36)}`;
  const out = mkdtempSync(join(tmpdir(), 'peakready-real-canary-'));

  beforeAll(() => {
    c = connect();
  });
  afterAll(async () => {
    await deleteNamespace(c, ns);
    rmSync(out, { recursive: true, force: true });
  });

  it("Argo's analysis fails v2-bad on its measured accuracy and aborts the rollout; the run passes its rollback SLO", async () => {
    const runs = new Map<string, AnalysisRun>();
    let aborted: Rollout['status'] | undefined;
    const watch = setInterval(() => {
      void c.custom.listNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: ns, plural: 'analysisruns' }).then(
        (l) => {
          for (const r of (l as { items: AnalysisRun[] }).items) runs.set(r.metadata.name, r);
        },
        () => undefined,
      );
      void c.custom.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: ns, plural: 'rollouts', name: 'tabular' }).then(
        (r) => {
          const status = (r as Rollout).status;
          if (status?.abort) aborted ??= status;
        },
        () => undefined,
      );
    }, 1000);
    let r: Awaited<ReturnType<typeof peakready>>;
    try {
      r = await peakready(['run', SCENARIO, '--platform', 'kubernetes', '--overlay', TEST_OVERLAY, '--context', c.context, '--namespace', ns, '--out', out, '--load-runners', '1']);
    } finally {
      clearInterval(watch);
    }
    let journal: Journal;
    try {
      journal = JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')) as Journal;
    } catch {
      throw new Error(`no journal (exit ${r.code}): ${r.stderr.slice(-3000)}`);
    }
    const failed = journal.slos.filter((s) => s.status !== 'pass').map((s) => `${s.name}: ${s.status} ${s.observed ?? ''}`);
    expect(failed, r.stderr.slice(-2000)).toEqual([]);
    expect(journal.verdict, journal.reason).toBe('pass');
    expect(r.code).toBe(0);

    // Argo's own record: an AnalysisRun of the seed's template, against the stack's Prometheus by
    // its namespaced name, failed on model-accuracy measurements below 0.9.
    const all = [...runs.values()];
    console.info(`real node canary: ${all.map((a) => `${a.metadata.name} ${a.status?.phase} ${JSON.stringify(a.status?.metricResults?.map((m) => [m.name, m.phase, m.measurements?.map((x) => x.value)]))}`).join('; ')}; rollout ${JSON.stringify(aborted)}`);
    const run = all.find((a) => a.status?.phase === 'Failed');
    expect(run, 'an AnalysisRun that failed').toBeDefined();
    expect(run!.spec.args?.find((a) => a.name === 'prometheus-address')?.value).toBe(`http://prometheus.${ns}.svc:9090`);
    expect(run!.spec.args?.find((a) => a.name === 'model-version')?.value).toBe('v2-bad');
    const accuracy = run!.status!.metricResults!.find((m) => m.name === 'model-accuracy')!;
    expect(accuracy.phase).toBe('Failed');
    const values = (accuracy.measurements ?? []).filter((m) => m.phase === 'Failed').map((m) => Number(/[\d.]+/.exec(m.value ?? '')?.[0]));
    expect(values.length).toBeGreaterThanOrEqual(4); // failureLimit 3
    for (const v of values) expect(v).toBeLessThan(0.9);
    // And the rollout: aborted by Argo, not by the harness.
    expect(aborted?.abort).toBe(true);
  }, 600_000);
});
