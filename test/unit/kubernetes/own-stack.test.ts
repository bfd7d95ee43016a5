/**
 * A team's own stack on Kubernetes (issue 17): Chaos Mesh objects aimed at the pods the stack
 * file's labels select instead of the reference stack's app=<service>, and the observer
 * counting restarts and scaling under the stack's service names.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../../src/contract/k8s-objects.js';
import { chaosInvariantProblems } from '../../../src/faults/chaos-mesh/chaos-invariants.js';
import { aimedAtStackPods, chaosForFault } from '../../../src/faults/chaos-mesh/fault-to-chaos.js';
import { ClusterObserver } from '../../../src/platforms/kubernetes/observer.js';
import { labelSelector, OwnStack } from '../../../src/platforms/kubernetes/own-stack.js';
import { applyJsonPatch } from '../../../src/platforms/kubernetes/patching.js';
import type { PlatformEvent } from '../../../src/platforms/platform.js';
import { defineStack } from '../../../src/scenario/stack-definition.js';

const NS = 'team';
const stack = defineStack({
  name: 'flask-seed',
  entry: 'app',
  redis: true,
  services: {
    app: { ready: '/ready', kubernetes: { selector: { 'app.kubernetes.io/name': 'app' }, service: { name: 'app', port: 8080 } } },
    'model-server': { kubernetes: { workload: { kind: 'StatefulSet', name: 'models' }, selector: { 'app.kubernetes.io/name': 'model-server', tier: 'ml' } } },
  },
  kubernetes: { prometheus: 'http://prometheus.monitoring.svc:9090', redis: { workload: { name: 'cache' }, selector: { 'app.kubernetes.io/name': 'redis' } } },
});
const own = new OwnStack({ definition: stack, dir: '.', shown: 'stacks/flask.ts' }, NS);

describe("a team's own stack on Kubernetes", () => {
  it('names its workloads, its entry Service and its in-cluster URLs from the stack file', () => {
    expect(own.workloads().map((w) => `${w.apiVersion} ${w.kind}/${w.metadata.name} in ${w.metadata.namespace}`)).toEqual([
      'apps/v1 Deployment/app in team',
      'apps/v1 StatefulSet/models in team',
      'apps/v1 Deployment/cache in team',
    ]);
    expect(own.entry()).toEqual({ service: 'app', port: 8080, ready: '/ready' });
    expect(own.serviceUrls()).toEqual({ app: 'http://app.team.svc:8080' });
    expect(own.targets).toEqual({ services: ['app', 'model-server'], redis: true });
    expect(labelSelector({ 'app.kubernetes.io/name': 'model-server', tier: 'ml' })).toBe('app.kubernetes.io/name=model-server,tier=ml');
  });

  it("aims a Chaos Mesh object at the target's labels, a partition's other side at the rest of the stack by pod name", () => {
    const cut = chaosForFault({ id: 'models-cut', kind: 'partition', target: 'model-server', atMs: 0, durationMs: 20_000, params: {} }, { runId: 'r1', namespace: NS });
    const aimed = aimedAtStackPods(cut, { selector: { 'app.kubernetes.io/name': 'model-server', tier: 'ml' }, peers: ['app-7d9-x', 'cache-5c-y'] });
    expect((aimed.spec as any).selector).toEqual({ namespaces: [NS], labelSelectors: { 'app.kubernetes.io/name': 'model-server', tier: 'ml' } });
    expect((aimed.spec as any).target).toEqual({ mode: 'all', selector: { namespaces: [NS], pods: { [NS]: ['app-7d9-x', 'cache-5c-y'] } } });
    // Still within peakready's safety rules (its namespace only, a duration, the run-id label), and the rest untouched.
    expect(chaosInvariantProblems(aimed, 'test')).toEqual([]);
    expect((aimed.spec as any)).toMatchObject({ action: 'partition', direction: 'to', duration: '20s' });
    expect((cut.spec as any).selector.labelSelectors).toEqual({ app: 'model-server' });
    // Nothing running on the other side: refused with the reason, not applied empty.
    expect(() => aimedAtStackPods(cut, { selector: { a: 'b' }, peers: [] })).toThrow(/no other running pod of the stack in team to cut the target off from/);
    // An HTTP fault intercepts the target's port; a pod fault has no port to change.
    const abort = chaosForFault({ id: 'app-errors', kind: 'errors', target: 'app', atMs: 0, durationMs: 5_000, params: {} }, { runId: 'r1', namespace: NS });
    expect((aimedAtStackPods(abort, { selector: { 'app.kubernetes.io/name': 'app' }, peers: [], port: 8080 }).spec as any).port).toBe(8080);
    const fail = chaosForFault({ id: 'cache-down', kind: 'redis-outage', target: 'redis', atMs: 0, durationMs: 5_000, params: {} }, { runId: 'r1', namespace: NS });
    expect(aimedAtStackPods(fail, { selector: { 'app.kubernetes.io/name': 'redis' }, peers: [], port: 6379 }).spec).not.toHaveProperty('port');
  });

  it('counts restarts and HPA scaling under the stack file\'s service names', () => {
    const observer = new ClusterObserver(new KubeConfig(), NS, () => 1_000, own.naming());
    const events: PlatformEvent[] = [];
    observer.onEvent((e) => events.push(e));
    const pod = (name: string, labels: Record<string, string>, restarts: number): K8sObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS, uid: `uid-${name}`, labels },
      status: { phase: 'Running', containerStatuses: [{ restartCount: restarts }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
    observer.ingest('pods', 'ADDED', pod('models-0', { 'app.kubernetes.io/name': 'model-server', tier: 'ml' }, 0));
    observer.ingest('pods', 'MODIFIED', pod('models-0', { 'app.kubernetes.io/name': 'model-server', tier: 'ml' }, 2));
    observer.ingest('pods', 'ADDED', pod('cache-1', { 'app.kubernetes.io/name': 'redis' }, 0));
    observer.ingest('pods', 'MODIFIED', pod('cache-1', { 'app.kubernetes.io/name': 'redis' }, 1));
    // A pod with only one of the two labels is not the model server's.
    observer.ingest('pods', 'ADDED', pod('other-1', { 'app.kubernetes.io/name': 'model-server' }, 0));
    observer.ingest('pods', 'MODIFIED', pod('other-1', { 'app.kubernetes.io/name': 'model-server' }, 1));
    expect(observer.restartsOf('model-server')).toBe(2);
    expect(observer.restartsOf('redis')).toBe(1);
    // As the HPA controller reports it: the scaling reason says which metric set the count.
    const conditions = [
      { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 3' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from pods metric inference_requests_per_second' },
    ];
    const hpa = (current: number): K8sObject => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'models-hpa', namespace: NS }, spec: { scaleTargetRef: { name: 'models' } }, status: { currentReplicas: current, conditions } });
    observer.ingest('hpa', 'ADDED', hpa(1));
    observer.ingest('hpa', 'MODIFIED', hpa(3));
    expect(events.filter((e) => e.type === 'replicas')).toEqual([expect.objectContaining({ service: 'model-server', from: 1, to: 3, reason: expect.stringContaining('pods metric inference_requests_per_second') })]);
    expect(events.filter((e) => e.type === 'restart').map((e) => (e as { service: string }).service)).toEqual(['model-server', 'model-server', 'redis', 'other-1']);
  });

  it("deploys a version by setting its image and environment on the workload's pod template, and puts back what was there", () => {
    const versioned = defineStack({
      ...stack,
      services: {
        ...stack.services,
        'model-server': {
          kubernetes: { workload: { kind: 'Rollout', name: 'model-server' }, selector: { 'app.kubernetes.io/name': 'model-server' }, container: 'server' },
          rollout: { versions: { v1: { env: { MODEL_VERSION: 'v1' } }, 'v2-bad': { image: 'registry.example/models:2.0-bad', env: { MODEL_VERSION: 'v2-bad', NEW_FLAG: '1' } } } },
        },
      },
    });
    const mine = new OwnStack({ definition: versioned, dir: '.', shown: 'stacks/flask.ts' }, NS);
    const rollout: K8sObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'model-server', namespace: NS, labels: { 'app.kubernetes.io/name': 'model-server' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'sidecar', image: 'envoy:1' },
              { name: 'server', image: 'registry.example/models:1.0', env: [{ name: 'MODEL_VERSION', value: 'v1' }, { name: 'LOG', value: 'info' }] },
            ],
          },
        },
      },
    };
    const { apply, revert } = mine.versionPatches('model-server', rollout, 'v2-bad');
    const deployed = applyJsonPatch(rollout, apply, 'deploy') as K8sObject & { spec: { template: { spec: { containers: { name: string; image: string; env?: unknown }[] } } } };
    // The named container gets the image and the environment (changed values in place, new ones added); the sidecar is untouched.
    expect(deployed.spec.template.spec.containers).toEqual([
      { name: 'sidecar', image: 'envoy:1' },
      { name: 'server', image: 'registry.example/models:2.0-bad', env: [{ name: 'MODEL_VERSION', value: 'v2-bad' }, { name: 'LOG', value: 'info' }, { name: 'NEW_FLAG', value: '1' }] },
    ]);
    // The version label the observer reads a Rollout's version from.
    expect(deployed.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'model-server', 'peakready.io/model-version': 'v2-bad' });
    // The revert, computed from the workload as it was, gives it back exactly.
    expect(applyJsonPatch(deployed, revert, 'revert')).toEqual(rollout);
    // An environment-only version on a pod without env, and a workload without labels.
    const bare: K8sObject = { ...rollout, metadata: { name: 'model-server', namespace: NS }, spec: { template: { spec: { containers: [{ name: 'server', image: 'm:1' }] } } } };
    const v1 = mine.versionPatches('model-server', bare, 'v1');
    const onBare = applyJsonPatch(bare, v1.apply, 'deploy') as typeof deployed;
    expect(onBare.spec.template.spec.containers[0]).toEqual({ name: 'server', image: 'm:1', env: [{ name: 'MODEL_VERSION', value: 'v1' }] });
    expect(applyJsonPatch(onBare, v1.revert, 'revert')).toEqual(bare);
    // What the stack file does not have is named.
    expect(() => mine.versionPatches('model-server', rollout, 'v3')).toThrow('stacks/flask.ts: services.model-server.rollout.versions: the stack flask-seed has no version "v3" of model-server');
    const other: K8sObject = { ...rollout, spec: { template: { spec: { containers: [{ name: 'main', image: 'm:1' }] } } } };
    expect(() => mine.versionPatches('model-server', other, 'v1')).toThrow('stacks/flask.ts: services.model-server.kubernetes.container: Rollout model-server has no container named "server"');
  });
});
