import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from '../../../../src/stack/gateway/config.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gateway configuration', () => {
  it('takes URLs from flags first, then from the environment', () => {
    const c = resolveGatewayConfig({ 'tabular-url': 'http://127.0.0.1:1/' }, { TABULAR_URL: 'http://x:2', FALLBACK_URL: 'http://127.0.0.1:3', REDIS_URL: 'redis://127.0.0.1:4' });
    expect(c.urls.tabular).toBe('http://127.0.0.1:1');
    expect(c.urls.fallback).toBe('http://127.0.0.1:3');
    expect(c.redisUrl).toBe('redis://127.0.0.1:4');
    expect(c).toMatchObject({ maxBatch: 50, maxTokens: 256, cache: { ttlSeconds: 1800, commandTimeoutMs: 50 } });
    expect(c.fallbackPolicy).toMatchObject({ maxErrors: 10, maxAvgLatencyMs: 500, maxErrorRate: 0.05, windowSize: 100 });
    // The generate route has its own policy: first-token time and upstream failure rate.
    expect(c.generateFallbackPolicy).toMatchObject({ maxAvgTtftMs: 1000, maxUpstreamErrorRate: 0.05 });
    expect(c.switches).toEqual({ fallback: true, breaker: true, cache: true });
  });

  it('switches and limits from flags', () => {
    const c = resolveGatewayConfig({ 'no-fallback': true, 'no-breaker': true, 'no-cache': true, 'max-batch': '10', 'max-tokens': '32', 'half-open-after-ms': '500' }, {});
    expect(c.switches).toEqual({ fallback: false, breaker: false, cache: false });
    expect(c.maxBatch).toBe(10);
    expect(c.maxTokens).toBe(32);
    expect(c.upstreams.triton.halfOpenAfterMs).toBe(500);
  });

  it('names the flag on a bad value', () => {
    expect(() => resolveGatewayConfig({ 'tabular-url': 'nope' }, {})).toThrow(/--tabular-url: expected an http\(s\) URL/);
    expect(() => resolveGatewayConfig({ 'max-batch': '0' }, {})).toThrow(/--max-batch: expected an integer 1\.\.10000, got "0"/);
  });

  it('merges thresholds from --config and names the file and field of a bad one', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ fallbackPolicy: { maxErrors: 3 }, upstreams: { tabular: { timeoutMs: 250, breaker: { kind: 'sampling', threshold: 0.5, durationMs: 5000 } } } }));
    const c = resolveGatewayConfig({ config: good }, {});
    expect(c.fallbackPolicy.maxErrors).toBe(3);
    expect(c.fallbackPolicy.maxErrorRate).toBe(0.05);
    expect(c.upstreams.tabular).toMatchObject({ timeoutMs: 250, halfOpenAfterMs: 2000, breaker: { kind: 'sampling' } });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ fallbackPolicy: { maxErrorRate: 2 } }));
    expect(() => resolveGatewayConfig({ config: bad }, {})).toThrow(`${bad}: fallbackPolicy.maxErrorRate`);
  });
});
