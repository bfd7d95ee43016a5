import { describe, expect, it } from 'vitest';
import { faultProblems, FAULT_CATALOGUE, resolveFaultParams } from '../../../src/faults/catalogue.js';
import { chaosForFault } from '../../../src/faults/chaos-mesh/fault-to-chaos.js';
import { FAULT_KINDS, type ResolvedFault } from '../../../src/scenario/fault-spec.js';

const fault = (kind: ResolvedFault['kind'], target: string, params: ResolvedFault['params'] = {}, durationMs = 30_000): ResolvedFault => ({ id: `${kind}-${target}`, kind, target, atMs: 0, durationMs, params });

describe('the fault catalogue', () => {
  it('covers every kind of the vocabulary on both platforms', () => {
    expect(Object.keys(FAULT_CATALOGUE).sort()).toEqual([...FAULT_KINDS].sort());
    for (const k of Object.values(FAULT_CATALOGUE)) {
      expect(k.targets.local.length, k.kind).toBeGreaterThan(0);
      expect(k.targets.kubernetes.length, k.kind).toBeGreaterThan(0);
    }
  });

  it('resolves defaults once into typed units: ms, bytes per second, fractions', () => {
    expect(resolveFaultParams(fault('latency', 'redis'))).toMatchObject({ latencyMs: 300, jitterMs: 0, fraction: 1 });
    expect(resolveFaultParams(fault('latency', 'redis', { latency: '1.5s', jitter: '20ms', fraction: 0.25 }))).toMatchObject({ latencyMs: 1500, jitterMs: 20, fraction: 0.25 });
    expect(resolveFaultParams(fault('bandwidth', 'redis')).bytesPerSecond).toBe(10_240);
    expect(resolveFaultParams(fault('errors', 'tabular')).status).toBe(503);
  });

  it('names the valid targets of a kind on a platform, and the parameters a kind reads', () => {
    expect(faultProblems(fault('errors', 'redis'), 'faults[0]', 'local')).toEqual([
      'faults[0].target: errors on the local platform supports gateway, tabular, fallback, triton, generative; got "redis"',
    ]);
    expect(faultProblems({ kind: 'reset', target: 'redis', for: '10s', params: { fraction: 2, latency: '1s' } }, 'faults[3]', 'kubernetes')).toEqual([
      'faults[3].params.fraction: expected 0..1, got 2',
      'faults[3].params.latency: reset does not read "latency"; it reads fraction',
    ]);
    for (const kind of ['latency', 'reset', 'bandwidth', 'partition'] as const) {
      expect(faultProblems(fault(kind, 'redis'), 'f', 'local'), kind).toEqual([]);
      expect(faultProblems(fault(kind, 'redis'), 'f', 'kubernetes'), kind).toEqual([]);
    }
  });

  it('a fault with effect over time needs a duration; kill-replica does not', () => {
    expect(faultProblems(fault('latency', 'triton', {}, 0), 'faults[1]', 'local')).toEqual(['faults[1].for: latency needs a duration like "30s" (only kill-replica acts once)']);
    expect(faultProblems(fault('kill-replica', 'triton', {}, 0), 'faults[1]', 'local')).toEqual([]);
  });

  it('on Kubernetes, network faults on redis are NetworkChaos on the Redis pod, with the catalogue defaults', () => {
    const ctx = { runId: 'r1', namespace: 'peakready' };
    const delay = chaosForFault(fault('latency', 'redis', { latency: '40ms' }), ctx);
    expect(delay.kind).toBe('NetworkChaos');
    expect(delay.spec).toMatchObject({ action: 'delay', delay: { latency: '40ms' }, selector: { namespaces: ['peakready'], labelSelectors: { app: 'redis' } } });
    const bw = chaosForFault(fault('bandwidth', 'redis'), ctx);
    expect(bw.spec).toMatchObject({ action: 'bandwidth', bandwidth: { rate: '10240bps' }, selector: { labelSelectors: { app: 'redis' } } });
    expect(chaosForFault(fault('partition', 'redis'), ctx).spec).toMatchObject({ action: 'partition', selector: { labelSelectors: { app: 'redis' } } });
    expect(chaosForFault(fault('reset', 'redis', { fraction: 0.5 }), ctx).spec).toMatchObject({ action: 'loss', selector: { labelSelectors: { app: 'redis' } } });
  });
});
