/**
 * The container image has no flags per run: the kubernetes manifests pass the switched-off
 * mechanisms and the gateway policy through PEAKREADY_DISABLE and PEAKREADY_GATEWAY_OPTIONS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from '../../../../src/stack/gateway/config.js';
import { tailorStack } from '../../../../src/platforms/kubernetes/stack-manifests.js';
import type { K8sObject } from '../../../../src/contract/k8s-objects.js';

const dir = mkdtempSync(join(tmpdir(), 'gateway-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gateway configuration from the environment', () => {
  it('PEAKREADY_DISABLE switches mechanisms off like --no-fallback, --no-breaker, --no-cache', () => {
    expect(resolveGatewayConfig({}, { PEAKREADY_DISABLE: 'fallback, cache' }).switches).toEqual({ fallback: false, breaker: true, cache: false });
    expect(resolveGatewayConfig({}, { PEAKREADY_DISABLE: 'breaker' }).switches).toEqual({ fallback: true, breaker: false, cache: true });
    expect(resolveGatewayConfig({}, { PEAKREADY_DISABLE: '' }).switches).toEqual({ fallback: true, breaker: true, cache: true });
    // Flags and env add up: either switches a mechanism off.
    expect(resolveGatewayConfig({ 'no-breaker': true }, { PEAKREADY_DISABLE: 'cache' }).switches).toEqual({ fallback: true, breaker: false, cache: false });
  });

  it('refuses an unknown name in PEAKREADY_DISABLE instead of leaving the mechanism on', () => {
    expect(() => resolveGatewayConfig({}, { PEAKREADY_DISABLE: 'fallback,brekaer' })).toThrow(/PEAKREADY_DISABLE: expected a comma list of fallback, breaker, cache, got "brekaer"/);
  });

  it('PEAKREADY_GATEWAY_OPTIONS sets thresholds with the --config file\'s shape', () => {
    const c = resolveGatewayConfig(
      {},
      { PEAKREADY_GATEWAY_OPTIONS: JSON.stringify({ fallbackPolicy: { maxErrorRate: 0.2 }, upstreams: { tabular: { timeoutMs: 250 } }, cache: { ttlSeconds: 60 }, maxBatch: 8 }) },
    );
    expect(c.fallbackPolicy.maxErrorRate).toBe(0.2);
    expect(c.fallbackPolicy.maxErrors).toBe(10);
    expect(c.upstreams.tabular.timeoutMs).toBe(250);
    expect(c.upstreams.tabular.connections).toBe(64);
    expect(c.cache).toEqual({ ttlSeconds: 60, commandTimeoutMs: 50 });
    expect(c.maxBatch).toBe(8);
  });

  it('a --config file wins over PEAKREADY_GATEWAY_OPTIONS field by field', () => {
    const file = join(dir, 'gateway.json');
    writeFileSync(file, JSON.stringify({ upstreams: { tabular: { timeoutMs: 900 } } }));
    const c = resolveGatewayConfig({ config: file }, { PEAKREADY_GATEWAY_OPTIONS: JSON.stringify({ upstreams: { tabular: { timeoutMs: 250, connections: 4 } }, maxBatch: 8 }) });
    expect(c.upstreams.tabular.timeoutMs).toBe(900);
    expect(c.upstreams.tabular.connections).toBe(4);
    expect(c.maxBatch).toBe(8);
  });

  it('names the variable and the field of bad options', () => {
    expect(() => resolveGatewayConfig({}, { PEAKREADY_GATEWAY_OPTIONS: '{"fallbackPolicy":{"maxErrorRate":3}}' })).toThrow(/PEAKREADY_GATEWAY_OPTIONS: fallbackPolicy\.maxErrorRate/);
    expect(() => resolveGatewayConfig({}, { PEAKREADY_GATEWAY_OPTIONS: '{"cahce":{}}' })).toThrow(/PEAKREADY_GATEWAY_OPTIONS: \(root\)/);
    expect(() => resolveGatewayConfig({}, { PEAKREADY_GATEWAY_OPTIONS: '{maxBatch: 3' })).toThrow(/PEAKREADY_GATEWAY_OPTIONS: expected JSON/);
  });

  it('reads exactly what the kubernetes manifests put into the gateway container', () => {
    const gateway: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gateway' },
      spec: { template: { spec: { containers: [{ name: 'gateway', image: 'x', env: [] }] } } },
    };
    const [tailored] = tailorStack([gateway], { namespace: 'ns', stack: { disable: ['cache', 'autoscaler', 'breaker'], gateway: { fallbackPolicy: { maxErrors: 3 } } } });
    const env = Object.fromEntries(((tailored!.spec as any).template.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    const c = resolveGatewayConfig({}, env);
    expect(c.switches).toEqual({ fallback: true, breaker: false, cache: false });
    expect(c.fallbackPolicy.maxErrors).toBe(3);
  });
});
