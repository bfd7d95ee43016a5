/**
 * What the kind and gke overlays render to: the seed's probes, autoscaling, canary steps,
 * analysis, monitoring, GPU placement, and the images each role runs.
 */
import { describe, expect, it } from 'vitest';
import { defaultDeployDir } from '../../../src/platforms/kubernetes/kubernetes-platform.js';
import { renderOverlay } from '../../../src/platforms/kubernetes/kustomize.js';
import type { K8sObject } from '../../../src/contract/k8s-objects.js';

const kind = renderOverlay(defaultDeployDir(), 'kind');
const gke = renderOverlay(defaultDeployDir(), 'gke');
const find = (objs: K8sObject[], k: string, name: string): any => {
  const o = objs.find((x) => x.kind === k && x.metadata.name === name);
  if (!o) throw new Error(`${k}/${name} not rendered`);
  return o;
};
const container = (objs: K8sObject[], k: string, name: string): any => find(objs, k, name).spec.template.spec.containers[0];
const workloads = (objs: K8sObject[]) => objs.filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout');

describe.each([
  ['kind', kind],
  ['gke', gke],
])('%s overlay', (_name, objs) => {
  it('puts every namespaced object into the peakready namespace', () => {
    expect(objs.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'peakready')).toBe(true);
  });

  it('gives every container liveness, readiness and startup probes', () => {
    for (const w of workloads(objs)) {
      for (const c of (w.spec as any).template.spec.containers) {
        expect([w.metadata.name, Boolean(c.livenessProbe && c.readinessProbe && c.startupProbe)]).toEqual([w.metadata.name, true]);
      }
    }
  });

  it('autoscales gateway and tabular with the seed targets (CPU 70%, memory 80%, 100 inference rps, 2..10)', () => {
    for (const name of ['gateway', 'tabular']) {
      const hpa = find(objs, 'HorizontalPodAutoscaler', name);
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
      expect(hpa.spec.metrics.map((m: any) => m.resource?.target.averageUtilization ?? `${m.pods.metric.name}=${m.pods.target.averageValue}`)).toEqual([70, 80, 'inference_requests_per_second=100']);
    }
    expect(find(objs, 'HorizontalPodAutoscaler', 'tabular').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'tabular' });
  });

  it('rolls tabular out with the seed canary steps and the model-accuracy-check analysis', () => {
    const canary = find(objs, 'Rollout', 'tabular').spec.strategy.canary;
    expect(canary.steps).toEqual([20, 40, 60, 80].flatMap((w) => [{ setWeight: w }, { pause: { duration: '10m' } }]));
    expect(canary.analysis.templates).toEqual([{ templateName: 'model-accuracy-check' }]);
    const at = find(objs, 'AnalysisTemplate', 'model-accuracy-check');
    expect(at.spec.metrics.map((m: any) => [m.name, m.successCondition, m.failureLimit, m.interval, m.count])).toEqual([
      ['model-accuracy', 'result[0] > 0.9', 3, '5m', 10],
      ['model-latency', 'result[0] < 100', 3, '5m', 10],
    ]);
  });

  it('scrapes every model service every 15s on /metrics and isolates upstreams behind the gateway', () => {
    for (const s of ['gateway', 'tabular', 'fallback', 'triton', 'generative']) {
      expect(find(objs, 'ServiceMonitor', s).spec.endpoints[0]).toMatchObject({ interval: '15s', path: '/metrics' });
    }
    expect(find(objs, 'NetworkPolicy', 'default-deny-ingress').spec.policyTypes).toEqual(['Ingress']);
    expect(find(objs, 'NetworkPolicy', 'upstreams-from-gateway').spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ app: 'gateway' });
  });

  it('points the gateway at its upstreams and Redis through env', () => {
    const env = Object.fromEntries(container(objs, 'Deployment', 'gateway').env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      TABULAR_URL: 'http://tabular:8080',
      FALLBACK_URL: 'http://fallback:8080',
      TRITON_URL: 'http://triton:8000',
      GENERATIVE_URL: 'http://generative:8000',
      REDIS_URL: 'redis://redis:6379',
    });
  });
});

describe('kind overlay', () => {
  it('runs every role from the stack image with small requests, an opted-in namespace and its own Prometheus', () => {
    for (const [k, name] of [['Deployment', 'gateway'], ['Rollout', 'tabular'], ['Deployment', 'triton'], ['Deployment', 'generative'], ['Deployment', 'fallback']] as const) {
      const c = container(kind, k, name);
      expect(c.image).toBe('peakready/stack:dev');
      expect(c.args[0]).toBe(name);
      expect(c.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    }
    expect(find(kind, 'Namespace', 'peakready').metadata.labels['peakready.io/chaos']).toBe('enabled');
    expect(container(kind, 'Deployment', 'prometheus').image).toMatch(/^prom\/prometheus:/);
    expect(find(kind, 'AnalysisTemplate', 'model-accuracy-check').spec.args[1].value).toBe('http://prometheus:9090');
    expect(kind.some((o) => JSON.stringify(o).includes('nvidia.com/gpu'))).toBe(false);
  });
});

describe('gke overlay', () => {
  it('runs Triton on the A100 pool with the model-store PVC and its three ports', () => {
    const pod = find(gke, 'Deployment', 'triton').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.volumes).toEqual([{ name: 'model-repository', persistentVolumeClaim: { claimName: 'model-store-pvc' } }]);
    const c = pod.containers[0];
    expect(c.image).toBe('nvcr.io/nvidia/tritonserver:22.12-py3');
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['http', 8000], ['grpc', 8001], ['metrics', 8002]]);
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 'http' });
    expect(pod.securityContext).toBeUndefined();
    expect(find(gke, 'PersistentVolumeClaim', 'model-store-pvc').spec.accessModes).toEqual(['ReadWriteMany']);
    expect(find(gke, 'ServiceMonitor', 'triton').spec.endpoints[0].port).toBe('metrics');
  });

  it('runs vLLM for generative, MLServer with scikit-learn for tabular, and the stack image from the registry', () => {
    const gen = find(gke, 'Deployment', 'generative').spec.template.spec;
    expect(gen.containers[0].image).toMatch(/^vllm\/vllm-openai:/);
    expect(gen.nodeSelector['cloud.google.com/gke-accelerator']).toBe('nvidia-tesla-a100');
    expect(gen.containers[0].resources.requests['nvidia.com/gpu']).toBe(1);
    const tab = container(gke, 'Rollout', 'tabular');
    expect(tab.image).toMatch(/^seldonio\/mlserver:.*-sklearn$/);
    expect(tab.args).toEqual(['start', '/models/tabular/$(MODEL_VERSION)']);
    expect(container(gke, 'Deployment', 'gateway').image).toBe('ghcr.io/peakready/stack:0.1.0');
    expect(find(gke, 'AnalysisTemplate', 'model-accuracy-check').spec.args[1].value).toBe('http://prometheus-operated.monitoring.svc:9090');
    // The user creates and opts in the namespace on a shared cluster.
    expect(gke.some((o) => o.kind === 'Namespace')).toBe(false);
  });
});
