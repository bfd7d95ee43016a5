import { beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../../src/contract/journal.js';
import { renderJunit } from '../../../src/report/junit-reporter.js';
import { buildSampleJournal } from './fixtures/sample-journal.js';
import { findAll, parseXml } from './fixtures/mini-xml.js';

let journal: Journal;
beforeAll(async () => {
  journal = await buildSampleJournal();
});

describe('junit.xml', () => {
  it('has one testcase per SLO and per steady-state probe, with counts CI systems read', () => {
    const doc = parseXml(renderJunit(journal));
    expect(doc.name).toBe('testsuites');
    const cases = findAll(doc, 'testcase');
    const probes = journal.steadyState.before.length + journal.steadyState.after.length;
    expect(cases).toHaveLength(journal.slos.length + probes);
    const failedSlos = journal.slos.filter((s) => s.status !== 'pass' && !s.advisory).length;
    const skipped = journal.slos.filter((s) => s.status !== 'pass' && s.advisory).length;
    const failedProbes = [...journal.steadyState.before, ...journal.steadyState.after].filter((p) => !p.ok).length;
    expect(failedSlos).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(0);
    expect(findAll(doc, 'failure')).toHaveLength(failedSlos + failedProbes);
    expect(findAll(doc, 'skipped')).toHaveLength(skipped);
    expect(doc.attrs['tests']).toBe(String(cases.length));
    expect(doc.attrs['failures']).toBe(String(failedSlos + failedProbes));
    const suites = findAll(doc, 'testsuite');
    expect(suites.map((s) => s.attrs['name'])).toEqual(['holiday-peak / SLOs', 'holiday-peak / steady state before', 'holiday-peak / steady state after']);
    expect(suites.reduce((a, s) => a + Number(s.attrs['tests']), 0)).toBe(cases.length);
  });

  it('says observed vs threshold and the window in each failure', () => {
    const doc = parseXml(renderJunit(journal));
    const failing = journal.slos.find((s) => s.status === 'fail' && !s.advisory)!;
    const tc = findAll(doc, 'testcase').find((c) => c.attrs['name'] === failing.name)!;
    const failure = tc.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs['message']).toBe(`observed ${failing.observed} vs threshold ${failing.threshold} (window ${failing.window})`);
    expect(failure.attrs['type']).toBe('slo-not-met');
    const noData = journal.slos.find((s) => s.status === 'no-data' && !s.advisory);
    if (noData) expect(findAll(doc, 'testcase').find((c) => c.attrs['name'] === noData.name)!.children[0]!.attrs['type']).toBe('no-data');
  });

  it('escapes names and messages from the scenario', async () => {
    const evil = await buildSampleJournal({ scenarioName: `<script>alert("x")</script> & 'co'`, probeName: 'probe ]]> <b>\u0007bell' });
    const xml = renderJunit(evil);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('\u0007');
    const doc = parseXml(xml);
    expect(findAll(doc, 'testsuite')[0]!.attrs['name']).toBe(`<script>alert("x")</script> & 'co' / SLOs`);
    expect(findAll(doc, 'testcase').some((c) => c.attrs['name'] === 'probe ]]> <b>bell')).toBe(true);
  });

  it('adds an errored testcase when the run did not complete', () => {
    const aborted: Journal = { ...journal, status: 'aborted', verdict: 'fail', reason: 'halt: error rate above 50% for 30s' };
    const doc = parseXml(renderJunit(aborted));
    const errors = findAll(doc, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.attrs['message']).toBe('run aborted: halt: error rate above 50% for 30s');
    expect(doc.attrs['errors']).toBe('1');
  });
});
