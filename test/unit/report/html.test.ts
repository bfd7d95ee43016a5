import { beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/contract/journal.js';
import { renderHtml } from '../../../src/report/html-reporter.js';
import { buildSampleJournal } from './fixtures/sample-journal.js';

let journal: Journal;
beforeAll(async () => {
  journal = await buildSampleJournal();
});

describe('report.html', () => {
  it('is one self-contained file: no external URLs, a CSP that forbids the network', () => {
    const html = renderHtml(journal);
    expect(html).not.toMatch(/\b(src|href)="(?!data:|#)/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;sha256-[A-Za-z0-9+/=]+&#39;;/);
  });

  it('has the SLO table, a chart per metric with fault windows shaded, and the run metadata', () => {
    const html = renderHtml(journal);
    expect(html.match(/<tr class="slo /g)).toHaveLength(journal.slos.length);
    for (const id of ['chart-rate', 'chart-latency', 'chart-errors', 'chart-fallback', 'chart-cache', 'chart-replicas', 'chart-breaker']) expect(html).toContain(`id="${id}"`);
    // every non-empty chart shades both faults and marks the deploy event
    const rate = html.slice(html.indexOf('id="chart-rate"'), html.indexOf('id="chart-latency"'));
    expect(rate.match(/<rect class="fault"/g)).toHaveLength(2);
    expect(rate.match(/<line class="event"/g)).toHaveLength(1);
    // other sampled series group by prefix: one "Restarts" chart with a line per service
    const restarts = html.slice(html.indexOf('<span class="chart-title">Restarts</span>'));
    expect(restarts.slice(0, restarts.indexOf('</figcaption>')).match(/class="key"/g)).toHaveLength(2);
    expect(html).toContain('<span class="chart-title">Active faults</span>');
    expect(html).toContain(`<dt>Run id</dt><dd>${journal.runId}</dd>`);
    expect(html).toContain('<dt>Seed</dt><dd>7</dd>');
  });

  it('renders a scenario named <script>alert(1)</script> as text', async () => {
    const evil = await buildSampleJournal({
      scenarioName: '<script>alert(1)</script>',
      description: '"><img src=x onerror=alert(2)>',
      eventMessage: "</title><script>alert('event')</script>",
    });
    const html = renderHtml(evil);
    expect(html).toContain('<h1 id="scenario-name">&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    // the only script element is the report's own
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
  });

  it('renders a run that stopped before any traffic (steady-state gate failed) without empty charts breaking', () => {
    const gated: Journal = {
      ...journal,
      status: 'steady-state-failed',
      verdict: 'fail',
      reason: 'steady state before: gateway predicts: HTTP 503',
      trafficStartEpochMs: undefined,
      phases: [],
      faults: [],
      events: [],
      endpoints: [],
      timeline: [],
      series: [],
      slos: [],
      resilienceScore: 0,
      totals: { requests: 0, errors: 0, dropped: 0, achievedRps: 0, targetRps: 40 },
    };
    const html = renderHtml(gated);
    expect(html).toContain('<span class="status" id="run-status">STEADY-STATE-FAILED</span>');
    expect(html).toContain('No SLOs were evaluated in this run.');
    expect(html.match(/class="chart empty"/g)).toHaveLength(6);
    expect(html.slice(0, html.indexOf('<script>'))).not.toMatch(/NaN|undefined|Infinity/);
    expect(html).toContain('<div class="label">Traffic time</div><div class="value">–</div>');
  });

  it('has a Findings section (escaped) and a fallback % column in the endpoint table', () => {
    const html = renderHtml({
      ...journal,
      findings: [{ kind: 'fallback-outside-faults', subject: 'generate', message: 'fallback served 62.0% of <generate> answers outside fault windows' }],
    });
    const section = html.slice(html.indexOf('id="findings"'));
    expect(section).toContain('<h2>Findings</h2>');
    expect(section).toContain('fallback served 62.0% of &lt;generate&gt; answers outside fault windows');
    expect(section).toContain('Findings do not change the verdict.');
    expect(html).toContain('<th class="num">Fallback %</th>');
    expect(renderHtml(journal)).not.toContain('id="findings"');
  });
});
