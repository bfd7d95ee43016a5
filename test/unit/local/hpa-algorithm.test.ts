import { describe, expect, it } from 'vitest';
import {
  computeDesiredReplicas,
  defaultBehavior,
  replicasForMetric,
  replicasForMetrics,
  scaleDownLimit,
  scaleUpLimit,
  stabilize,
  type HpaBehavior,
} from '../../../src/platforms/local/hpa-algorithm.js';

const noWindows: HpaBehavior = {
  scaleUp: { stabilizationWindowMs: 0, policies: [{ type: 'Percent', value: 1000, periodMs: 1000 }], selectPolicy: 'Max' },
  scaleDown: { stabilizationWindowMs: 0, policies: [{ type: 'Percent', value: 100, periodMs: 1000 }], selectPolicy: 'Max' },
};

describe('HPA algorithm (Kubernetes docs examples)', () => {
  it('doubles replicas at 200m for a 100m target and halves them at 50m', () => {
    expect(replicasForMetric(4, { name: 'cpu', value: 200, target: 100 })).toBe(8);
    expect(replicasForMetric(4, { name: 'cpu', value: 50, target: 100 })).toBe(2);
  });

  it('keeps the count within the 10% tolerance and rounds up outside it', () => {
    expect(replicasForMetric(3, { name: 'rps', value: 109, target: 100 })).toBe(3);
    expect(replicasForMetric(3, { name: 'rps', value: 91, target: 100 })).toBe(3);
    expect(replicasForMetric(3, { name: 'rps', value: 111, target: 100 })).toBe(4); // ceil(3.33)
  });

  it('takes the largest proposal over several metrics', () => {
    const metrics = [
      { name: 'cpu', value: 35, target: 70 }, // → 1
      { name: 'inference_requests_per_second', value: 250, target: 100 }, // → 5
    ];
    expect(replicasForMetrics(2, metrics)).toBe(5);
  });

  it('default scale-up allows max(+100%, +4 pods) per 15 s', () => {
    const up = defaultBehavior().scaleUp;
    expect(scaleUpLimit(1, [], 0, up)).toBe(5);
    expect(scaleUpLimit(10, [], 0, up)).toBe(20);
  });

  it('scale-down: Percent 10 and Pods 4 per 60 s — 80 → 72 → 64, and 4 at a time below 40', () => {
    const rules = {
      stabilizationWindowMs: 0,
      policies: [
        { type: 'Pods' as const, value: 4, periodMs: 60_000 },
        { type: 'Percent' as const, value: 10, periodMs: 60_000 },
      ],
      selectPolicy: 'Max' as const,
    };
    expect(scaleDownLimit(80, [], 0, rules)).toBe(72);
    expect(scaleDownLimit(72, [], 100_000, rules)).toBe(64); // 7.2 rounded up to 8
    expect(scaleDownLimit(30, [], 0, rules)).toBe(26);
    // Within the same period the change already made counts against the policy.
    expect(scaleDownLimit(72, [{ t: 10_000, replicas: -8 }], 20_000, rules)).toBe(72);
  });

  it('selectPolicy Min picks the smallest change and Disabled blocks the direction', () => {
    const rules = {
      stabilizationWindowMs: 0,
      policies: [
        { type: 'Pods' as const, value: 4, periodMs: 60_000 },
        { type: 'Percent' as const, value: 100, periodMs: 60_000 },
      ],
      selectPolicy: 'Min' as const,
    };
    expect(scaleUpLimit(10, [], 0, rules)).toBe(14);
    expect(scaleUpLimit(10, [], 0, { ...rules, selectPolicy: 'Disabled' })).toBe(10);
  });

  it('scale-down stabilization keeps the highest recommendation of the window', () => {
    const behavior = defaultBehavior(); // 300 s scale-down window
    const history = [
      { t: 0, replicas: 8 },
      { t: 100_000, replicas: 5 },
    ];
    expect(stabilize(8, 3, history, 200_000, behavior)).toBe(8);
    // After the 8 has left the window, the next highest (5) is the floor.
    expect(stabilize(8, 3, history, 350_000, behavior)).toBe(5);
  });

  it('a full sync: scales out at once, scales in only after the window and within min/max', () => {
    const spec = { minReplicas: 1, maxReplicas: 6, behavior: { ...noWindows, scaleDown: { ...noWindows.scaleDown, stabilizationWindowMs: 3000 } } };
    const metric = (value: number) => [{ name: 'rps', value, target: 100 }];
    const out = computeDesiredReplicas({ current: 2, metrics: metric(400), spec, history: [], events: [], now: 0 });
    expect(out.desired).toBe(6); // ceil(8) bounded by max 6
    const history = [{ t: 0, replicas: out.recommendation }];
    const early = computeDesiredReplicas({ current: 6, metrics: metric(10), spec, history, events: [], now: 1000 });
    expect(early.desired).toBe(6);
    const late = computeDesiredReplicas({ current: 6, metrics: metric(10), spec, history, events: [], now: 3500 });
    expect(late.desired).toBe(1);
  });
});
