/**
 * The steady-state hypothesis (after Chaos Toolkit): probes checked before any fault — a
 * gate — and again after every fault is reverted.
 */
import { request } from 'undici';
import { parseDuration } from '../scenario/duration.js';
import type { ProbeSpec } from '../scenario/types.js';
import type { ProbeResult } from '../contract/journal.js';
import type { StackEndpoints } from '../platforms/platform.js';

/** Used when a scenario on the reference stack declares no probes: the gateway is ready and serves a primary prediction. */
export const DEFAULT_PROBES: readonly ProbeSpec[] = [
  { name: 'gateway ready', http: { path: '/ready', method: 'GET', expectStatus: 200 } },
  {
    name: 'predict answers 200',
    http: {
      path: '/api/v1/predict',
      method: 'POST',
      body: { features: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.5] },
      expectStatus: 200,
      maxLatency: '2s',
    },
  },
];

/**
 * The default probes of a stack definition: its entry service answers its readiness path.
 * The reference probes' routes (/ready, /api/v1/predict) are the reference gateway's, which a
 * team's own entry need not have.
 */
export function definedStackProbes(entry: string, readyPath: string): ProbeSpec[] {
  return [{ name: `${entry} ready`, http: { path: readyPath, method: 'GET', expectStatus: 200 } }];
}

/** Checks `probes`, or `defaults` (the reference stack's DEFAULT_PROBES) when the scenario declares none. */
export async function checkSteadyState(probes: readonly ProbeSpec[], endpoints: StackEndpoints, defaults: readonly ProbeSpec[] = DEFAULT_PROBES): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const probe of probes.length > 0 ? probes : defaults) results.push(await runProbe(probe, endpoints));
  return results;
}

async function runProbe(probe: ProbeSpec, endpoints: StackEndpoints): Promise<ProbeResult> {
  const started = performance.now();
  const done = (ok: boolean, observed: string, expected: string): ProbeResult => ({
    name: probe.name,
    ok,
    observed,
    expected,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    if (probe.http) {
      const h = probe.http;
      const base = h.service ? endpoints.services[h.service] : endpoints.gateway;
      if (!base) return done(false, `no endpoint for service "${h.service}"`, 'a known service');
      const expectStatus = h.expectStatus ?? 200;
      const maxMs = h.maxLatency ? parseDuration(h.maxLatency) : 5000;
      const res = await request(new URL(h.path, base), {
        method: h.method ?? (h.body === undefined ? 'GET' : 'POST'),
        headers: h.body === undefined ? {} : { 'content-type': 'application/json' },
        body: h.body === undefined ? null : JSON.stringify(h.body),
        headersTimeout: maxMs,
        bodyTimeout: maxMs,
      });
      await res.body.dump();
      const ms = performance.now() - started;
      const ok = res.statusCode === expectStatus && ms <= maxMs;
      return done(ok, `HTTP ${res.statusCode} in ${ms.toFixed(0)} ms`, `HTTP ${expectStatus} within ${maxMs} ms`);
    }
    if (probe.promql) {
      const p = probe.promql;
      const url = new URL('/api/v1/query', endpoints.prometheus);
      url.searchParams.set('query', p.query);
      const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
      const body = (await res.body.json()) as { data?: { result?: { value?: [number, string] }[] } };
      const raw = body.data?.result?.[0]?.value?.[1];
      if (raw === undefined) return done(false, 'no data', `${p.op} ${p.threshold}`);
      const v = Number(raw);
      return done(compare(v, p.op, p.threshold), String(v), `${p.op} ${p.threshold}`);
    }
    return done(false, 'probe has neither http nor promql', 'http or promql');
  } catch (err) {
    return done(false, `error: ${err instanceof Error ? err.message : String(err)}`, 'an answer');
  }
}

function compare(v: number, op: string, t: number): boolean {
  switch (op) {
    case '<':
      return v < t;
    case '<=':
      return v <= t;
    case '>':
      return v > t;
    case '>=':
      return v >= t;
    default:
      return v === t;
  }
}
