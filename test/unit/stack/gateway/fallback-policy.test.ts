import { describe, expect, it } from 'vitest';
import { DEFAULT_FALLBACK_POLICY, DEFAULT_GENERATE_FALLBACK_POLICY } from '../../../../src/stack/gateway/config.js';
import { FallbackPolicy, generateThresholds, seedThresholds } from '../../../../src/stack/gateway/fallback-policy.js';

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

describe('generate route thresholds (time to first token, upstream failure rate)', () => {
  const clock = { t: 1_000_000 };
  const make = () => new FallbackPolicy(generateThresholds(DEFAULT_GENERATE_FALLBACK_POLICY), () => clock.t);

  it('ignores completion-length latencies that would trip the seed policy; trips on slow first tokens', () => {
    const seed = new FallbackPolicy(seedThresholds(DEFAULT_FALLBACK_POLICY), () => clock.t);
    const gen = make();
    // 700 ms: a healthy 32-token completion, recorded as such by the seed policy and as its TTFT (60 ms) by generate.
    for (let i = 0; i < 50; i++) {
      seed.record(700, true);
      gen.record(60, true);
    }
    expect(seed.shouldUseFallback()).toBe(true);
    expect(gen.shouldUseFallback()).toBe(false);
    expect(gen.latencySignal).toBe('ttft');
    for (let i = 0; i < 100; i++) gen.record(1500, true);
    expect(gen.shouldUseFallback()).toBe(true);
  });

  it('trips on the upstream failure rate over 5 %, not on a count of 11 errors in a large window', () => {
    const gen = make();
    for (let i = 0; i < 100; i++) gen.record(50, i % 25 !== 0); // 4 % failures
    expect(gen.shouldUseFallback()).toBe(false);
    for (let i = 0; i < 10; i++) gen.record(50, false);
    expect(gen.stats().errorRate).toBeGreaterThan(0.05);
    expect(gen.shouldUseFallback()).toBe(true);
  });
});

describe('generate thresholds against the vLLM profile they are written next to', () => {
  it("sit above the profile's TTFT and below what its healthy completions take", async () => {
    const { loadVllmProfile, prefillMs, decodeStepMs } = await import('../../../../src/stack/generative/profile.js');
    const { GENERATE_MAX_AVG_TTFT_MS } = await import('../../../../src/stack/profiles/generate-fallback-thresholds.js');
    const p = loadVllmProfile('src/stack/profiles/vllm-a100-llama-8b.json');
    // An idle server's first token for a 1k-token prompt (the profile's note: ~100-250 ms) is far under the threshold...
    expect(prefillMs(p, 1000) * 4).toBeLessThanOrEqual(GENERATE_MAX_AVG_TTFT_MS);
    // ...while a healthy 32-token answer at the profile's max_num_seqs takes longer than the seed's 500 ms,
    // which is why generate must not be judged on completion time.
    const completion = prefillMs(p, 40) + 32 * decodeStepMs(p, p.maxNumSeqs);
    expect(completion).toBeGreaterThan(DEFAULT_FALLBACK_POLICY.maxAvgLatencyMs);
  });
});
