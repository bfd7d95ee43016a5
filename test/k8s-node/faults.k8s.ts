/**
 * Chaos Mesh's daemon on the real node (node-up.sh runs it as the chart does: a privileged
 * DaemonSet with the host's PID namespace and the containerd socket), and what each fault
 * kind that needs it does to real pods, injected through the kubernetes platform exactly as
 * a run injects it (render, apply, wait until Chaos Mesh reports every target injected):
 *   partition   a pod of the target no longer answers the other pods; the node still reaches it
 *   bandwidth   a 200 kB answer of the target takes as long as the rate says
 *   cpu-stress  stress-ng runs in the target container's cgroup: fixed CPU work answers slower,
 *               and no stress-ng is left once the fault is reverted
 *   latency / reset (netem) where the kernel has sch_netem, the delay is seen; where it has not
 *               (this machine's: no modules, "Specified qdisc kind is unknown"), inject fails
 *               naming the daemon's error, and nothing is left behind: a run never passes on it
 *   errors      (HTTPChaos) needs Chaos Mesh's tproxy, which this node's daemon image lacks:
 *               inject fails the same way
 * The target is a small HTTP server in the stack image labelled app=tabular (the catalogue's
 * target name); a second pod (app=client) fetches from it on request.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { PeakreadyError } from '../../src/contract/errors.js';
import { KubernetesPlatform } from '../../src/platforms/kubernetes/kubernetes-platform.js';
import type { ResolvedFault } from '../../src/scenario/fault-spec.js';
import { apply, connect, createNamespace, deleteNamespace, until, type TestCluster } from '../k8s/helpers/cluster.js';
import { ON_REAL_NODE, realNode, STACK_IMAGE, type RealNode } from './helpers/real-node.js';

/**
 * /work: fixed CPU work, about 100 ms (longer than one 100 ms CFS period, so a stressor sharing
 * the container's 1-CPU quota always slows it; an 11 ms piece of work could fall between
 * throttles); /big: 200 kB; /probe?url=: fetches url from inside this pod (1 s timeout).
 */
const SERVER = `
const http = require('http');
const big = Buffer.alloc(200000, 97);
http.createServer(async (q, r) => {
  const u = new URL(q.url, 'http://x');
  if (u.pathname === '/work') { let x = 0; for (let i = 0; i < 2.5e7; i++) x += Math.sqrt(i); return r.end(String(x > 0)); }
  if (u.pathname === '/big') return r.end(big);
  if (u.pathname === '/probe') {
    try { const res = await fetch(u.searchParams.get('url'), { signal: AbortSignal.timeout(1000) }); r.end('ok ' + res.status); }
    catch (e) { r.end('fail ' + e.name); }
    return;
  }
  r.end('ok');
}).listen(8080, '0.0.0.0');`;

function pod(namespace: string, name: string, app: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app } },
    spec: {
      ...ON_REAL_NODE,
      containers: [
        {
          name: 'server',
          image: STACK_IMAGE,
          imagePullPolicy: 'Never',
          command: ['node', '-e', SERVER],
          // One CPU, as a model server's limit: a stressor in its cgroup competes for it.
          resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } },
          readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
        },
      ],
    },
  };
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function timed(url: string, timeoutMs = 30_000): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  return { ms: performance.now() - t0, body };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** stress-ng processes anywhere on this machine (the node shares its PID space with the host). */
function stressProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm.startsWith('stress-ng')) found.push(`${pid} ${comm}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Whether this kernel can create a netem qdisc (what NetworkChaos delay and loss install). */
function kernelHasNetem(): boolean {
  const ns = `peakready-netem-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { stdio: 'pipe' });
    return true;
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
    if (/qdisc kind is unknown/i.test(stderr)) return false;
    throw err;
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

