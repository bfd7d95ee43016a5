/**
 * The real node of scripts/k8s/node-up.sh (containerd, kubelet, kube-proxy, CoreDNS on
 * this machine): the stack image, assembled locally by scripts/k8s/image.sh from the files
 * deploy/Dockerfile also copies, runs with imagePullPolicy Never and passes real HTTP
 * probes; its ClusterIP Service answers from the host through kube-proxy, and a pod
 * reaches it by name through CoreDNS. A missing node is a failure, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { ON_REAL_NODE as onRealNode, realNode, REPO, STACK_IMAGE, stackServiceWorkload, type RealNode } from './helpers/real-node.js';
import { apply, connect, createNamespace, deleteNamespace, eventsOf, until, type TestCluster } from '../k8s/helpers/cluster.js';

const IMAGE = STACK_IMAGE;

/** The final stage of deploy/Dockerfile, read independently of image.sh. */
function dockerfileFinalStage(): { copies: string[]; user: string; entrypoint: unknown; workdir: string } {
  const lines = readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0).pop() ?? 0;
  const out = { copies: [] as string[], user: '', entrypoint: undefined as unknown, workdir: '' };
  for (const l of lines.slice(from + 1)) {
    const copy = /^COPY\s+(?:--from=\S+\s+)?(\S+)\s+(\S+)$/i.exec(l);
    if (copy) out.copies.push((copy[2] ?? '').replace(/^\.\//, ''));
    if (/^USER\s/i.test(l)) out.user = l.split(/\s+/)[1] ?? '';
    if (/^WORKDIR\s/i.test(l)) out.workdir = l.split(/\s+/)[1] ?? '';
    if (/^ENTRYPOINT\s/i.test(l)) out.entrypoint = JSON.parse(l.replace(/^ENTRYPOINT\s+/i, ''));
  }
  return out;
}

function imageFiles(): string[] {
  return readFileSync(join(REPO, 'deploy/image-files.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

describe('the stack image', () => {
  it('is built from one list of files: deploy/Dockerfile copies exactly deploy/image-files.txt', () => {
    const df = dockerfileFinalStage();
    expect([...df.copies].sort()).toEqual([...imageFiles()].sort());
  });

  it('has the same user, workdir and entrypoint in the local assembly as in the Dockerfile', () => {
    const df = dockerfileFinalStage();
    const local = JSON.parse(execFileSync('bash', [join(REPO, 'scripts/k8s/image.sh'), 'dockerfile-json'], { encoding: 'utf8' }));
    expect(df.user).toBe('10001:10001');
    expect({ user: local.user, workdir: local.workdir, entrypoint: local.entrypoint, copies: [...local.copies].sort() }).toEqual({
      user: df.user,
      workdir: df.workdir,
      entrypoint: df.entrypoint,
      copies: [...imageFiles()].sort(),
    });
  });
});

describe('a real node', () => {
  let c: TestCluster;
  let ns: string;
  let node: RealNode;

  beforeAll(async () => {
    node = realNode();
    c = connect();
    ns = await createNamespace(c, 'realnode');
  });

  afterAll(async () => {
    if (c) await deleteNamespace(c, ns);
  });

  it('is Ready and runs the locally assembled stack image with imagePullPolicy Never, Ready by real HTTP probes', async () => {
    const { deployment: d, service: svc } = stackServiceWorkload(ns, 'tabular');
    const realNode = await c.core.readNode({ name: node.name });
    expect(realNode.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
    await apply(c, d);
    await apply(c, svc);
    const pod = await until(
      'the tabular pod on the real node to be Ready',
      async () => {
        const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=tabular' });
        return pods.items.find((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      },
      {
        timeoutMs: 120_000,
        describe: async () => {
          const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=tabular' });
          const p = pods.items[0];
          return p ? `${JSON.stringify(p.status?.containerStatuses)} events: ${(await eventsOf(c, ns, p.metadata?.name ?? '')).join('; ')}` : 'no pod';
        },
      },
    );
    expect(pod.spec?.nodeName).toBe(node.name);
    // A real container: a pod IP from the node's CNI bridge, an image ID from containerd.
    expect(pod.status?.podIP?.startsWith(node.ip.replace(/\.1$/, '.'))).toBe(true);
    expect(pod.status?.containerStatuses?.[0]?.imageID).toMatch(/sha256:/);
  });

  it('answers through its ClusterIP Service from the host (kube-proxy)', async () => {
    const svc = await c.core.readNamespacedService({ name: 'tabular', namespace: ns });
    const res = await until('tabular through its ClusterIP', async () => {
      const r = await fetch(`http://${svc.spec?.clusterIP}:8080/v2/health/ready`, { signal: AbortSignal.timeout(2000) });
      return r.status === 200 ? r : undefined;
    });
    expect(await res.json()).toBeTruthy();
  });

  it('resolves the Service by name from another pod (CoreDNS through the kube-dns Service)', async () => {
    const url = `http://tabular.${ns}.svc.cluster.local:8080/health`;
    const client: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dns-client', namespace: ns },
      spec: {
        ...onRealNode,
        restartPolicy: 'Never',
        containers: [
          {
            name: 'client',
            image: IMAGE,
            imagePullPolicy: 'Never',
            command: ['node', '-e', `fetch(${JSON.stringify(url)}).then((r) => process.exit(r.status === 200 ? 0 : 1), (e) => { console.error(e); process.exit(1); })`],
          },
        ],
      },
    };
    await apply(c, client);
    const done = await until(
      'the DNS client pod to finish',
      async () => {
        const p = await c.core.readNamespacedPod({ name: 'dns-client', namespace: ns });
        return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(done.status?.phase).toBe('Succeeded');
  });
});
