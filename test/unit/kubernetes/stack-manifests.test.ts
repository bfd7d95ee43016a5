/** Tailoring the rendered stack to a run: namespace, overrides, switched-off mechanisms, time scale. */
import { describe, expect, it } from 'vitest';
import { renderStack } from '../../../src/platforms/kubernetes/kubernetes-platform.js';
import { GATEWAY_NODE_FLAGS } from '../../../src/stack/node-flags.js';

const get = (objs: ReturnType<typeof renderStack>, kind: string, name: string): any => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe('renderStack', () => {
  it('moves everything, the Namespace and RBAC subjects included, to the run namespace', () => {
    const objs = renderStack({ overlay: 'kind', namespace: 'ci-77' });
    expect(objs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'ci-77', labels: { 'peakready.io/chaos': 'enabled' } } });
    expect(objs.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'ci-77')).toBe(true);
    expect(get(objs, 'RoleBinding', 'prometheus').subjects[0].namespace).toBe('ci-77');
    expect(objs.every((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'peakready')).toBe(true);
  });

  it('applies replicas, autoscaling and canary-step overrides and scales pauses and analysis intervals', () => {
    const objs = renderStack({
      overlay: 'kind',
      namespace: 'p',
      timeScale: 0.1,
      stack: { replicas: { tabular: 4 }, autoscaling: { gateway: { min: 3, max: 12, targetCpu: 60, targetRps: 40 } }, rollout: { steps: [25, 50], pause: '1m' } },
    });
    // tabular is scaled by an HPA: its replica count goes to the HPA, never into the Rollout.
    expect(get(objs, 'Rollout', 'tabular').spec).not.toHaveProperty('replicas');
    expect(get(objs, 'HorizontalPodAutoscaler', 'tabular').spec.minReplicas).toBe(4);
    const hpa = get(objs, 'HorizontalPodAutoscaler', 'gateway').spec;
    expect([hpa.minReplicas, hpa.maxReplicas, hpa.metrics[0].resource.target.averageUtilization, hpa.metrics[2].pods.target.averageValue]).toEqual([3, 12, 60, '40']);
    expect(get(objs, 'Rollout', 'tabular').spec.strategy.canary.steps).toEqual([{ setWeight: 25 }, { pause: { duration: '6s' } }, { setWeight: 50 }, { pause: { duration: '6s' } }]);
    expect(get(objs, 'AnalysisTemplate', 'model-accuracy-check').spec.metrics.map((m: any) => m.interval)).toEqual(['30s', '30s']);
  });

  it("sets the scenario's rollout.analysisInterval on every metric of the AnalysisTemplate, scaled like the pauses", () => {
    const at = (stack: object, timeScale = 1) => get(renderStack({ overlay: 'kind', namespace: 'p', timeScale, stack }), 'AnalysisTemplate', 'model-accuracy-check').spec.metrics.map((m: any) => m.interval);
    expect(at({})).toEqual(['300s', '300s']); // the seed's 5m
    expect(at({ rollout: { analysisInterval: '20s' } })).toEqual(['20s', '20s']);
    expect(at({ rollout: { analysisInterval: '20s' } }, 0.5)).toEqual(['10s', '10s']);
  });

  it("names the analysis' Prometheus with the stack's namespace: Argo's controller runs the analysis from its own namespace", () => {
    const address = (overlay: 'kind' | 'gke') => get(renderStack({ overlay, namespace: 'shop' }), 'AnalysisTemplate', 'model-accuracy-check').spec.args.find((a: any) => a.name === 'prometheus-address').value;
    // kind's Prometheus runs beside the stack: http://prometheus:9090 would resolve in argo-rollouts.
    expect(address('kind')).toBe('http://prometheus.shop.svc:9090');
    // GKE's operator-run Prometheus is already named with its namespace.
    expect(address('gke')).toBe('http://prometheus-operated.monitoring.svc:9090');
  });

  it('starts the gateway container with the same node flags as the local platform and the benchmark', () => {
    for (const overlay of ['kind', 'gke'] as const) {
      const gw = get(renderStack({ overlay, namespace: 'p' }), 'Deployment', 'gateway').spec.template.spec.containers[0];
      expect(gw.command).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/stack/main.js']);
      expect(gw.args[0]).toBe('gateway');
    }
  });

  it('drops HPAs and the canary analysis and tells the gateway which mechanisms are off', () => {
    const objs = renderStack({ overlay: 'kind', namespace: 'p', stack: { disable: ['autoscaler', 'analysis', 'fallback', 'cache'], gateway: { timeoutMs: 800 } } });
    expect(objs.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(get(objs, 'Rollout', 'tabular').spec.strategy.canary.analysis).toBeUndefined();
    const env = Object.fromEntries(get(objs, 'Deployment', 'gateway').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.PEAKREADY_DISABLE).toBe('fallback,cache');
    expect(JSON.parse(env.PEAKREADY_GATEWAY_OPTIONS)).toEqual({ timeoutMs: 800 });
  });

  it('names the overlay choices when given an unknown one', () => {
    expect(() => renderStack({ overlay: 'eks', namespace: 'p' })).toThrow(/--overlay eks: expected one of kind, gke or a folder holding a kustomization.yaml/);
  });
});