describe('Chaos Mesh faults on real pods of the real node', () => {
  let c: TestCluster;
  let node: RealNode;
  let ns: string;
  let platform: KubernetesPlatform;
  let target: string;
  let client: string;
  let n = 0;
  const fault = (kind: ResolvedFault['kind'], params: Record<string, unknown> = {}, durationMs = 60_000): ResolvedFault => ({ id: `${kind}-${++n}`, kind, target: 'tabular', atMs: 0, durationMs, params });
  const chaosLeft = async (plural: string) =>
    ((await c.custom.listNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural })) as { items: { metadata?: { deletionTimestamp?: string } }[] }).items.filter(
      (o) => !o.metadata?.deletionTimestamp,
    ).length;

  beforeAll(async () => {
    c = connect();
    node = realNode();
    ns = await createNamespace(c, 'faults');
    await apply(c, pod(ns, 'target', 'tabular'));
    await apply(c, pod(ns, 'client', 'client'));
    const ready = await until(
      'target and client pods Ready',
      async () => {
        const pods = (await c.core.listNamespacedPod({ namespace: ns })).items;
        return pods.length === 2 && pods.every(isReady) ? pods : undefined;
      },
      { timeoutMs: 90_000 },
    );
    const ip = (name: string) => ready.find((p) => p.metadata?.name === name)!.status!.podIP!;
    target = `http://${ip('target')}:8080`;
    client = `http://${ip('client')}:8080`;
    platform = new KubernetesPlatform({ context: c.context, namespace: ns, overlay: 'kind', kubeConfig: c.kc, gatewayUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:2', chaosConfirmTimeoutMs: 20_000, pollMs: 250 });
  }, 120_000);

  afterAll(async () => {
    if (c && ns) await deleteNamespace(c, ns);
  });

  it('chaos-daemon runs on the node, privileged in the host PID namespace, where the controller finds it (EndpointSlice of chaos-mesh/chaos-daemon)', async () => {
    const daemons = (await c.core.listNamespacedPod({ namespace: 'chaos-mesh', labelSelector: 'app.kubernetes.io/component=chaos-daemon' })).items;
    expect(daemons.map((p) => [p.spec?.nodeName, isReady(p), p.spec?.hostPID, p.spec?.containers[0]?.securityContext?.privileged])).toEqual([[node.name, true, true, true]]);
    const slices = (await c.objects.list('discovery.k8s.io/v1', 'EndpointSlice', 'chaos-mesh')).items as unknown as { metadata: { name: string }; endpoints?: { nodeName?: string; addresses: string[] }[] }[];
    const endpoint = slices.filter((s) => s.metadata.name.startsWith('chaos-daemon-')).flatMap((s) => s.endpoints ?? []).find((e) => e.nodeName === node.name);
    expect(endpoint?.addresses).toEqual([daemons[0]!.status!.podIP]);
  });

  it('partition: the target stops answering the other pods while the node still reaches it; healed on revert', async () => {
    const probe = async () => (await timed(`${client}/probe?url=${encodeURIComponent(`${target}/`)}`)).body;
    expect(await probe()).toBe('ok 200');
    const revert = await platform.inject(fault('partition'));
    try {
      expect(await probe()).toBe('fail TimeoutError');
      expect((await timed(`${target}/`)).body).toBe('ok');
    } finally {
      await revert();
    }
    await until('the client reaching the target again', async () => (await probe()) === 'ok 200', { timeoutMs: 20_000 });
    expect(await chaosLeft('networkchaos')).toBe(0);
  }, 90_000);

  it('bandwidth: a 200 kB answer of the target takes about size / rate (20 kB/s: ~10 s instead of milliseconds)', async () => {
    const before = await timed(`${target}/big`);
    expect(before.body.length).toBe(200_000);
    expect(before.ms).toBeLessThan(1000);
    const revert = await platform.inject(fault('bandwidth', { rate: 20_000 }));
    let during: { ms: number; body: string };
    try {
      during = await timed(`${target}/big`, 60_000);
    } finally {
      await revert();
    }
    console.info(`bandwidth on the real node: 200 kB in ${before.ms.toFixed(0)} ms before, ${during.ms.toFixed(0)} ms at 20 kB/s`);
    expect(during.body.length).toBe(200_000);
    // tbf lets its burst through first, so a little under 10 s.
    expect(during.ms).toBeGreaterThan(5_000);
    expect(during.ms).toBeLessThan(20_000);
    await until('the full rate back', async () => (await timed(`${target}/big`)).ms < 1000, { timeoutMs: 20_000 });
  }, 120_000);

  it("cpu-stress: stress-ng in the target's cgroup makes its fixed CPU work slower; none is left after revert", async () => {
    const sample = async () => {
      const xs: number[] = [];
      for (let i = 0; i < 9; i++) xs.push((await timed(`${target}/work`)).ms);
      return median(xs);
    };
    const before = await sample();
    const revert = await platform.inject(fault('cpu-stress', { workers: 2, load: 100 }));
    let during: number;
    let stressors: string[];
    try {
      stressors = stressProcesses();
      during = await sample();
    } finally {
      await revert();
    }
    console.info(`cpu-stress on the real node: /work median ${before.toFixed(1)} ms before, ${during.toFixed(1)} ms under 2 workers at 100%; stressors ${stressors.join(', ')}`);
    expect(stressors.length).toBeGreaterThan(0);
    expect(during).toBeGreaterThan(before * 1.5);
    // The daemon stops stress-ng on recovery: nothing of the fault may outlive it.
    await until('no stress-ng left', async () => stressProcesses().length === 0, { timeoutMs: 15_000, describe: async () => stressProcesses().join(', ') });
    expect(await chaosLeft('stresschaos')).toBe(0);
  }, 120_000);

  const netem = [
    { kind: 'latency' as const, params: { latency: '300ms', jitter: '0ms' } },
    { kind: 'reset' as const, params: {} },
  ];
  it.each(netem)('$kind (a netem qdisc): applied where the kernel has netem, else inject fails naming the daemon error and leaves nothing behind', async ({ kind, params }) => {
    if (kernelHasNetem()) {
      const before = await timed(`${target}/`);
      const revert = await platform.inject(fault(kind, params));
      try {
        if (kind === 'latency') expect((await timed(`${target}/`)).ms).toBeGreaterThan(before.ms + 250);
      } finally {
        await revert();
      }
    } else {
      const err = await platform.inject(fault(kind, params, 20_000)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, `${kind} must not count as injected on a kernel without netem`).toBeInstanceOf(PeakreadyError);
      expect((err as PeakreadyError).code).toBe('ENVIRONMENT');
      expect((err as Error).message).toMatch(/NetworkChaos\/.*Chaos Mesh did not confirm it within .*failed: .*unable to set tcs.*the object was deleted/);
      // The target answers as before: nothing half-applied stayed.
      expect((await timed(`${target}/`)).ms).toBeLessThan(250);
    }
    expect(await chaosLeft('networkchaos')).toBe(0);
  }, 90_000);

  it("errors (an HTTPChaos abort): the daemon starts Chaos Mesh's tproxy in the target (nsexec -l), which this node's image cannot (tproxy is a Rust binary published only on GitHub); inject fails with the daemon's error, and the target answers as before", async () => {
    const err = await platform.inject(fault('errors', {}, 20_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    console.info(`errors on the real node: ${err instanceof Error ? err.message : 'injected'}`);
    expect(err).toBeInstanceOf(PeakreadyError);
    expect((err as Error).message).toMatch(/HTTPChaos\/.*Chaos Mesh did not confirm it within .*failed: .*the object was deleted/);
    expect((await timed(`${target}/`)).body).toBe('ok');
    expect(await chaosLeft('httpchaos')).toBe(0);
  }, 90_000);
});
