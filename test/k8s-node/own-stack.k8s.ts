/**
 * A team's own stack on the real node (issue 17): the flask-stack fixture (a Flask app in the
 * seed's style, its primary model behind a Python model server, Redis as its prediction
 * cache) deployed by its own manifests (test/fixtures/flask-stack/k8s: Deployments, Services
 * and an HPA labelled app.kubernetes.io/name, not the project's overlays), described by a
 * stack file with label selectors (stack.kubernetes.ts), and judged by the readiness
 * scenario with every fault done by Chaos Mesh on the pods those labels select: the model
 * server failed, then slowed by a bandwidth limit, then Redis failed. The app must fall back
 * and keep answering; the run passes. The same run against the app with its fallback
 * switched off in its own Deployment fails, naming the SLOs. peakready leaves the team's
 * stack as it found it and no Chaos object behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchV1Api, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { readYamlDocuments } from '../../src/contract/k8s-objects.js';
import { apply, connect, createNamespace, deleteNamespace, until, type TestCluster } from '../k8s/helpers/cluster.js';
import { clusterPrometheus, peakready, REPO, runWithJournal, STACK_IMAGE } from './helpers/real-node.js';

const MANIFESTS = join(REPO, 'test/fixtures/flask-stack/k8s');
const SCENARIO = join(REPO, 'test/fixtures/flask-stack/readiness.kubernetes.ts');
const CHAOS_KINDS = ['podchaos', 'networkchaos'];

describe("a team's own stack on the real node", () => {
  let c: TestCluster;
  let ns: string;
  const out = mkdtempSync(join(tmpdir(), 'peakready-own-stack-'));

  const ready = async (): Promise<boolean> => {
    const ds = (await c.apps.listNamespacedDeployment({ namespace: ns })).items;
    return ds.length === 3 && ds.every((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.status?.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1));
  };
  const chaosLeft = async (): Promise<string[]> => {
    const left: string[] = [];
    for (const plural of CHAOS_KINDS) {
      const list = (await c.custom.listNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural })) as { items: { metadata: { name: string } }[] };
      left.push(...list.items.map((i) => `${plural}/${i.metadata.name}`));
    }
    return left;
  };
  const run = async (name: string, extra: string[] = []) => {
    const r = await runWithJournal([SCENARIO, '--platform', 'kubernetes', '--context', c.context, '--namespace', ns, '--prometheus-url', clusterPrometheus(), ...extra], join(out, name));
    // The team's stack is where it was: peakready deletes nothing of it, and leaves no Chaos object.
    expect((await c.apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => d.metadata?.name).sort()).toEqual(['app', 'model-server', 'redis']);
    await until('no Chaos object of the run left', async () => ((await chaosLeft()).length === 0 ? true : undefined), { describe: async () => (await chaosLeft()).join(', ') });
    return r;
  };

  beforeAll(async () => {
    c = connect();
    ns = await createNamespace(c, 'flask-seed');
    // The team's own manifests, as `kubectl -n <ns> apply -f k8s/` would apply them.
    for (const file of readdirSync(MANIFESTS).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const doc of readYamlDocuments(join(MANIFESTS, file)) as KubernetesObject[]) {
        await apply(c, { ...doc, metadata: { ...doc.metadata, namespace: ns } });
      }
    }
    await until('the app, the model server and Redis ready', async () => (await ready()) || undefined, {
      timeoutMs: 180_000,
      describe: async () => JSON.stringify((await c.core.listNamespacedPod({ namespace: ns })).items.map((p) => [p.metadata?.name, p.status?.phase, p.status?.containerStatuses?.map((s) => s.state)])),
    });
  }, 240_000);
  afterAll(async () => {
    await deleteNamespace(c, ns);
    rmSync(out, { recursive: true, force: true });
  });

  it('passes: every fault injected by Chaos Mesh on the labelled pods, the app falls back and keeps answering', async () => {
    const { code, stderr, journal } = await run('intact');
    const failed = journal.slos.filter((s) => s.status !== 'pass').map((s) => `${s.name}: ${s.status} ${s.observed ?? ''}`);
    expect(failed, stderr.slice(-2500)).toEqual([]);
    expect(journal.faults.map((f) => [f.id, f.kind, f.notInjected ?? 'injected'])).toEqual([
      ['model-frozen', 'unavailable', 'injected'],
      ['model-slow', 'bandwidth', 'injected'],
      ['redis-gone', 'redis-outage', 'injected'],
    ]);
    expect(journal.verdict, journal.reason).toBe('pass');
    expect(code).toBe(0);
    // Classified from the app's own JSON answers: the fallback answered while the model server was down.
    const share = (id: string) => journal.slos.find((s) => s.name === id)?.observed;
    console.info(`own stack on the real node: ${journal.totals.requests} requests; fallback share while frozen ${share('fallback carries the frozen model server')}, while slow ${share('fallback takes over from the slow model server')}; breaker open ${share("the app's breaker to the model server opens when it freezes")}`);
  }, 600_000);

  it("passes with the traffic from 2 runner pods of peakready's image to the app's Service, its answers classified by the stack file's model_type field", async () => {
    const { code, stderr, journal } = await run('runners', ['--load-runners', '2', '--runner-image', STACK_IMAGE]);
    const failed = journal.slos.filter((s) => s.status !== 'pass').map((s) => `${s.name}: ${s.status} ${s.observed ?? ''}`);
    expect(failed, stderr.slice(-2500)).toEqual([]);
    expect(journal.faults.map((f) => f.notInjected ?? 'injected')).toEqual(['injected', 'injected', 'injected']);
    expect([journal.verdict, code]).toEqual(['pass', 0]);
    // The runners' merged data carries the classification: the fallback answered while the model server was frozen.
    const frozen = journal.slos.find((s) => s.name === 'fallback carries the frozen model server');
    expect(frozen?.status).toBe('pass');
    // The traffic came from the runner Job, which is gone after the run.
    expect(stderr).toMatch(/load runners start the traffic at/);
    const jobs = (await c.kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns, labelSelector: 'app=peakready-load' })).items;
    expect(jobs.map((j) => j.metadata?.name)).toEqual([]);
    console.info(`own stack, 2 runner pods: ${journal.totals.requests} requests; fallback share while frozen ${frozen?.observed}`);
  }, 600_000);

  it("capacity of the app at 2 replicas where its manifests deployed it: its HPA held at 2..2 for the search, then put back", async () => {
    const hpaBounds = async () => {
      const h = await c.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'app', namespace: ns });
      return [h.spec?.minReplicas, h.spec?.maxReplicas];
    };
    const before = (await c.apps.readNamespacedDeployment({ name: 'app', namespace: ns })).spec?.replicas;
    expect(await hpaBounds()).toEqual([1, 3]);
    const dir = join(out, 'capacity');
    const r = await peakready([
      'capacity', join(REPO, 'test/fixtures/flask-stack/capacity.kubernetes.ts'), '--service', 'app', '--replicas', '2',
      '--platform', 'kubernetes', '--context', c.context, '--namespace', ns, '--prometheus-url', clusterPrometheus(),
      '--step-duration', '2s', '--warmup', '1s', '--repeats', '1', '--start-rate', '5', '--max-rate', '80', '--precision', '20%', '--out', dir,
    ]);
    expect([0, 1], r.stderr.slice(-2500)).toContain(r.code);
    expect(r.stderr).toContain('app: Deployment/app at 2 replicas (was 1), held there by HorizontalPodAutoscaler/app');
    const result = JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')) as { service: string; settings: { replicas: number }; route: { mode: string; note: string }; steps: unknown[]; stack?: { name: string } };
    expect([result.service, result.settings.replicas, result.route.mode, result.stack?.name]).toEqual(['app', 2, 'entry', 'flask-seed']);
    expect(result.route.note).toContain("app's workload and the HPAs that scale it were held at the search's replicas");
    expect(result.steps.length).toBeGreaterThan(2);
    // Put back: the HPA's bounds and the Deployment's replica count as they were.
    expect(await hpaBounds()).toEqual([1, 3]);
    expect((await c.apps.readNamespacedDeployment({ name: 'app', namespace: ns })).spec?.replicas).toBe(before);
    console.info(`own stack capacity on the real node: ${r.stdout.trim().split('\n').slice(-3).join(' | ')}`);
  }, 600_000);

  it("fails with the app's fallback switched off in its own Deployment, naming the SLOs", async () => {
    const app = await c.apps.readNamespacedDeployment({ name: 'app', namespace: ns });
    const env = [...(app.spec!.template.spec!.containers[0]!.env ?? []), { name: 'FALLBACK_ENABLED', value: '0' }];
    const patch: V1Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: ns }, spec: { selector: app.spec!.selector, template: { ...app.spec!.template, spec: { ...app.spec!.template.spec!, containers: [{ ...app.spec!.template.spec!.containers[0]!, env }] } } } };
    await apply(c, patch);
    await until('the app rolled out without its fallback', async () => (await ready()) || undefined, { timeoutMs: 180_000 });
    const { code, journal } = await run('no-fallback');
    expect(code, journal.reason).toBe(1);
    expect(journal.verdict).toBe('fail');
    const failed = journal.slos.filter((s) => s.status === 'fail').map((s) => s.name);
    // The app's breaker (its fallback decision, read by the stack file's PromQL from the cluster's Prometheus) never opens either.
    expect(failed).toEqual(expect.arrayContaining(['every answer is a prediction', 'fallback carries the frozen model server', "the app's breaker to the model server opens when it freezes"]));
  }, 600_000);
});
