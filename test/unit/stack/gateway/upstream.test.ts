import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FALLBACK_POLICY, DEFAULT_UPSTREAMS, type UpstreamPolicyConfig } from '../../../../src/stack/gateway/config.js';
import { GatewayMetrics } from '../../../../src/stack/gateway/metrics.js';
import { Upstream, UpstreamClientError, UpstreamFailure, failureReason } from '../../../../src/stack/gateway/upstream.js';

const made: Upstream[] = [];
function upstream(overrides: Partial<UpstreamPolicyConfig> = {}, useBreaker = true) {
  const metrics = new GatewayMetrics();
  const cfg = { ...DEFAULT_UPSTREAMS.tabular, ...overrides };
  const u = new Upstream('tabular', cfg, 'http://127.0.0.1:9', DEFAULT_FALLBACK_POLICY, metrics, useBreaker);
  made.push(u);
  return { u, metrics, target: u.pick()! };
}
async function reasonOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return failureReason(err) ?? (err instanceof UpstreamClientError ? 'client_error' : 'other');
  }
}
const fail = async (): Promise<never> => {
  throw new UpstreamFailure('boom', 500);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await Promise.all(made.splice(0).map((u) => u.close()));
});

describe('Upstream resilience (breaker, timeout, bulkhead)', () => {
  it('opens the breaker after consecutive failures, then half-opens and closes on a good probe', async () => {
    const { u, target, metrics } = upstream({ breaker: { kind: 'consecutive', failures: 3 }, halfOpenAfterMs: 100 });
    for (let i = 0; i < 3; i++) expect(await reasonOf(u.call(target, fail))).toBe('upstream_error');
    expect(u.breakerState()).toBe(2);
    expect(await reasonOf(u.call(target, async () => 'never called'))).toBe('breaker_open');
    await sleep(120);
    expect(await reasonOf(u.call(target, async () => 'fine'))).toBe('ok');
    expect(u.breakerState()).toBe(0);
    const text = await metrics.registry.getSingleMetricAsString('gateway_circuit_breaker_transitions_total');
    expect(text).toContain('state="half_open"} 1');
    expect(text).toContain('state="closed"} 1');
  });

  it('a caller error (upstream 4xx) neither counts against the breaker nor the window', async () => {
    const { u, target } = upstream({ breaker: { kind: 'consecutive', failures: 2 } });
    const refuse = async (): Promise<never> => {
      throw new UpstreamClientError(400, '{}');
    };
    for (let i = 0; i < 5; i++) expect(await reasonOf(u.call(target, refuse))).toBe('client_error');
    expect(u.breakerState()).toBe(0);
    expect(u.policy.stats().samples).toBe(0);
  });

  it('times out a slow call and aborts its signal', async () => {
    const { u, target } = upstream({ timeoutMs: 50 });
    let aborted = false;
    const slow = (_t: unknown, signal: AbortSignal) =>
      new Promise<string>((resolve) => {
        signal.addEventListener('abort', () => (aborted = true));
        setTimeout(() => resolve('late'), 500);
      });
    expect(await reasonOf(u.call(target, slow))).toBe('timeout');
    expect(aborted).toBe(true);
    expect(u.policy.stats()).toMatchObject({ samples: 1, errors: 1 });
  });

  it('rejects beyond bulkhead limit + queue without blaming the upstream', async () => {
    const { u, target } = upstream({ bulkhead: { limit: 1, queue: 1 } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = [u.call(target, () => gate.then(() => 'a')), u.call(target, async () => 'b')];
    expect(await reasonOf(u.call(target, async () => 'c'))).toBe('bulkhead_full');
    release();
    expect(await Promise.all(held)).toEqual(['a', 'b']);
    expect(u.breakerState()).toBe(0);
  });

  it('--no-breaker: every call tries the upstream however often it failed', async () => {
    const { u, target } = upstream({ breaker: { kind: 'consecutive', failures: 1 } }, false);
    let calls = 0;
    for (let i = 0; i < 5; i++) await reasonOf(u.call(target, () => (calls++, fail())));
    expect(calls).toBe(5);
    expect(u.breakerState()).toBe(0);
  });

  it('splits traffic exactly by canary weight and reports the split', () => {
    const { u } = upstream();
    u.setCanary('http://127.0.0.1:10', 30);
    const picks = Array.from({ length: 100 }, () => u.pick()!.canary);
    expect(picks.filter(Boolean)).toHaveLength(30);
    u.setCanary('http://127.0.0.1:10', 100);
    expect(Array.from({ length: 10 }, () => u.pick()!.url)).toEqual(Array(10).fill('http://127.0.0.1:10'));
    u.setCanary(null, 0);
    expect(u.pick()!.url).toBe('http://127.0.0.1:9');
    expect(u.canary()).toEqual({ upstream: 'tabular', stableUrl: 'http://127.0.0.1:9', canaryUrl: null, weight: 0 });
  });
});
