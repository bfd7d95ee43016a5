/** The comparison as the reports show it: summary.md, junit.xml and report.html. */
import { beforeAll, describe, expect, it } from 'vitest';
import { withBaseline } from '../../../src/baseline/baseline-options.js';
import { parseTolerances } from '../../../src/baseline/tolerance.js';
import type { Journal } from '../../../src/contract/journal.js';
import { renderHtml } from '../../../src/report/html-reporter.js';
import { renderJunit } from '../../../src/report/junit-reporter.js';
import { renderMarkdown } from '../../../src/report/markdown-reporter.js';
import { findAll, parseXml } from '../report/fixtures/mini-xml.js';
import { simulatedJournal } from './fixtures/simulated-run.js';

let base: Journal;
let slower: Journal;
const compared = (current: Journal, failOnRegression: boolean, file = 'reports/release-41/journal.json'): Journal =>
  withBaseline(current, { journal: base, file, tolerances: parseTolerances([]).tolerances, failOnRegression });

beforeAll(async () => {
  base = await simulatedJournal({ runId: 'release-41' });
  slower = await simulatedJournal({ runId: 'release-42', extraLatencyMs: { predict: 100 }, rollbackAfterS: 12 });
});

describe('summary.md', () => {
  it('has a "Compared with baseline" table with the regressions marked', () => {
    const md = renderMarkdown(compared(slower, false));
    expect(md.split('\n').find((l) => l.startsWith('**Resilience score'))).toMatch(/ · time scale 1 · ❌ 3 regressions vs baseline$/);
    const section = md.slice(md.indexOf('### Compared with baseline'), md.indexOf('### Fault timeline'));
    expect(section).toContain('❌ 3 of 7 figures regressed beyond tolerance (not failing the run: no --fail-on-regression) — baseline run release-41 (holiday-peak, started 2026-11-26T11:59:52.000Z) from reports/release-41/journal.json');
    expect(section).toContain('|  | Figure | Baseline | Now | Change | Tolerance |');
    const rows = section.split('\n').filter((l) => /^\| (❌|✅)/.test(l));
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.startsWith('| ❌ regressed')).map((r) => r.split(' | ')[1])).toEqual(['p99 (all endpoints)', 'p99 (predict)', 'rollback time (deploy-tabular-v2-bad)']);
    expect(rows).toContain('| ❌ regressed | rollback time (deploy-tabular-v2-bad) | 7s | 12s | +71.4% (+5s) | +20% |');
    expect(rows.find((r) => r.includes('| throughput |'))).toBe('| ✅ ok | throughput | 30.0 rps | 30.0 rps | no change | -5% |');
  });

  it('marks figures only one run has as not compared, never as ok or regressed', () => {
    const md = renderMarkdown(compared({ ...slower, events: slower.events.filter((e) => e.type !== 'deploy') }, true));
    expect(md).toContain('| ➖ not compared | rollback time (deploy-tabular-v2-bad) | 7s | – | not comparable (deployed only in the baseline run) | +20% |');
  });

  it('says plainly when nothing regressed, and leaves the section out without a baseline', () => {
    expect(renderMarkdown(compared(base, true))).toContain('✅ no regression beyond tolerance in 7 figures — baseline run release-41');
    expect(renderMarkdown(slower)).not.toContain('Compared with baseline');
  });
});

describe('junit.xml', () => {
  it('one testcase per figure; a regression is skipped with its change unless --fail-on-regression', () => {
    const doc = parseXml(renderJunit(compared(slower, false)));
    const suite = findAll(doc, 'testsuite').find((s) => s.attrs['name'] === 'holiday-peak / compared with baseline')!;
    expect(suite.attrs).toMatchObject({ tests: '7', failures: '0', skipped: '3' });
    const p99 = findAll(suite, 'testcase').find((c) => c.attrs['name'] === 'p99 (predict)')!;
    expect(p99.attrs['classname']).toBe('holiday-peak.baseline');
    expect(p99.children.find((c) => c.name === 'skipped')?.attrs['message']).toMatch(/^regressed: 45\d\.\dms → 55\d\.\dms \(\+2\d\.\d% \(\+\d+(\.\d+)?ms\)\), tolerance \+10%; not failing the run \(no --fail-on-regression\)$/);
    const ok = findAll(suite, 'testcase').find((c) => c.attrs['name'] === 'throughput')!;
    expect(ok.children.map((c) => c.name)).toEqual(['system-out']);
    expect(ok.children[0]!.text).toContain('change: no change\ntolerance: -5%');
  });

  it('with --fail-on-regression each regression is a failure, counted at the top', () => {
    const plain = parseXml(renderJunit(slower));
    const doc = parseXml(renderJunit(compared(slower, true)));
    expect(Number(doc.attrs['failures'])).toBe(Number(plain.attrs['failures']) + 3);
    expect(Number(doc.attrs['tests'])).toBe(Number(plain.attrs['tests']) + 7);
    const rollback = findAll(doc, 'testcase').find((c) => c.attrs['name'] === 'rollback time (deploy-tabular-v2-bad)')!;
    const failure = rollback.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs).toEqual({ message: 'regressed: 7s → 12s (+71.4% (+5s)), tolerance +20%', type: 'regression' });
  });
});

describe('report.html', () => {
  it('has a comparison section with regressed rows highlighted', () => {
    const html = renderHtml(compared(slower, false));
    const section = html.slice(html.indexOf('<section class="card" id="baseline">'), html.indexOf('</section>', html.indexOf('id="baseline"')));
    expect(section).toContain('<h2>Compared with baseline</h2>');
    expect(section.match(/<tr class="regressed">/g)).toHaveLength(3);
    expect(section.match(/<tr class="ok">/g)).toHaveLength(4);
    expect(section).toContain('<tr class="regressed"><td><span class="chip fail">REGRESSED</span></td><td>rollback time (deploy-tabular-v2-bad)</td><td class="num">7s</td><td class="num">12s</td>');
    expect(html).toMatch(/#baseline-table tr\.regressed td \{ background: var\(--fail-bg\); \}/);
    expect(renderHtml(slower)).not.toContain('id="baseline"');
  });

  it('shows a hostile baseline path and scenario name as text', async () => {
    const evil = await simulatedJournal({ runId: '<script>alert(1)</script>' });
    const j = withBaseline(slower, { journal: { ...evil, scenario: { ...evil.scenario, name: '<img src=x onerror=alert(1)>' } }, file: 'x/<b>|y</b>.json', tolerances: parseTolerances([]).tolerances, failOnRegression: true });
    const html = renderHtml(j);
    expect(html).not.toMatch(/<script>alert|<img src=x|<b>\|y/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const md = renderMarkdown(j);
    expect(md).not.toMatch(/<script|<img|<b>/);
    expect(() => parseXml(renderJunit(j))).not.toThrow();
    expect(renderJunit(j)).toContain('baselineFile" value="x/&lt;b&gt;|y&lt;/b&gt;.json"');
  });
});
