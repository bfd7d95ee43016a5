/** The stack a capacity search runs: fixed replicas, no HPA; on Kubernetes, nothing that hides saturation. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capacityStack, resolveProfile, routeMode } from '../../../src/capacity/capacity-platform.js';
import { renderStack } from '../../../src/platforms/kubernetes/kubernetes-platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'peakready-cap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('capacity stack', () => {
  it('drives services directly on the local platform and through the gateway on Kubernetes', () => {
    expect(routeMode('triton', 'local')).toBe('direct');
    expect(routeMode('gateway', 'local')).toBe('gateway');
    expect(routeMode('triton', 'kubernetes')).toBe('gateway');
  });

  it('pins the replicas and drops autoscaling on the local platform, keeping gateway options', () => {
    const stack = capacityStack({ replicas: { tabular: 2 }, autoscaling: { triton: { min: 1, max: 5 } }, gateway: { timeoutMs: 900 } }, 'triton', 3, 'local');
    expect(stack).toEqual({ replicas: { tabular: 2, triton: 3 }, gateway: { timeoutMs: 900 }, disable: ['autoscaler'] });
  });

  it('renders the Kubernetes stack with the replicas, no HPA, and the gateway told to pass errors through', () => {
    const objs = renderStack({ overlay: 'kind', namespace: 'cap', stack: capacityStack({}, 'triton', 3, 'kubernetes') });
    const triton = objs.find((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.name === 'triton') as { spec: { replicas: number } } | undefined;
    expect(triton?.spec.replicas).toBe(3);
    expect(objs.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const gw = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway') as any;
    const env = Object.fromEntries(gw.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.PEAKREADY_DISABLE).toBe('fallback,breaker,cache');
  });

  it('finds a profile by path or by bundled name', () => {
    const file = join(tmp, 'mine.json');
    writeFileSync(file, '{}');
    expect(resolveProfile(file, tmp)).toBe(file);
    const bundled = join(tmp, 'dist', 'stack', 'profiles');
    mkdirSync(bundled, { recursive: true });
    writeFileSync(join(bundled, 'capacity-x.json'), '{}');
    expect(resolveProfile('capacity-x', tmp)).toBe(join(bundled, 'capacity-x.json'));
    expect(resolveProfile('missing', tmp)).toBeUndefined();
    expect(resolveProfile('some/dir/missing.json', tmp)).toBeUndefined();
  });
});
