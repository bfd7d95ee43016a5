import { beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/contract/journal.js';
import { renderMarkdown } from '../../../src/report/markdown-reporter.js';
import { computeFindings } from '../../../src/runner/findings.js';
import { FAULTS, PHASES, simulateClient } from '../slo/fixtures/sim-run.js';
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

  it('has a fallback % column in the endpoint table', () => {
    const md = renderMarkdown(journal);
    expect(md).toContain('| Endpoint | Requests | Errors | Fallback % | p50 | p95 | p99 | max |');
    const predict = journal.endpoints.find((e) => e.endpoint === 'predict')!;
    const typed = Object.values(predict.modelType).reduce((a, b) => a + b, 0);
    const share = `${(((predict.modelType['fallback'] ?? 0) / typed) * 100).toFixed(2)}%`;
    expect(md.split('\n').find((l) => l.startsWith('| predict |'))!.split(' | ')[3]).toBe(share);
  });

  it('lists the findings after the fault timeline, and says they do not change the verdict', () => {
    // The simulated run's faults both bite; a fault that changed nothing is added to show the "did not bite" finding.
    const quiet = { id: 'latency-redis', kind: 'latency', target: 'redis', startMs: 52_000, endMs: 56_000, params: {} };
    const { faultEffects, findings } = computeFindings({ load: simulateClient(), faults: [...FAULTS, quiet], phases: PHASES });
    expect(faultEffects.map((f) => [f.fault, f.bit])).toEqual([['kill-tabular', true], ['latency-triton', true], ['latency-redis', false]]);
    const md = renderMarkdown({ ...journal, faultEffects, findings });
    const section = md.slice(md.indexOf('### Findings'), md.indexOf('### Traffic'));
    expect(md.indexOf('### Fault timeline')).toBeLessThan(md.indexOf('### Findings'));
    expect(section).toContain('- ⚠️ fault latency-redis (latency on redis) did not bite');
    expect(section).toContain('_Findings do not change the verdict._');
    // An old journal (no findings field) renders no section; an empty list says so.
    expect(renderMarkdown(journal)).not.toContain('### Findings');
    expect(renderMarkdown({ ...journal, findings: [] })).toContain('_None: every fault changed what clients saw');
  });
});
