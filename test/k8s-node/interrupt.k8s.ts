/**
 * SIGINT in the middle of `peakready run --platform kubernetes` on the real node, with a
 * NetworkChaos and a PodChaos confirmed injected, load-runner pods sending traffic and the
 * tabular canary paused by Argo Rollouts: the harness exits 130 and leaves nothing behind (no
 * Chaos object, Job, load-runner pod, Rollout or other pod of the run), and
 * `peakready clean --platform kubernetes` then finds nothing to do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';
import { connect, deleteNamespace, until, type TestCluster } from '../k8s/helpers/cluster.js';
import { peakready, REPO, TEST_OVERLAY } from './helpers/real-node.js';

const SCENARIO = join(REPO, 'test/k8s-node/fixtures/real-node-interrupt.ts');
const CHAOS = { group: 'chaos-mesh.org', version: 'v1alpha1' };
const ARGO = { group: 'argoproj.io', version: 'v1alpha1' };

interface ChaosItem {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { experiment?: { desiredPhase?: string; containerRecords?: { phase?: string }[] } };
}
interface RolloutItem {
  metadata: { name: string };
  spec?: { paused?: boolean };
  status?: { currentStepIndex?: number; pauseConditions?: { reason: string }[]; phase?: string };
}

describe('SIGINT during a Kubernetes run on the real node', () => {
  let c: TestCluster;
  let child: ChildProcess | undefined;
  const ns = `interrupt-${Date.now().toString(36)}`;
  const out = mkdtempSync(join(tmpdir(), 'peakready-interrupt-'));

  const chaos = async (plural: string): Promise<ChaosItem[]> =>
    ((await c.custom.listNamespacedCustomObject({ ...CHAOS, namespace: ns, plural })) as { items: ChaosItem[] }).items;
  /** Every record of the run's objects of that kind injected (Chaos Mesh's own status). */
  const injected = (items: ChaosItem[]) =>
    items.length > 0 && items.every((i) => i.status?.experiment?.desiredPhase === 'Run' && (i.status.experiment.containerRecords ?? []).length > 0 && i.status.experiment.containerRecords!.every((r) => r.phase === 'Injected'));
  const rollouts = async (): Promise<RolloutItem[]> => ((await c.custom.listNamespacedCustomObject({ ...ARGO, namespace: ns, plural: 'rollouts' })) as { items: RolloutItem[] }).items;
  const runnerPods = async () => (await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=peakready-load' })).items;

  beforeAll(() => {
    c = connect();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await deleteNamespace(c, ns);
    rmSync(out, { recursive: true, force: true });
  });

  it('exits 130 and leaves no Chaos object, Job, runner pod or paused Rollout; clean then finds nothing', async () => {
    const args = ['run', SCENARIO, '--platform', 'kubernetes', '--overlay', TEST_OVERLAY, '--context', c.context, '--namespace', ns, '--out', out, '--load-runners', '2', '--disable', 'analysis'];
    child = spawn(process.execPath, [join(REPO, 'dist/cli/main.js'), ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    const state = async () =>
      JSON.stringify({
        networkchaos: (await chaos('networkchaos').catch(() => [])).map((i) => i.status?.experiment),
        podchaos: (await chaos('podchaos').catch(() => [])).map((i) => i.status?.experiment),
        rollouts: (await rollouts().catch(() => [])).map((r) => r.status),
        runners: (await runnerPods().catch(() => [])).map((p) => `${p.metadata?.name} ${p.status?.phase}`),
        output: output.slice(-1500),
      });

    // Everything live at once: both faults confirmed by Chaos Mesh, runner pods running, the canary paused.
    await until(
      'both faults injected, the runner pods running and the tabular canary paused',
      async () => {
        if (child!.exitCode !== null) throw new Error(`the run ended before the interrupt (exit ${child!.exitCode}): ${output.slice(-2000)}`);
        const [net, pod, ro, runners] = await Promise.all([chaos('networkchaos'), chaos('podchaos'), rollouts(), runnerPods()]);
        const tabular = ro.find((r) => r.metadata.name === 'tabular');
        const paused = (tabular?.status?.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep');
        return injected(net) && injected(pod) && paused && runners.filter((p) => p.status?.phase === 'Running').length === 2;
      },
      { timeoutMs: 420_000, intervalMs: 500, describe: state },
    );
    const live = { networkchaos: (await chaos('networkchaos')).length, podchaos: (await chaos('podchaos')).length };
    expect(live).toEqual({ networkchaos: 1, podchaos: 1 });

    const signalled = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    const tookMs = Date.now() - signalled;
    console.info(`real node: SIGINT with 2 Chaos objects live, the canary paused and 2 runner pods: exit ${code} after ${(tookMs / 1000).toFixed(1)} s`);
    expect(code, output.slice(-3000)).toBe(130);

    // The journal says the run was interrupted, and both faults were reverted.
    const journal = JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')) as Journal;
    expect(journal.status).toBe('interrupted');
    expect(journal.faults.map((f) => [f.id, f.notInjected ?? 'injected'])).toEqual([
      ['fallback-cut', 'injected'],
      ['triton-down', 'injected'],
    ]);
    // Reverted at the interrupt, well before their planned end at 65 s.
    for (const f of journal.faults) expect(f.endMs, f.id).toBeLessThan(65_000);

    // What the harness deleted before it exited is gone (finalizers done), nothing else is left.
    await until(
      'no Chaos object, Job, pod or Rollout of the run',
      async () => {
        const left = [
          ...(await chaos('networkchaos')).map((i) => `NetworkChaos/${i.metadata.name}`),
          ...(await chaos('podchaos')).map((i) => `PodChaos/${i.metadata.name}`),
          ...(await c.objects.list('batch/v1', 'Job', ns)).items.map((j) => `Job/${j.metadata?.name}`),
          ...(await rollouts()).map((r) => `Rollout/${r.metadata.name}${r.spec?.paused || r.status?.pauseConditions?.length ? ' (paused)' : ''}`),
          ...(await c.core.listNamespacedPod({ namespace: ns })).items.map((p) => `Pod/${p.metadata?.name}`),
        ];
        return left.length === 0 ? true : undefined;
      },
      { timeoutMs: 120_000, describe: state },
    );

    const clean = await peakready(['clean', '--platform', 'kubernetes', '--context', c.context, '--namespace', ns]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout.trim()).toBe('nothing to clean');
  }, 900_000);
});
