import { describe, expect, it } from 'vitest';
import { DEFAULT_FALLBACK_POLICY } from '../../../../src/stack/gateway/config.js';
import { FallbackPolicy } from '../../../../src/stack/gateway/fallback-policy.js';

function policyAt(overrides: Partial<typeof DEFAULT_FALLBACK_POLICY> = {}) {
  const clock = { t: 1_000_000 };
  const policy = new FallbackPolicy({ ...DEFAULT_FALLBACK_POLICY, ...overrides }, () => clock.t);
  return { policy, clock };
}

describe('FallbackPolicy (the seed should_use_fallback over a sliding window)', () => {
  it('serves the primary while the window is healthy', () => {
    const { policy } = policyAt();
    for (let i = 0; i < 100; i++) policy.record(20, true);
    expect(policy.shouldUseFallback()).toBe(false);
    expect(policy.decide()).toBe('primary');
  });

  it('diverts after more than 10 errors even with few samples (the seed error_count > 10)', () => {
    const { policy } = policyAt({ maxErrorRate: 1 });
    for (let i = 0; i < 10; i++) policy.record(5, false);
    expect(policy.shouldUseFallback()).toBe(false);
    policy.record(5, false);
    expect(policy.shouldUseFallback()).toBe(true);
  });

  it('diverts when the error rate exceeds 5% once minSamples calls are in the window', () => {
    const { policy } = policyAt();
    for (let i = 0; i < 19; i++) policy.record(5, i !== 0);
    expect(policy.stats().errorRate).toBeCloseTo(1 / 19);
    expect(policy.shouldUseFallback()).toBe(false); // 19 < minSamples 20
    policy.record(5, true);
    policy.record(5, false); // 2 errors of 21 = 9.5 %
    expect(policy.shouldUseFallback()).toBe(true);
  });

  it('diverts when the average latency of the window exceeds 500 ms', () => {
    const { policy } = policyAt();
    for (let i = 0; i < 20; i++) policy.record(499, true);
    expect(policy.shouldUseFallback()).toBe(false);
    for (let i = 0; i < 20; i++) policy.record(600, true);
    expect(policy.stats().avgLatency).toBeCloseTo(0.5495, 3);
    expect(policy.shouldUseFallback()).toBe(true);
  });

  it('only the last windowSize calls count: new successes push old errors out', () => {
    const { policy } = policyAt({ windowSize: 100, maxErrors: 1000 });
    for (let i = 0; i < 30; i++) policy.record(5, false);
    expect(policy.shouldUseFallback()).toBe(true);
    for (let i = 0; i < 100; i++) policy.record(5, true);
    expect(policy.stats()).toMatchObject({ samples: 100, errors: 0 });
    expect(policy.shouldUseFallback()).toBe(false);
  });

  it('recovers by itself once the bad calls are older than windowMs', () => {
    const { policy, clock } = policyAt({ windowMs: 10_000 });
    for (let i = 0; i < 15; i++) policy.record(5, false);
    expect(policy.shouldUseFallback()).toBe(true);
    clock.t += 10_001;
    expect(policy.stats().samples).toBe(0);
    expect(policy.shouldUseFallback()).toBe(false);
  });

  it('lets one probe per interval reach the primary while diverting', () => {
    const { policy, clock } = policyAt({ probeIntervalMs: 1000 });
    for (let i = 0; i < 15; i++) policy.record(5, false);
    expect(policy.decide()).toBe('probe');
    expect(policy.decide()).toBe('fallback');
    expect(policy.decide()).toBe('fallback');
    clock.t += 1000;
    expect(policy.decide()).toBe('probe');
  });

  it('reset forgets the window (the breaker proved the primary healthy)', () => {
    const { policy } = policyAt();
    for (let i = 0; i < 15; i++) policy.record(5, false);
    policy.reset();
    expect(policy.stats().samples).toBe(0);
    expect(policy.decide()).toBe('primary');
  });
});
