/** Chaos Mesh templates: typed substitution, refusing half-filled templates, fault mapping. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderChaosTemplate, templatePlaceholders } from '../../../src/faults/chaos-mesh/chaos-template.js';
import { chaosForFault, goDuration, TEMPLATE_FOR_KIND } from '../../../src/faults/chaos-mesh/fault-to-chaos.js';
import { FAULT_KINDS } from '../../../src/scenario/fault-spec.js';

const dir = mkdtempSync(join(tmpdir(), 'peakready-chaos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { runId: 'run-9', namespace: 'shop' };

describe('renderChaosTemplate', () => {
  it('keeps the type of whole-value placeholders and interpolates inside strings', () => {
    const o = renderChaosTemplate('stress-cpu', { NAME: 'n', NAMESPACE: 'shop', RUN_ID: 'r', FAULT_ID: 'f', TARGET: 'gateway', DURATION: '30s', WORKERS: 2, LOAD: 75 });
    expect((o.spec as any).stressors.cpu).toEqual({ workers: 2, load: 75 });
    expect((o.spec as any).selector).toEqual({ namespaces: ['shop'], labelSelectors: { app: 'gateway' } });
  });

  it('refuses a template with a placeholder left unfilled, naming it', () => {
    const file = join(dir, 'x.yaml');
    writeFileSync(file, 'apiVersion: chaos-mesh.org/v1alpha1\nkind: PodChaos\nmetadata: {name: "${NAME}"}\nspec: {duration: "${DURATION}"}\n');
    expect(templatePlaceholders(file)).toEqual(['DURATION', 'NAME']);
    expect(() => renderChaosTemplate(file, { NAME: 'a' })).toThrow(`${file}: no value for \${DURATION}`);
  });
});

describe('chaosForFault', () => {
  it('has a template for every fault kind of the vocabulary', () => {
    expect(Object.keys(TEMPLATE_FOR_KIND).sort()).toEqual([...FAULT_KINDS].sort());
  });

  it.each([
    ['kill-replica', 'PodChaos', { action: 'pod-kill', mode: 'fixed', value: '2' }, { count: 2 }],
    ['unavailable', 'PodChaos', { action: 'pod-failure', mode: 'all' }, {}],
    ['latency', 'NetworkChaos', { action: 'delay', delay: { latency: '90s', jitter: '0ms' } }, { latency: '1m30s' }],
    ['errors', 'HTTPChaos', { abort: true, target: 'Request', port: 8000 }, {}],
    ['reset', 'NetworkChaos', { action: 'loss', loss: { loss: '25' } }, { fraction: 0.25 }],
    ['partition', 'NetworkChaos', { action: 'partition', direction: 'to' }, {}],
    ['bandwidth', 'NetworkChaos', { action: 'bandwidth', bandwidth: { rate: '64000bps' } }, { rate: 64_000 }],
    ['cpu-stress', 'StressChaos', { stressors: { cpu: { workers: 1, load: 80 } } }, {}],
  ] as const)('%s → %s', (kind, chaosKind, spec, params) => {
    const o = chaosForFault({ id: `${kind}-x`, kind, target: 'triton', atMs: 0, durationMs: 20_000, params }, ctx);
    expect(o.kind).toBe(chaosKind);
    expect(o.spec).toMatchObject({ ...spec, duration: '20s', selector: { namespaces: ['shop'], labelSelectors: { app: 'triton' } } });
    expect(o.metadata).toMatchObject({ namespace: 'shop', labels: { 'peakready.io/run-id': 'run-9', 'peakready.io/fault-id': `${kind}-x` } });
  });

  it('aims redis-outage at redis whatever the target, and bounds the partition target to the namespace', () => {
    expect((chaosForFault({ id: 'r', kind: 'redis-outage', target: 'cache', atMs: 0, durationMs: 5_000, params: {} }, ctx).spec as any).selector.labelSelectors).toEqual({ app: 'redis' });
    const part = chaosForFault({ id: 'p', kind: 'partition', target: 'tabular', atMs: 0, durationMs: 5_000, params: {} }, ctx).spec as any;
    // The target's running peers in the stack: not the load runners, not Prometheus (it keeps scraping).
    expect(part.target.selector).toEqual({ namespaces: ['shop'], podPhaseSelectors: ['Running'], expressionSelectors: [{ key: 'app', operator: 'NotIn', values: ['tabular', 'peakready-load', 'prometheus'] }] });
  });

  it('writes durations in one unit Chaos Mesh parses', () => {
    expect([goDuration(90_000), goDuration(1_500), goDuration(0)]).toEqual(['90s', '1500ms', '1ms']);
  });
});
