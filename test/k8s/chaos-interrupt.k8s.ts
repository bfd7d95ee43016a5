/**
 * Chaos resources are always deleted: a harness interrupted by SIGINT reverts its fault
 * through the teardown stack before it exits 130, and one killed by SIGKILL leaves a
 * resource that `peakready clean --platform kubernetes` sweeps by its run-id label.
 * Both drive the built kubernetes platform (dist/) in real child processes. A fault counts as
 * injected only when Chaos Mesh confirms it on a selected pod, so the namespace gets the
 * target workloads (kwok pods) and the faults are ones the controller performs itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { apply, connect, createNamespace, deleteNamespace, until, type TestCluster } from './helpers/cluster.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/inject-until-signal.mjs', import.meta.url));
const GROUP = 'chaos-mesh.org';

let c: TestCluster;
let ns: string;
const children: ChildProcess[] = [];

interface Harness {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startHarness(kind: string, target: string): Harness {
  const child = spawn(process.execPath, [FIXTURE, ns, c.context, kind, target], { cwd: REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

async function chaosNames(plural: string): Promise<string[]> {
  const res = (await c.custom.listNamespacedCustomObject({ group: GROUP, version: 'v1alpha1', namespace: ns, plural, labelSelector: 'peakready.io/run-id' })) as {
    items: { metadata: { name: string; deletionTimestamp?: string } }[];
  };
  return res.items.filter((i) => !i.metadata.deletionTimestamp).map((i) => i.metadata.name);
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { cwd: REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'interrupt');
  for (const app of ['tabular', 'fallback']) {
    const d: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app } },
        template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: 'registry.invalid/none:0' }] } },
      },
    };
    await apply(c, d);
  }
  await until('2 ready pods of tabular and of fallback', async () => {
    const pods = (await c.core.listNamespacedPod({ namespace: ns })).items.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    return pods.length >= 4 ? true : undefined;
  });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (c) await deleteNamespace(c, ns);
});

describe('chaos cleanup when the harness is interrupted', () => {
  it('SIGINT: the harness deletes its PodChaos before it exits 130', async () => {
    const h = startHarness('unavailable', 'tabular');
    await until('the harness to inject its fault', async () => h.output().includes('injected') || undefined, {
      describe: async () => h.output(),
    });
    expect(await chaosNames('podchaos')).toHaveLength(1);
    h.child.kill('SIGINT');
    const exit = await h.exited;
    expect(exit.code, h.output()).toBe(130);
    expect(h.output()).toContain('reverted cleanly');
    await until('the PodChaos to be gone', async () => ((await chaosNames('podchaos')).length === 0 ? true : undefined));
  });

  it('SIGKILL: the fault outlives the harness, and `peakready clean --platform kubernetes` sweeps it', async () => {
    // A fault that lasts (an instantaneous kill-replica is over, its PodChaos deleted, once confirmed).
    const h = startHarness('unavailable', 'fallback');
    await until('the harness to inject its fault', async () => h.output().includes('injected') || undefined, {
      describe: async () => h.output(),
    });
    h.child.kill('SIGKILL');
    await h.exited;
    const left = await chaosNames('podchaos');
    expect(left).toHaveLength(1);
    const clean = await runCli(['clean', '--platform', 'kubernetes', '--context', c.context, '--namespace', ns]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout + clean.stderr).toContain(left[0]!);
    await until('the swept PodChaos to be gone', async () => ((await chaosNames('podchaos')).length === 0 ? true : undefined));
  });

  it('`peakready clean` refuses a context the kubeconfig does not name (exit 2)', async () => {
    const clean = await runCli(['clean', '--platform', 'kubernetes', '--context', 'production', '--namespace', ns]);
    expect(clean.code).toBe(2);
    expect(clean.stderr).toContain('production');
  });
});
