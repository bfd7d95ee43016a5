/**
 * Streamed generations in every report: summary.md's table, junit.xml's suite properties
 * and report.html's table and charts (TTFT / ITL percentiles and tokens/s over time). A run
 * without streams shows none of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Journal, LatencySummary, StreamSummary } from '../../../src/contract/journal.js';
import { renderHtml } from '../../../src/report/html-reporter.js';
import { renderJunit } from '../../../src/report/junit-reporter.js';
import { renderMarkdown } from '../../../src/report/markdown-reporter.js';
import { buildSampleJournal } from './fixtures/sample-journal.js';

const lat = (p50: number, p95: number, p99: number): LatencySummary => ({ count: 100, min: p50 / 2, mean: p50, p50, p90: p95, p95, p99, p999: p99, max: p99 * 1.2 });
const stream: StreamSummary = {
  streams: 120,
  complete: 117,
  cutOff: 2,
  noToken: 1,
  inputTokens: 7680,
  outputTokens: 3744,
  outputTokensPerSecond: 41.6,
  ttft: lat(33.3, 46.8, 60.1),
  itl: lat(13.5, 20.2, 24.8),
  tpot: lat(13.7, 15.1, 16.0),
};

let plain: Journal;
let streamed: Journal;
beforeAll(async () => {
  plain = await buildSampleJournal();
  const [first, ...rest] = plain.endpoints;
  streamed = {
    ...plain,
    endpoints: [{ ...first!, endpoint: 'generate', stream }, ...rest],
    timeline: plain.timeline.map((s) => (s.endpoint === '*' ? { ...s, tokens: { output: 40 + (s.t % 5), ttftP50: 30, ttftP95: 45 + (s.t % 7), itlP50: 13.5, itlP99: 24 } } : s)),
  };
});

describe('streamed generations in the reports', () => {
  it('summary.md: a row per streamed endpoint with streams, cut-offs, tokens/s, TTFT, ITL and TPOT', () => {
    const md = renderMarkdown(streamed);
    expect(md).toContain('| Streamed | Streams | Cut off | No token | Output tokens | Tokens/s | TTFT p50 | TTFT p95 | ITL p50 | ITL p99 | TPOT p50 |');
    expect(md).toMatch(/\| generate \| 120 \| 2 \| 1 \| 3,744 \| 41\.6 \| 33\.3 ?ms \| 46\.8 ?ms \| 13\.5 ?ms \| 24\.8 ?ms \| 13\.7 ?ms \|/);
    expect(renderMarkdown(plain)).not.toContain('| Streamed |');
  });

  it('junit.xml: the token figures as properties a CI dashboard can read', () => {
    const xml = renderJunit(streamed);
    for (const [k, v] of [
      ['stream.generate.ttftP95Ms', '46.8'],
      ['stream.generate.itlP99Ms', '24.8'],
      ['stream.generate.outputTokensPerSecond', '41.6'],
      ['stream.generate.cutOff', '2'],
    ]) {
      expect(xml).toContain(`<property name="${k}" value="${v}"/>`);
    }
    expect(renderJunit(plain)).not.toContain('stream.');
  });

  it('report.html: the streamed table and the TTFT/ITL and tokens/s charts over time', () => {
    const html = renderHtml(streamed);
    expect(html).toContain('<table id="stream-table">');
    expect(html).toMatch(/<td>generate<\/td><td class="num">120<\/td><td class="num">2<\/td><td class="num">1<\/td><td class="num">3,744<\/td><td class="num">41\.6<\/td>/);
    expect(html).toContain('id="chart-ttft"');
    expect(html).toContain('id="chart-tokens"');
    expect(html).toContain('TTFT p95');
    const none = renderHtml(plain);
    expect(none).not.toContain('id="chart-ttft"');
    expect(none).not.toContain('stream-table');
  });
});
