/**
 * The charts report.html shows, derived from the journal: rate, latency percentiles,
 * errors, fallback share, cache hit ratio (per second, all endpoints), streamed-generation
 * TTFT / ITL and output tokens when any answer was a stream, replicas and any other
 * server-side series the runner sampled.
 */
import type { Journal, SecondSample, Series } from '../contract/journal.js';
import type { ChartFrame, ChartInput } from './html-charts.js';
import { allEndpointSeconds, headerShare } from './report-format.js';

const SERIES_COLORS = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be123c', '#ca8a04', '#475569'];

/** The time frame every chart shares. */
export function chartFrame(j: Journal): ChartFrame {
  const lastSecond = j.timeline.reduce((m, s) => Math.max(m, s.t + 1), 0);
  const lastPhase = j.phases.reduce((m, p) => Math.max(m, p.endMs / 1000), 0);
  const lastFault = j.faults.reduce((m, f) => Math.max(m, f.endMs / 1000), 0);
  return { durationS: Math.max(lastSecond, lastPhase, lastFault, 1), faults: j.faults, events: j.events.filter((e) => e.atMs >= 0), phases: j.phases };
}

function perSecond(secs: readonly SecondSample[], f: (s: SecondSample) => number | null): [number, number | null][] {
  return secs.map((s) => [s.t + 0.5, f(s)]);
}

export function chartInputs(j: Journal): ChartInput[] {
  const secs = allEndpointSeconds(j);
  const has = (s: SecondSample): boolean => s.requests > 0;
  const pct = (v: number | null): number | null => (v === null ? null : v * 100);
  const charts: ChartInput[] = [
    {
      id: 'chart-rate',
      title: 'Request rate',
      subtitle: 'completed, failed and dropped requests per second',
      unit: 'rps',
      lines: [
        { name: 'requests/s', color: '#2563eb', points: perSecond(secs, (s) => s.requests) },
        { name: 'errors/s', color: '#dc2626', points: perSecond(secs, (s) => s.errors) },
        { name: 'dropped/s', color: '#d97706', points: perSecond(secs, (s) => s.dropped), dashed: true },
      ],
    },
    {
      id: 'chart-latency',
      title: 'Latency',
      subtitle: 'p50 / p95 / p99 per second, from the intended send time',
      unit: 'ms',
      lines: [
        { name: 'p50', color: '#0891b2', points: perSecond(secs, (s) => (has(s) ? s.latency.p50 : null)) },
        { name: 'p95', color: '#7c3aed', points: perSecond(secs, (s) => (has(s) ? s.latency.p95 : null)) },
        { name: 'p99', color: '#db2777', points: perSecond(secs, (s) => (has(s) ? s.latency.p99 : null)) },
      ],
    },
    {
      id: 'chart-errors',
      title: 'Error rate',
      subtitle: 'share of requests with a transport error or a 4xx/5xx status',
      unit: '%',
      yMin: 1,
      lines: [{ name: 'error rate', color: '#dc2626', points: perSecond(secs, (s) => (has(s) ? (s.errors / s.requests) * 100 : null)) }],
    },
    {
      id: 'chart-fallback',
      title: 'Fallback share',
      subtitle: 'answers with x-model-type: fallback',
      unit: '%',
      yMin: 100,
      lines: [{ name: 'fallback', color: '#ea580c', points: perSecond(secs, (s) => pct(headerShare(s.modelType, 'fallback'))) }],
      emptyText: 'No answers carried an x-model-type header.',
    },
    {
      id: 'chart-cache',
      title: 'Cache hit ratio',
      subtitle: 'x-cache: hit / (hit + miss)',
      unit: '%',
      yMin: 100,
      lines: [{ name: 'hit ratio', color: '#16a34a', points: perSecond(secs, (s) => pct(headerShare(s.cache, 'hit', ['hit', 'miss']))) }],
      emptyText: 'No answers carried an x-cache header.',
    },
  ];
  if (secs.some((s) => s.tokens !== undefined)) {
    const tok = (f: (t: NonNullable<SecondSample['tokens']>) => number): [number, number | null][] => perSecond(secs, (s) => (s.tokens && s.tokens.output > 0 ? f(s.tokens) : null));
    charts.push(
      {
        id: 'chart-ttft',
        title: 'Streamed generation latency',
        subtitle: 'time to first token p50 / p95 and inter-token latency p50 / p99, per second sent',
        unit: 'ms',
        lines: [
          { name: 'TTFT p50', color: '#0891b2', points: tok((t) => t.ttftP50) },
          { name: 'TTFT p95', color: '#7c3aed', points: tok((t) => t.ttftP95) },
          { name: 'ITL p50', color: '#16a34a', points: tok((t) => t.itlP50), dashed: true },
          { name: 'ITL p99', color: '#db2777', points: tok((t) => t.itlP99), dashed: true },
        ],
      },
      {
        id: 'chart-tokens',
        title: 'Output tokens',
        subtitle: 'tokens per second of the streams sent in each second',
        unit: 'rps',
        lines: [{ name: 'tokens/s', color: '#9333ea', points: perSecond(secs, (s) => s.tokens?.output ?? 0) }],
      },
    );
  }
  const replicas = j.series.filter((s) => s.name.startsWith('replicas:'));
  charts.push({
    id: 'chart-replicas',
    title: 'Replicas',
    subtitle: 'ready replicas per service',
    unit: 'count',
    lines: replicas.map((s, i) => ({ name: s.name.slice('replicas:'.length), color: SERIES_COLORS[i % SERIES_COLORS.length]!, step: true, points: s.points })),
    emptyText: 'The platform reported no replica counts.',
  });
  const breakers = j.series.filter((s) => s.name.startsWith('breaker:'));
  if (breakers.length > 0) {
    charts.push({
      id: 'chart-breaker',
      title: 'Circuit breakers',
      subtitle: '0 closed · 1 half-open · 2 open',
      unit: 'count',
      yMin: 2,
      lines: breakers.map((s, i) => ({ name: s.name.slice('breaker:'.length), color: SERIES_COLORS[(i + 3) % SERIES_COLORS.length]!, step: true, points: s.points })),
    });
  }
  // Other series group by their prefix ("restarts:tabular", "restarts:gateway" → one chart).
  const groups = new Map<string, { unit: string; series: Series[] }>();
  for (const s of j.series) {
    if (s.name.startsWith('replicas:') || s.name.startsWith('breaker:')) continue;
    const key = s.name.includes(':') ? s.name.slice(0, s.name.indexOf(':')) : s.name;
    const g = groups.get(key) ?? { unit: s.unit, series: [] };
    g.series.push(s);
    groups.set(key, g);
  }
  [...groups.entries()].forEach(([key, g], i) => {
    charts.push({
      id: `chart-series-${i}`,
      title: key.charAt(0).toUpperCase() + key.slice(1).replace(/-/g, ' '),
      subtitle: g.unit,
      unit: 'count',
      lines: g.series.map((s, k) => ({ name: s.name.includes(':') ? s.name.slice(key.length + 1) : s.name, color: SERIES_COLORS[k % SERIES_COLORS.length]!, step: true, points: s.points })),
    });
  });
  return charts;
}
