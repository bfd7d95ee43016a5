/** The capacity result as capacity.json's shape, capacity.md and capacity.html. */
import { describe, expect, it } from 'vitest';
import { buildResult } from '../../../src/capacity/run-capacity.js';
import { defaultCapacitySlos, parseCapacitySlos } from '../../../src/capacity/capacity-slo.js';
import type { StepResult } from '../../../src/capacity/types.js';
import type { Platform } from '../../../src/platforms/platform.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';
import { renderCapacityHtml } from '../../../src/capacity/capacity-html.js';
import { renderCapacityMarkdown } from '../../../src/capacity/capacity-markdown.js';

function step(rate: number, p99: number, ok: boolean, phase: 'step' | 'bisect' = 'step'): StepResult {
  return {
    rate,
    phase,
    requests: rate * 2,
    errors: 0,
    dropped: 0,
    errorRate: 0,
    achievedRps: rate,
    p50: p99 * 0.9,
    p90: p99,
    p99,
    max: p99 * 1.1,
    concurrency: Math.round(rate * p99 * 0.9) / 1000,
    backlogGrowth: ok ? 0 : 12,
    backlogLimit: 8,
    keptUp: ok,
    slos: [{ slo: 'p99 < 250ms', observed: p99, ok: p99 < 250 }],
    ok,
  };
}

const steps = [step(30, 57, true), step(60, 60, true), step(120, 466, false), step(90, 448, false, 'bisect'), step(75, 102, true, 'bisect'), step(82.5, 362, false, 'bisect'), step(78.8, 154, true, 'bisect')];
const scenario = { name: 'peak <script>alert(1)</script>', file: 'scenarios/x.ts' } as unknown as ResolvedScenario;
const settings = { replicas: 2, startRate: 30, maxRate: 10_000, minRate: 1, precision: 0.05, repeats: 1, tolerance: 0.1, warmupMs: 1000, stepMs: 2000, seed: 1 };

function result(extra: { peakRps?: number; interrupted?: boolean; steps?: StepResult[] } = {}) {
  return buildResult({
    opts: { scenario, service: 'triton', platform: { name: 'local' } as Platform, slos: parseCapacitySlos(['p99<250ms', 'errors<1%']).slos, settings, outDir: '/tmp/x', ...(extra.peakRps ? { peakRps: extra.peakRps } : {}) },
    mode: 'direct',
    target: 'http://127.0.0.1:1',
    note: 'sent straight to the service',
    endpoints: ['detailed'],
    steps: extra.steps ?? steps,
    search: extra.interrupted ? undefined : { lastGood: 78.8, firstBad: 82.5, outcome: 'found', tried: [] },
    headroom: 0.3,
    startedAt: '2026-11-26T16:00:00.000Z',
    interrupted: extra.interrupted ?? false,
  });
}

describe('buildResult', () => {
  it('gives the sustainable rate per replica, the breaking point with its reason, the knee and the advice', () => {
    const r = result({ peakRps: 1500 });
    expect(r).toMatchObject({ outcome: 'found', sustainableRps: 78.8, sustainablePerReplica: 39.4, breakingRps: 82.5, knee: { rate: 75, p99: 102, perReplica: 37.5 } });
    expect(r.breakingReason).toMatch(/p99 < 250ms \(observed 362ms\).*backlog grew by 12/);
    expect(r.recommendation).toMatchObject({ peakRps: 1500, headroom: 0.3, replicas: Math.ceil((1500 * 1.3) / 39.4) });
    expect(r.hpa).toEqual({ metric: 'inference_requests_per_second', averageValue: 27, basis: 'headroom', maxReplicas: Math.ceil(1500 / 27) });
  });

  it('keeps what an interrupted search measured', () => {
    const r = result({ interrupted: true, steps: steps.slice(0, 3) });
    expect(r).toMatchObject({ outcome: 'interrupted', sustainableRps: 60, breakingRps: 120 });
    expect(r.recommendation).toBeUndefined();
  });
});

