/**
 * The gateway under the faults the issue names: the tabular primary SIGKILLed (fallback within
 * 1 s, breaker opens), brought back on the same port (half-open probe, primary serves again),
 * paused (timeout → fallback), and the "broken on purpose" switches --no-fallback / --no-breaker.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessGroup, features, metric, post, waitFor200, type Proc } from './gateway-processes.js';

const group = new ProcessGroup();
let tabular: Proc;
let fallback: Proc;
let gateway: Proc;
let tabularPort: number;

const breakerState = (g: Proc) => metric(g.url, 'gateway_circuit_breaker_state{upstream="tabular"}');

async function startTabular(port = 0): Promise<Proc> {
  return group.service('tabular', ['--version', 'v1'], { port, readyPath: '/v2/health/ready' });
}

beforeAll(async () => {
  [tabular, fallback] = await Promise.all([startTabular(), group.service('fallback', [], { readyPath: '/v2/health/ready' })]);
  tabularPort = tabular.port;
  // No Redis: every request reaches the primary, so faults show at once.
  gateway = await group.service(
    'gateway',
    ['--tabular-url', tabular.url, '--fallback-url', fallback.url, '--half-open-after-ms', '1000'],
    { readyPath: '/ready' },
  );
});

const configDir = mkdtempSync(join(tmpdir(), 'gw-resilience-'));
afterAll(async () => {
  await group.stopAll();
  rmSync(configDir, { recursive: true, force: true });
});

describe('gateway resilience with real tabular and fallback servers', () => {
  it('serves the primary while it is healthy', async () => {
    const r = await post(`${gateway.url}/api/v1/predict`, { features: features(1) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model_type: 'primary', model_version: 'v1', reason: 'ok' });
    expect(r.headers.get('x-cache')).toBe('bypass');
  });

  it('answers from the fallback within 1 s after the primary is SIGKILLed, then opens the breaker', async () => {
    await group.kill(tabular);
    const first = await post(`${gateway.url}/api/v1/predict`, { features: features(2) });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ model_type: 'fallback', reason: 'upstream_error' });
    expect(first.headers.get('x-model-type')).toBe('fallback');
    expect(first.ms).toBeLessThan(1000);
    const reasons: unknown[] = [];
    for (let i = 0; i < 8; i++) reasons.push((await post(`${gateway.url}/api/v1/predict`, { features: features(3 + i) })).json.reason);
    expect(reasons).toContain('breaker_open');
    expect(await breakerState(gateway)).toBe(2);
    const status = (await (await fetch(`${gateway.url}/model/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ using_fallback: true, breakers: { tabular: 'open' } });
    expect(await metric(gateway.url, 'gateway_fallback_total{route="predict",reason="breaker_open"}')).toBeGreaterThan(0);
  });

  it('half-opens and serves from the primary again once it is back on the same port', async () => {
    tabular = await startTabular(tabularPort);
    let r = await post(`${gateway.url}/api/v1/predict`, { features: features(20) });
    const until = Date.now() + 10_000;
    while (r.json.model_type !== 'primary' && Date.now() < until) {
      await new Promise((ok) => setTimeout(ok, 200));
      r = await post(`${gateway.url}/api/v1/predict`, { features: features(20) });
    }
    expect(r.json).toMatchObject({ model_type: 'primary', model_version: 'v1', reason: 'ok' });
    expect(await metric(gateway.url, 'gateway_circuit_breaker_transitions_total{upstream="tabular",state="half_open"}')).toBeGreaterThanOrEqual(1);
    expect(await breakerState(gateway)).toBe(0);
  });

  it('answers from the fallback with reason timeout while the primary is paused', async () => {
    tabular.child.kill('SIGSTOP');
    try {
      const r = await post(`${gateway.url}/api/v1/predict`, { features: features(30) });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ model_type: 'fallback', reason: 'timeout' });
    } finally {
      tabular.child.kill('SIGCONT');
    }
    await waitFor200(`${tabular.url}/v2/health/ready`, 5000);
  });

  it('--no-fallback makes a dead primary visible as 502 then 503 with the error shape', async () => {
    const doomed = await startTabular();
    const strict = await group.service('gateway', ['--tabular-url', doomed.url, '--no-fallback', '--half-open-after-ms', '60000'], {
      readyPath: '/ready',
      name: 'gateway-no-fallback',
    });
    expect((await post(`${strict.url}/api/v1/predict`, { features: features(40) })).json.model_type).toBe('primary');
    await group.kill(doomed);
    const statuses: number[] = [];
    const codes: unknown[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await post(`${strict.url}/api/v1/predict`, { features: features(41 + i) });
      statuses.push(r.status);
      codes.push((r.json.error as { code?: unknown } | undefined)?.code);
    }
    expect(statuses.slice(0, 5)).toEqual([502, 502, 502, 502, 502]);
    expect(statuses.slice(5)).toEqual([503, 503]);
    expect(codes).toEqual([...Array(5).fill('upstream_error'), 'breaker_open', 'breaker_open']);
    expect(await metric(strict.url, 'gateway_fallback_total{route="predict",reason="upstream_error"}')).toBe(0);
  });

  it('--no-breaker sends every request to the dead primary (never breaker_open)', async () => {
    const doomed = await startTabular();
    const noBreaker = await group.service('gateway', ['--tabular-url', doomed.url, '--fallback-url', fallback.url, '--no-breaker'], {
      readyPath: '/ready',
      name: 'gateway-no-breaker',
    });
    await group.kill(doomed);
    const reasons = new Set<unknown>();
    for (let i = 0; i < 12; i++) reasons.add((await post(`${noBreaker.url}/api/v1/predict`, { features: features(60 + i) })).json.reason);
    expect([...reasons]).toEqual(['upstream_error']);
    expect(await metric(noBreaker.url, 'gateway_upstream_requests_total{upstream="tabular",outcome="upstream_error"}')).toBe(12);
  });

  it('the seed fallback policy diverts after more than 10 errors and recovers once its window ages out', async () => {
    // A breaker that never opens, so only the policy can divert; a short window so it recovers fast.
    const config = join(configDir, 'policy.json');
    writeFileSync(
      config,
      JSON.stringify({
        upstreams: { tabular: { breaker: { kind: 'consecutive', failures: 1000 } } },
        fallbackPolicy: { windowMs: 1500, probeIntervalMs: 200 },
      }),
    );
    const own = await startTabular();
    const port = own.port;
    const gw = await group.service('gateway', ['--tabular-url', own.url, '--fallback-url', fallback.url, '--config', config], {
      readyPath: '/ready',
      name: 'gateway-policy',
    });
    await group.kill(own);
    const reasons: unknown[] = [];
    for (let i = 0; i < 14; i++) reasons.push((await post(`${gw.url}/api/v1/predict`, { features: features(80 + i) })).json.reason);
    expect(reasons.slice(0, 11)).toEqual(Array(11).fill('upstream_error'));
    expect(reasons.slice(11)).toContain('policy');
    const status = (await (await fetch(`${gw.url}/model/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ using_fallback: true, breakers: { tabular: 'closed' } });
    await startTabular(port);
    let r = await post(`${gw.url}/api/v1/predict`, { features: features(99) });
    const until = Date.now() + 8000;
    while (r.json.model_type !== 'primary' && Date.now() < until) {
      await new Promise((ok) => setTimeout(ok, 100));
      r = await post(`${gw.url}/api/v1/predict`, { features: features(99) });
    }
    expect(r.json).toMatchObject({ model_type: 'primary', reason: 'ok' });
  });
});
