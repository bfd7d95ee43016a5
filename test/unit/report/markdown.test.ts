import { beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/journal.js';
import { renderMarkdown } from '../../../src/report/markdown-reporter.js';
import { buildSampleJournal } from './fixtures/sample-journal.js';

let journal: Journal;
beforeAll(async () => {
  journal = await buildSampleJournal();
});

describe('summary.md', () => {
  it('leads with the verdict, the resilience score and how many SLOs were met', () => {
    const md = renderMarkdown(journal);
    const met = journal.slos.filter((s) => s.status === 'pass').length;
    expect(md.split('\n')[0]).toBe(`## ${journal.verdict === 'pass' ? '✅ PASS' : '❌ FAIL'} — holiday-peak`);
    expect(md).toContain(`**Resilience score ${journal.resilienceScore.toFixed(1)} / 100** · ${met} of ${journal.slos.length} SLOs met · 2 advisory`);
  });

  it('has an SLO table row per SLO with status, observed, threshold and window', () => {
    const md = renderMarkdown(journal);
    const rows = md.split('\n').filter((l) => /^\| (✅|❌|⚠️)/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(journal.slos.length);
    const fail = journal.slos.find((s) => s.status === 'fail')!;
    const row = rows.find((r) => r.includes(fail.window.replace(/[[\]]/g, (c) => `\\${c}`)) && r.includes('❌ fail'))!;
    expect(row).toBeDefined();
    // Markdown escapes < and _; the rendered text reads the same as the result.
    expect(row).toContain(fail.threshold.replace('<', '&lt;').replace('>', '&gt;'));
    const named = journal.slos.find((s) => s.name === 'error rate stays under 5%')!;
    expect(md).toContain(`**error rate stays under 5%** — error\\_rate &lt; 5%`);
    expect(named.status).toBe('pass');
  });

  it('lists the fault timeline in time order, with events', () => {
    const md = renderMarkdown(journal);
    const tl = md.slice(md.indexOf('### Fault timeline'), md.indexOf('### Traffic'));
    const kill = tl.indexOf('fault **kill-tabular**');
    const lat = tl.indexOf('fault **latency-triton**');
    const deploy = tl.indexOf('event deploy');
    expect(kill).toBeGreaterThan(0);
    expect(kill).toBeLessThan(lat);
    expect(lat).toBeLessThan(deploy);
    expect(tl).toContain('| 20.0s | 35.0s | fault **kill-tabular** | unavailable on tabular |');
    expect(tl).toContain('Phases: baseline 0.0s–30.0s · peak 30.0s–60.0s');
  });

  it('shows scenario strings as text, never as HTML or table breaks', async () => {
    const evil = await buildSampleJournal({ scenarioName: '<script>alert(1)</script>', eventMessage: 'deploy | <img src=x onerror=alert(1)>' });
    const md = renderMarkdown(evil);
    expect(md).not.toMatch(/<script|<img/);
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('deploy \\| &lt;img src=x onerror=alert(1)&gt;');
  });

  it('marks an aborted run in the headline and says why', () => {
    const md = renderMarkdown({ ...journal, status: 'aborted', verdict: 'fail', reason: 'SIGINT' });
    expect(md.split('\n')[0]).toBe('## ⚠️ FAIL (ABORTED) — holiday-peak');
    expect(md).toContain('> **Run aborted**: SIGINT');
  });
});
