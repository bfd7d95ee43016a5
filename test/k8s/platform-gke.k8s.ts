/**
 * The gke overlay through the kubernetes platform against the real control plane: its
 * images (Triton, vLLM, MLServer) cannot start here, which fake nodes do not need; its
 * GPU workloads must land on the GPU pool node (the seed's selector and toleration),
 * and Triton's model-repository claim binds to a volume an administrator provisioned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from '../../src/platforms/kubernetes/apply.js';
import { PeakreadyError } from '../../src/contract/errors.js';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import { appliedState, connect, createNamespace, deleteNamespace, eventsOf, isStatus, until, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;
let bare: string;
let pvName: string;
const teardown = new TeardownStack();

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'gke');
  bare = await createNamespace(c, 'gke-no-volume');
  pvName = `model-store-${ns}`;
  // GKE provisions standard-rwx (Filestore) on demand; here an administrator's volume stands in.
  await c.core.createPersistentVolume({
    body: {
      metadata: { name: pvName, labels: { 'peakready.io/test': 'k8s' } },
      spec: {
        capacity: { storage: '1Ti' },
        accessModes: ['ReadWriteMany'],
        storageClassName: 'standard-rwx',
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: ns, name: 'model-store-pvc' },
        hostPath: { path: '/models' },
      },
    },
  });
});
afterAll(async () => {
  await teardown.unwind();
  if (c) {
    await deleteNamespace(c, ns);
    await deleteNamespace(c, bare);
    await c.core.deletePersistentVolume({ name: pvName }).catch((err: unknown) => {
      if (!isStatus(err, 404)) throw err;
    });
  }
});

describe('kubernetes platform on the gke overlay', () => {
  it('up applies the overlay and waits until every workload is Ready on the fake GPU pool; a second apply is idempotent', async () => {
    const p = new KubernetesPlatform({ context: c.context, namespace: ns, overlay: 'gke', kubeConfig: c.kc, gatewayUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:2', readyTimeoutMs: 90_000 });
    await p.up({ stack: {}, timeScale: 0.01, runId: 'k8s-gke-run', teardown });
    const status = await p.status();
    for (const s of status.services) expect(s.ready, `${s.name} ready replicas`).toBe(s.replicas);
    const pods = await c.core.listNamespacedPod({ namespace: ns });
    const gpuPods = pods.items.filter((x) => x.spec?.nodeSelector?.['cloud.google.com/gke-accelerator']);
    expect(gpuPods.length).toBeGreaterThan(0);
    for (const pod of gpuPods) expect(pod.spec?.nodeName, pod.metadata?.name).toBe('kwok-gpu-0');
    const triton = pods.items.find((x) => x.metadata?.labels?.app === 'triton');
    expect(triton?.spec?.containers[0]?.image).toMatch(/tritonserver/);
    const pvc = await c.core.readNamespacedPersistentVolumeClaim({ name: 'model-store-pvc', namespace: ns });
    expect(pvc.status?.phase).toBe('Bound');
    const objects = p.render({ stack: {}, timeScale: 0.01 });
    const first = await applyObjects(p.kc, objects);
    const second = await applyObjects(p.kc, objects);
    expect(appliedState(second, 'peakready')).toEqual(appliedState(first, 'peakready'));
    await p.down();
  });

  it('without the model-store volume, up fails after its timeout naming the workload that is not ready', async () => {
    const teardownBare = new TeardownStack();
    const p = new KubernetesPlatform({ context: c.context, namespace: bare, overlay: 'gke', kubeConfig: c.kc, gatewayUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:2', readyTimeoutMs: 8_000, pollMs: 500 });
    const err = await p.up({ stack: {}, timeScale: 0.01, runId: 'k8s-gke-bare', teardown: teardownBare }).then(
      () => undefined,
      (e: unknown) => e,
    );
    try {
      expect(err).toBeInstanceOf(PeakreadyError);
      const e = err as PeakreadyError;
      expect(e.code).toBe('ENVIRONMENT');
      expect(e.message).toMatch(/^not ready after 8s: .*Deployment\/triton/);
      expect(e.problems.join('\n')).toMatch(/Deployment\/triton: 0\/\d+ replicas ready/);
      expect(e.problems.join('\n')).toMatch(/condition Available=False/);
      // The message carries the pod's own event, where the cause is.
      expect(e.problems.join('\n')).toMatch(/pod triton-[\w-]+ event Warning FailedScheduling: .*unbound.*PersistentVolumeClaims/);
      // The cause a user needs is on the pod: the claim has no volume to bind to.
      const pods = await c.core.listNamespacedPod({ namespace: bare, labelSelector: 'app=triton' });
      const events = await until('a FailedScheduling event on the triton pod', async () => {
        const ev = await eventsOf(c, bare, pods.items[0]?.metadata?.name ?? '');
        return ev.some((x) => x.startsWith('FailedScheduling')) ? ev : undefined;
      });
      expect(events.join('\n')).toMatch(/unbound.*PersistentVolumeClaims|persistentvolumeclaim "model-store-pvc"/i);
    } finally {
      // up registered its teardown before applying: the half-deployed stack goes too.
      expect(teardownBare.size).toBeGreaterThan(0);
      await teardownBare.unwind();
    }
  });
});
