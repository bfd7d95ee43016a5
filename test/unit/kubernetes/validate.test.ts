/**
 * Offline validation: both overlays, every chaos template, every fault kind's rendered
 * Chaos Mesh object, the load-runner Job and the seed's own examples pass; a wrong field
 * fails naming the file, the object and the path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosForFault } from '../../../src/faults/chaos-mesh/fault-to-chaos.js';
import { renderStack } from '../../../src/platforms/kubernetes/kubernetes-platform.js';
import { loadRunnerObjects } from '../../../src/platforms/kubernetes/load-runners.js';
import { validateObjects } from '../../../src/platforms/kubernetes/manifest-validator.js';
import { ensureOpenApiSpecs } from '../../../src/platforms/kubernetes/openapi-cache.js';
import { SchemaRegistry, crdsDir } from '../../../src/platforms/kubernetes/schema-registry.js';
import { validatePaths } from '../../../src/platforms/kubernetes/validate-paths.js';
import { FAULT_KINDS } from '../../../src/scenario/fault-spec.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
let registry: SchemaRegistry;
const tmp = mkdtempSync(join(tmpdir(), 'peakready-validate-'));

beforeAll(async () => {
  registry = new SchemaRegistry(await ensureOpenApiSpecs(), crdsDir());
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('peakready validate deploy/ chaos/ test/fixtures/seed/', () => {
  it('finds no problem in both overlays, the base, every chaos template and the seed examples', async () => {
    const report = await validatePaths([join(repoRoot, 'deploy'), join(repoRoot, 'chaos'), join(repoRoot, 'test/fixtures/seed')], { registry });
    expect(report.problems).toEqual([]);
    const checked = report.checked.map((c) => c.what.slice(repoRoot.length + 1));
    expect(checked).toEqual(expect.arrayContaining(['deploy/base', 'deploy/overlays/kind', 'deploy/overlays/gke', 'chaos/workflow-game-day.yaml']));
    expect(checked.filter((c) => c.startsWith('chaos/'))).toHaveLength(11);
    expect(checked.filter((c) => c.startsWith('test/fixtures/seed/'))).toEqual([
      'test/fixtures/seed/analysis-template.yaml',
      'test/fixtures/seed/flagger-canary.yaml',
      'test/fixtures/seed/hpa.yaml',
      'test/fixtures/seed/rollout-blue-green.yaml',
      'test/fixtures/seed/rollout-canary.yaml',
    ]);
    expect(report.checked.find((c) => c.what.endsWith('overlays/kind'))!.objects).toBe(32);
  });

  it('reports a wrong field with the file, the object and the dotted path', async () => {
    const file = join(tmp, 'typo.yaml');
    writeFileSync(file, [
      'apiVersion: autoscaling/v2',
      'kind: HorizontalPodAutoscaler',
      'metadata: {name: gateway}',
      'spec:',
      '  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: gateway}',
      '  maxReplicas: 10',
      '  metrics:',
      '    - type: Resource',
      '      resource: {name: cpu, target: {type: Utilization, averageUtilisation: 70}}',
      '---',
      'apiVersion: argoproj.io/v1alpha1',
      'kind: AnalysisTemplate',
      'metadata: {name: model-accuracy-check}',
      'spec:',
      '  metrics:',
      '    - name: model-accuracy',
      '      interval: 300',
      '      provider: {prometheus: {address: "http://p:9090", query: "up"}}',
    ].join('\n'));
    const report = await validatePaths([file], { registry });
    expect(report.problems).toEqual([
      `${file}: HorizontalPodAutoscaler/gateway: spec.metrics[0].resource.target.averageUtilisation: unknown field`,
      expect.stringMatching(new RegExp(`^${file}: AnalysisTemplate/model-accuracy-check: spec\\.metrics\\[0\\]\\.interval: must be string$`)),
    ]);
  });

  it('flags chaos objects that could outlive the harness or escape their namespace', async () => {
    const file = join(tmp, 'unsafe.yaml');
    writeFileSync(file, 'apiVersion: chaos-mesh.org/v1alpha1\nkind: PodChaos\nmetadata: {name: x, namespace: shop}\nspec:\n  action: pod-kill\n  mode: all\n  selector: {labelSelectors: {app: web}}\n');
    const { problems } = await validatePaths([file], { registry });
    expect(problems).toEqual([
      `${file}: PodChaos/x: metadata.labels.peakready.io/run-id: required (clean sweeps by it)`,
      `${file}: PodChaos/x: spec.duration: required, so the fault heals even if the harness dies`,
      `${file}: PodChaos/x: spec.selector.namespaces: expected exactly ["shop"], got undefined`,
    ]);
  });
});

describe('rendered objects validate', () => {
  it.each(FAULT_KINDS)('the Chaos Mesh object for a %s fault', (kind) => {
    const o = chaosForFault({ id: `${kind}-tabular`, kind, target: 'tabular', atMs: 0, durationMs: 45_000, params: { latency: '1m30s', fraction: 0.3, rate: 50_000 } }, { runId: 'Flash Sale 2026', namespace: 'peakready' });
    expect(validateObjects(registry, [{ object: o, source: kind }])).toEqual([]);
    expect(o.metadata.labels!['peakready.io/run-id']).toBe('flash-sale-2026');
    expect((o.spec as any).duration).toBe('45s');
    expect((o.spec as any).selector.namespaces).toEqual(['peakready']);
  });

  it('the time-scaled, overridden kind stack and the gke stack', () => {
    const kind = renderStack({ overlay: 'kind', namespace: 'ci-123', timeScale: 0.05, stack: { replicas: { tabular: 3 }, autoscaling: { gateway: { min: 3, max: 6, targetRps: 50 } }, rollout: { steps: [50], pause: '2m' }, disable: ['cache'] } });
    const gke = renderStack({ overlay: 'gke', namespace: 'peakready' });
    expect(validateObjects(registry, [...kind, ...gke].map((object) => ({ object, source: 'rendered' })))).toEqual([]);
  });

  it('the load-runner ConfigMap and Indexed Job', () => {
    const objs = loadRunnerObjects({ runId: 'run-1', namespace: 'peakready', runners: 4, image: 'peakready/stack:dev', scenarioBundle: 'export default {}', durationMs: 600_000, seed: 7 });
    expect(validateObjects(registry, objs.map((object) => ({ object, source: 'load-runners' })))).toEqual([]);
  });
});
