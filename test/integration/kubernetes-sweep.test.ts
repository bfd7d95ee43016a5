/**
 * The label sweep behind `peakready clean --platform kubernetes`, server-side apply
 * conflicts, and the load-runner Job, against the replaying fake API server on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeakreadyError } from '../../src/contract/errors.js';
import { applyObjects } from '../../src/platforms/kubernetes/apply.js';
import { sweepChaos } from '../../src/platforms/kubernetes/chaos-sweep.js';
import { pinContext } from '../../src/platforms/kubernetes/kube-context.js';
import { FakeApiServer } from '../fixtures/kubernetes/fake-api-server.js';

const chaos = (kind: string, name: string, namespace: string, runId?: string) => ({
  apiVersion: 'chaos-mesh.org/v1alpha1',
  kind,
  metadata: { name, namespace, labels: runId ? { 'peakready.io/run-id': runId } : { owner: 'someone-else' } },
  spec: { duration: '30s' },
});

describe('chaos sweep (peakready clean --platform kubernetes)', () => {
  const server = new FakeApiServer();
  beforeAll(async () => {
    await server.start();
    server.put(chaos('NetworkChaos', 'pr-slow-run-a', 'peakready', 'run-a'));
    server.put(chaos('PodChaos', 'pr-kill-run-a', 'peakready', 'run-a'));
    server.put(chaos('Workflow', 'pr-gameday-run-b', 'staging', 'run-b'));
    server.put(chaos('StressChaos', 'not-ours', 'peakready'));
    server.put({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pr-load-run-a', namespace: 'peakready', labels: { 'peakready.io/run-id': 'run-a' } }, spec: {} });
  });
  afterAll(() => server.stop());

  it('deletes one run\'s chaos and load Job, leaving other runs and unlabelled objects', async () => {
    const kc = pinContext('kind-peakready', server.kubeConfig());
    const deleted = await sweepChaos(kc, { runId: 'run-a' });
    expect(deleted.sort()).toEqual(['Job/pr-load-run-a in peakready', 'NetworkChaos/pr-slow-run-a in peakready', 'PodChaos/pr-kill-run-a in peakready']);
    expect(server.list('Workflow')).toHaveLength(1);
    expect(server.list('StressChaos')).toHaveLength(1);
  });

  it('without a run id sweeps every peakready run in every namespace, and is idempotent', async () => {
    const kc = pinContext('kind-peakready', server.kubeConfig());
    expect(await sweepChaos(kc)).toEqual(['Workflow/pr-gameday-run-b in staging']);
    expect(await sweepChaos(kc)).toEqual([]);
    expect(server.list('StressChaos').map((o) => o.metadata.name)).toEqual(['not-ours']);
  });
});

describe('server-side apply conflicts', () => {
  const server = new FakeApiServer({ autoReady: true });
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gateway', namespace: 'peakready' }, spec: { replicas: 2 } };
  beforeAll(async () => {
    await server.start();
    server.put({ ...deployment, metadata: { ...deployment.metadata, annotations: { 'fake.peakready.io/owned-by': 'kubectl-edit' } } });
  });
  afterAll(() => server.stop());

  it('fails naming the object and suggesting --force-conflicts, and succeeds with force', async () => {
    const kc = pinContext('kind-peakready', server.kubeConfig());
    const err = (await applyObjects(kc, [deployment]).catch((e: unknown) => e)) as PeakreadyError;
    expect(err).toBeInstanceOf(PeakreadyError);
    expect(err.message).toMatch(/^server-side apply of Deployment\/gateway in peakready failed \(HTTP 409\): Apply failed with 1 conflict: conflict with "kubectl-edit"/);
    expect(err.hint).toMatch(/--force-conflicts/);
    await applyObjects(kc, [deployment], { force: true });
    expect(server.requests.at(-1)!.query.get('force')).toBe('true');
  });
});