describe('capacity of a generative service', () => {
  it('holds steps to TTFT and ITL by default, and reports tokens, TTFT and ITL per step with the concurrency at the sustainable rate', () => {
    expect(defaultCapacitySlos('generative')).toEqual(['ttft_p95<500ms', 'itl_p95<50ms', 'errors<1%']);
    expect(defaultCapacitySlos('tabular')).toEqual(['p99<250ms', 'errors<1%']);
    const parsed = parseCapacitySlos(['ttft_p95<500ms', 'itl_p95<50ms', 'goodput(ttft=1s, itl=50ms) > 1']);
    expect(parsed.slos.map((x) => x.metric.kind)).toEqual(['ttft', 'itl']);
    expect(parsed.problems[0]).toMatch(/--slo\[2\] .*expected a latency percentile .*streamed-generation percentile \(ttft_p95<500ms.*got metric goodput/);
    const tok = (ttftP95: number) => ({ ttftP50: ttftP95 / 2, ttftP95, itlP50: 15, itlP95: 18, outputTokensPerSecond: 640 });
    const gen = [{ ...step(20, 560, true), concurrency: 11, tokens: tok(44) }, { ...step(80, 3074, false), concurrency: 187.1, tokens: tok(2046) }];
    const r = buildResult({
      opts: { scenario, service: 'generative', platform: { name: 'local' } as Platform, slos: parseCapacitySlos(defaultCapacitySlos('generative')).slos, settings, outDir: '/tmp/x' },
      mode: 'direct',
      target: 'http://127.0.0.1:1',
      note: 'sent straight to the service',
      endpoints: ['generate'],
      steps: gen,
      search: { lastGood: 20, firstBad: 80, outcome: 'found', tried: [] },
      headroom: 0.3,
      startedAt: '2026-11-26T16:00:00.000Z',
      interrupted: false,
    });
    expect(r.sustainableConcurrency).toBe(11);
    const md = renderCapacityMarkdown(r);
    expect(md).toContain('| Requests in flight at that rate | 11 (mean; rate × mean latency) |');
    expect(md).toContain('| In flight | TTFT p95 | ITL p95 | Tokens/s |');
    expect(md).toMatch(/\| 1 \| step \| 20 rps \| ✓ held .*\| 11 \| 44(\.0)?ms \| 18(\.0)?ms \| 640 \|/);
    expect(renderCapacityHtml(r)).toContain('<th>TTFT p95</th><th>ITL p95</th><th>Tokens/s</th>');
  });
});

describe('capacity reports', () => {
  const r = result({ peakRps: 1500 });

  it('capacity.md answers first and lists every step, with scenario strings escaped', () => {
    const md = renderCapacityMarkdown(r);
    expect(md.split('\n')[0]).toBe('# Capacity — triton: 39.4 rps per replica within the SLOs');
    expect(md).toContain('| Breaking point | 82.5 rps: p99 &lt; 250ms (observed 362ms)');
    expect(md).toContain('SLOs per step: `p99 < 250ms`, `error_rate < 1%`');
    expect(md).toMatch(/Replicas for a 1500 rps peak with 30% headroom \| \*\*50\*\*/);
    expect(md).toContain('averageValue: "27"');
    expect(md).toContain('# triton exports its server');
    expect(md.match(/^\| \d+ \| (step|bisect) \|/gm)).toHaveLength(steps.length);
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
  });

  it('capacity.html is self-contained, with the p50/p99 curves and the breaking point, sustainable rate and knee marked', () => {
    const html = renderCapacityHtml(r);
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/<polyline class="p50"/);
    expect(html).toMatch(/<polyline class="p99"/);
    for (const m of ['sustainable', 'breaking', 'knee']) expect(html).toContain(`data-marker="${m}"`);
    expect(html).toContain('breaking 82.5 rps');
    expect(html).toContain('knee 75 rps');
    expect(html).toContain('SLO p99 &lt; 250ms');
    expect(html.match(/<circle [^>]*class="broke"/g)).toHaveLength(3 + 1); // three broken steps + the legend
  });
});
