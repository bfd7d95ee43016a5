/**
 * An Argo Rollouts canary whose analysis fails aborts, against the real Argo Rollouts
 * controller. The analysis uses the `web` provider pointed at a loopback HTTP endpoint
 * this test controls (the model-accuracy check of the seed's AnalysisTemplate).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, connect, createNamespace, deleteNamespace, until, type TestCluster } from './helpers/cluster.js';

let c: TestCluster;
let ns: string;
let server: Server;
let accuracy = 0.97;
const analysisCalls: number[] = [];

interface RolloutStatus {
  phase?: string;
  abort?: boolean;
  message?: string;
  stableRS?: string;
  currentPodHash?: string;
  availableReplicas?: number;
  canary?: { currentStepAnalysisRunStatus?: { name?: string; status?: string } };
}
interface Rollout {
  metadata?: { generation?: number };
  status?: RolloutStatus;
}

function rollout(version: string): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'tabular', namespace: ns },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 2,
      selector: { matchLabels: { app: 'tabular' } },
      template: {
        metadata: { labels: { app: 'tabular', version } },
        spec: { containers: [{ name: 'tabular', image: `peakready/stack:${version}`, args: ['tabular'] }] },
      },
      strategy: {
        canary: {
          steps: [
            { setWeight: 50 },
            {
              analysis: {
                templates: [{ templateName: 'model-accuracy' }],
                args: [{ name: 'url', value: `http://127.0.0.1:${(server.address() as AddressInfo).port}/accuracy` }],
              },
            },
            { setWeight: 100 },
          ],
        },
      },
    },
  };
}

const template = (): Record<string, unknown> => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'model-accuracy', namespace: ns },
  spec: {
    args: [{ name: 'url' }],
    metrics: [
      {
        name: 'model-accuracy',
        count: 1,
        failureLimit: 0,
        successCondition: 'result >= 0.9',
        provider: { web: { url: '{{args.url}}', jsonPath: '{$.accuracy}', timeoutSeconds: 5 } },
      },
    ],
  },
});

async function readRollout(): Promise<Rollout> {
  return (await c.custom.getNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespace: ns,
    plural: 'rollouts',
    name: 'tabular',
  })) as Rollout;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    analysisCalls.push(Date.now());
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ accuracy }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  c = connect();
  ns = await createNamespace(c, 'rollout');
});
afterAll(async () => {
  if (c) await deleteNamespace(c, ns);
  await new Promise((r) => server?.close(r));
});

describe('Argo Rollouts canary with a web analysis', () => {
  it('the first revision becomes Healthy and stable on fake nodes', async () => {
    await apply(c, template());
    await apply(c, rollout('v1'));
    const r = await until('rollout tabular v1 to be Healthy', async () => {
      const got = await readRollout();
      return got.status?.phase === 'Healthy' && got.status.availableReplicas === 2 ? got : undefined;
    }, { describe: async () => JSON.stringify((await readRollout()).status) });
    expect(r.status?.stableRS).toBe(r.status?.currentPodHash);
  });

  it('a new version whose analysis fails is aborted and the stable version keeps serving', async () => {
    const stable = (await readRollout()).status?.stableRS;
    accuracy = 0.42;
    const started = Date.now();
    await apply(c, rollout('v2'));
    const aborted = await until('rollout tabular v2 to abort', async () => {
      const got = await readRollout();
      return got.status?.abort === true && got.status.phase === 'Degraded' ? got : undefined;
    }, { describe: async () => JSON.stringify((await readRollout()).status) });
    const abortMs = Date.now() - started;
    // The controller called the test's endpoint, and the verdict came from its answer.
    expect(analysisCalls.length).toBeGreaterThan(0);
    expect(aborted.status?.message).toMatch(/RolloutAborted/);
    expect(aborted.status?.message).toMatch(/model-accuracy/);
    expect(aborted.status?.stableRS).toBe(stable);
    const runs = (await c.custom.listNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'analysisruns',
    })) as { items: { status?: { phase?: string; metricResults?: { measurements?: { value?: string }[] }[] } }[] };
    const failed = runs.items.find((run) => run.status?.phase === 'Failed');
    expect(failed?.status?.metricResults?.[0]?.measurements?.[0]?.value).toBe('0.42');
    // Rolled back: every ready pod is the stable version again.
    await until('the canary pods to be removed', async () => {
      const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=tabular,version=v2' });
      return pods.items.every((p) => p.metadata?.deletionTimestamp) ? true : undefined;
    });
    const v1 = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=tabular,version=v1' });
    expect(v1.items.filter((p) => !p.metadata?.deletionTimestamp)).toHaveLength(2);
    console.info(`[rollout-abort] update to abort observed in ${abortMs} ms`);
  });
});
