/**
 * Chaos Mesh resources against the real API server (CRDs from deploy/crds) and,
 * when scripts/k8s/up.sh started it, the real Chaos Mesh controller-manager: every
 * template of chaos/ is accepted, deleted by the teardown stack and by the label sweep;
 * a pod-kill removes a pod and the ReplicaSet replaces it.
 *
 * Only pod-kill acts here: it works through the API. The other kinds need the chaos
 * daemon on the node, which fake nodes do not have, so their selectors match no pod
 * (nothing is ever sent to a node address).
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { chaosDir, renderChaosTemplate } from '../../src/faults/chaos-mesh/chaos-template.js';
import { templateValues } from '../../src/faults/chaos-mesh/fault-to-chaos.js';
import { createChaos } from '../../src/platforms/kubernetes/chaos-lifecycle.js';
import { sweepChaos } from '../../src/platforms/kubernetes/chaos-sweep.js';
import { TeardownStack } from '../../src/contract/teardown.js';
import { apiMessage, apply, connect, createNamespace, deleteNamespace, isStatus, until, type TestCluster } from './helpers/cluster.js';

const GROUP = 'chaos-mesh.org';
const VERSION = 'v1alpha1';
const RUN_LABEL = 'peakready.io/run-id';
const controllerRunning = process.env.PEAKREADY_K8S_CHAOS_MESH === '1';

let c: TestCluster;
let ns: string;
const runId = `k8s-test-${Date.now().toString(36)}`;

interface ChaosSpec {
  readonly kind: string;
  readonly plural: string;
  readonly name: string;
  readonly spec: Record<string, unknown>;
}

function manifest(s: ChaosSpec, namespace: string): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: s.kind,
    metadata: { name: s.name, namespace, labels: { [RUN_LABEL]: runId } },
    spec: s.spec,
  };
}

async function listByRun(plural: string): Promise<string[]> {
  const res = (await c.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural, labelSelector: `${RUN_LABEL}=${runId}` })) as {
    items: { metadata: { name: string } }[];
  };
  return res.items.map((i) => i.metadata.name);
}

beforeAll(async () => {
  c = connect();
  ns = await createNamespace(c, 'chaos');
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
});

describe('Chaos Mesh resources', () => {
  it("every template of the project's chaos/ folder is accepted, deleted by teardown, and swept by `peakready clean`", async () => {
    const templates = readdirSync(chaosDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(templates).toEqual(expect.arrayContaining(['pod-kill', 'network-delay', 'http-abort', 'stress-cpu', 'workflow-game-day']));
    // Aimed at a service without pods in this namespace.
    const base = templateValues({ id: 'tpl', kind: 'latency', target: 'tabular', atMs: 0, durationMs: 60_000, params: { latency: '200ms', jitter: '20ms' } }, { runId, namespace: ns });
    const render = (t: string) => renderChaosTemplate(t, { ...base, NAME: `pr-${t}`, FAULT_ID: t });
    // Through the platform's createChaos: checked against peakready's chaos rules, undo registered first.
    const teardown = new TeardownStack();
    for (const t of templates) await createChaos(render(t), { kc: c.kc, namespace: ns, runId, teardown });
    expect(teardown.size).toBe(templates.length);
    const stored = async (): Promise<string[]> =>
      (await Promise.all(['podchaos', 'networkchaos', 'httpchaos', 'stresschaos', 'workflows'].map(listByRun))).flat().filter((n) => n.startsWith('pr-')).sort();
    expect(await stored()).toEqual(templates.map((t) => `pr-${t}`).sort());
    expect(await teardown.unwind()).toEqual([]);
    await until('teardown to delete every template resource', async () => ((await stored()).length === 0 ? true : undefined), { describe: async () => (await stored()).join(', ') });
    // A crashed run leaves them behind; the label sweep removes them.
    for (const t of templates) await createChaos(render(t), { kc: c.kc, namespace: ns, runId });
    const swept = await sweepChaos(c.kc, { namespace: ns, runId });
    expect(swept).toHaveLength(templates.length);
    await until('the sweep to delete every template resource', async () => ((await stored()).length === 0 ? true : undefined), { describe: async () => (await stored()).join(', ') });
  });

  it('a chaos resource with a wrong field is refused by the CRD schema, naming the field', async () => {
    const bad = manifest({ kind: 'PodChaos', plural: 'podchaos', name: 'bad', spec: { action: 'pod-explode', mode: 'one', selector: { namespaces: [ns] } } }, ns);
    const err = await apply(c, bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(apiMessage(err)).toContain('spec.action');
  });

  it(
    'pod-kill removes a pod and the ReplicaSet replaces it (Chaos Mesh controller)',
    async () => {
      // The controller is part of the cluster under test: without it this test fails, it never passes on "nothing happened".
      expect(controllerRunning, 'the Chaos Mesh controller is not running (PEAKREADY_K8S_CHAOS_MESH != 1): build it with scripts/k8s/build.sh chaos-mesh').toBe(true);
      const d: V1Deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'fallback', namespace: ns },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'fallback' } },
          template: { metadata: { labels: { app: 'fallback' } }, spec: { containers: [{ name: 'fallback', image: 'registry.invalid/none:0' }] } },
        },
      };
      await apply(c, d);
      const podNames = async (): Promise<string[]> =>
        (await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=fallback' })).items
          .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'))
          .map((p) => p.metadata?.name ?? '')
          .sort();
      const before = await until('3 ready fallback pods', async () => {
        const names = await podNames();
        return names.length === 3 ? names : undefined;
      });
      const kill = manifest(
        { kind: 'PodChaos', plural: 'podchaos', name: 'kill-one', spec: { action: 'pod-kill', mode: 'one', selector: { namespaces: [ns], labelSelectors: { app: 'fallback' } } } },
        ns,
      );
      await apply(c, kill);
      try {
        const after = await until('a killed pod to be replaced by a new ready one', async () => {
          const names = await podNames();
          return names.length === 3 && names.some((n) => !before.includes(n)) ? names : undefined;
        }, { describe: async () => (await podNames()).join(', ') });
        expect(after.filter((n) => before.includes(n))).toHaveLength(2);
      } finally {
        await c.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'podchaos', name: 'kill-one' });
      }
      await until('the PodChaos to be deleted (its finalizer released)', async () => {
        try {
          await c.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'podchaos', name: 'kill-one' });
          return undefined;
        } catch (err) {
          return isStatus(err, 404) ? true : undefined;
        }
      });
    },
  );
});
