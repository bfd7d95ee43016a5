/** The kustomize subset: patches, images, labels, and errors for what it does not support. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderKustomization } from '../../../src/platforms/kubernetes/kustomize.js';
import { applyJsonPatch, strategicMerge } from '../../../src/platforms/kubernetes/patching.js';

const dir = mkdtempSync(join(tmpdir(), 'peakready-kustomize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

describe('strategic merge', () => {
  it('merges containers by name, adds new list items, deletes with null and $patch: delete', () => {
    const base = { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }, { name: 'b', image: 'y' }], securityContext: { runAsNonRoot: true } } };
    const patch = { spec: { securityContext: null, containers: [{ name: 'a', env: [{ name: 'B', value: '2' }] }, { name: 'b', $patch: 'delete' }, { name: 'c', image: 'z' }] } };
    expect(strategicMerge(base, patch)).toEqual({
      spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'c', image: 'z' }] },
    });
    expect(base.spec.containers).toHaveLength(2); // input untouched
  });
});

describe('JSON6902', () => {
  it('applies add/replace/remove/test and names the failing operation', () => {
    const doc = { a: [1, 2], b: { 'x/y': 1 } };
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'replace', path: '/b/x~1y', value: 2 }, { op: 'remove', path: '/a/0' }], 'p')).toEqual({ a: [2, 3], b: { 'x/y': 2 } });
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }], 'overlay.yaml')).toThrow('overlay.yaml: JSON patch operation 0 (replace /nope/x) failed: path /nope/x does not exist');
  });
});

describe('renderKustomization', () => {
  it('renders base + overlay with namespace, labels, images and both patch kinds', () => {
    write('base/kustomization.yaml', 'resources: [app.yaml]\nlabels:\n  - pairs: {tier: web}\n    includeTemplates: true\n');
    write('base/app.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: "example/web:1.0"}]\n');
    write('over/kustomization.yaml', [
      'namespace: shop',
      'resources: [../base]',
      'images: [{name: example/web, newTag: "2.0"}]',
      'patches:',
      '  - path: replicas.yaml',
      '  - target: {kind: Deployment, name: web}',
      '    patch: |',
      '      - op: add',
      '        path: /spec/paused',
      '        value: true',
    ].join('\n'));
    write('over/replicas.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 4}\n');
    const [d] = renderKustomization(join(dir, 'over'));
    const o = d!.object as any;
    expect(o.metadata).toMatchObject({ name: 'web', namespace: 'shop', labels: { tier: 'web' } });
    expect(o.spec.replicas).toBe(4);
    expect(o.spec.paused).toBe(true);
    expect(o.spec.template.metadata.labels).toEqual({ app: 'web', tier: 'web' });
    expect(o.spec.selector.matchLabels).toEqual({ app: 'web' }); // includeSelectors false
    expect(o.spec.template.spec.containers[0].image).toBe('example/web:2.0');
    expect(d!.source).toBe(join(dir, 'base', 'app.yaml'));
  });

  it('rejects fields it does not implement instead of rendering them wrong', () => {
    write('bad/kustomization.yaml', 'resources: []\nconfigMapGenerator: [{name: x}]\n');
    expect(() => renderKustomization(join(dir, 'bad'))).toThrow(/unsupported kustomization fields/);
  });

  it('names a patch whose target is missing', () => {
    write('miss/kustomization.yaml', 'resources: []\npatches: [{path: p.yaml}]\n');
    write('miss/p.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: ghost}\n');
    expect(() => renderKustomization(join(dir, 'miss'))).toThrow(/patch target Service\/ghost is not among the resources/);
  });
});
