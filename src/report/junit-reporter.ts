/**
 * Writes `junit.xml` for CI systems: one testcase per SLO and per steady-state probe.
 * A failed SLO's message reads "observed X vs threshold Y (window W)". An advisory SLO
 * that was not met is reported as skipped (it does not fail the verdict, so it must not
 * turn CI red); a run that did not complete adds an errored "run" testcase. A run compared
 * with a baseline adds one testcase per compared figure (see baselineCase).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineComparison, Journal, ProbeResult, SloResult } from '../contract/journal.js';
import { baselineRows, type BaselineRow } from './baseline-rows.js';
import { escapeXml as x } from './escape.js';
import type { Reporter } from './reporter.js';

export const JUNIT_FILE = 'junit.xml';

/** The failure message of an SLO, also used by other reports. */
export function sloFailureMessage(r: SloResult): string {
  return `observed ${r.observed} vs threshold ${r.threshold} (window ${r.window})`;
}

interface Case {
  readonly classname: string;
  readonly name: string;
  readonly timeS: number;
  readonly outcome?: { readonly tag: 'failure' | 'error' | 'skipped'; readonly type?: string; readonly message: string; readonly body?: string };
  readonly out?: string;
}

function sloCase(suite: string, r: SloResult): Case {
  const out = `expression: ${r.expression}\nsource: ${r.source}\nobserved: ${r.observed}\nthreshold: ${r.threshold}\nwindow: ${r.window}${r.detail ? `\ndetail: ${r.detail}` : ''}`;
  const name = r.name;
  if (r.status === 'pass') return { classname: suite, name, timeS: 0, out };
  const message = r.status === 'no-data' ? `no data: ${r.detail ?? 'nothing was measured'} (window ${r.window})` : sloFailureMessage(r);
  if (r.advisory) return { classname: suite, name, timeS: 0, out, outcome: { tag: 'skipped', message: `advisory SLO not met: ${message}` } };
  return { classname: suite, name, timeS: 0, out, outcome: { tag: 'failure', type: r.status === 'no-data' ? 'no-data' : 'slo-not-met', message, body: out } };
}

function probeCase(suite: string, p: ProbeResult): Case {
  const message = `observed ${p.observed} vs expected ${p.expected}`;
  return {
    classname: suite,
    name: p.name,
    timeS: p.durationMs / 1000,
    out: message,
    ...(p.ok ? {} : { outcome: { tag: 'failure' as const, type: 'steady-state', message } }),
  };
}

/**
 * One testcase per compared figure. Within tolerance: passes, system-out says the change.
 * Regressed with --fail-on-regression: a failure. Regressed without it: skipped with the
 * regression as message, like an advisory SLO, so CI shows it without turning red.
 */
function baselineCase(suite: string, c: BaselineComparison, r: BaselineRow): Case {
  const out = `baseline: ${r.baseline}\nnow: ${r.current}\nchange: ${r.change}\ntolerance: ${r.tolerance}${r.note ? `\nnote: ${r.note}` : ''}\nbaseline run: ${c.baseline.runId} (${c.baseline.file})`;
  if (!r.regressed) return { classname: suite, name: r.name, timeS: 0, out };
  const message = `regressed: ${r.baseline} → ${r.current} (${r.change}), tolerance ${r.tolerance}`;
  if (!c.failOnRegression) return { classname: suite, name: r.name, timeS: 0, out, outcome: { tag: 'skipped', message: `${message}; not failing the run (no --fail-on-regression)` } };
  return { classname: suite, name: r.name, timeS: 0, out, outcome: { tag: 'failure', type: 'regression', message, body: out } };
}

function renderCase(c: Case): string {
  const open = `    <testcase classname="${x(c.classname)}" name="${x(c.name)}" time="${c.timeS.toFixed(3)}"`;
  const parts: string[] = [];
  if (c.outcome) {
    const o = c.outcome;
    const type = o.type ? ` type="${x(o.type)}"` : '';
    parts.push(o.body ? `      <${o.tag} message="${x(o.message)}"${type}>${x(o.body)}</${o.tag}>` : `      <${o.tag} message="${x(o.message)}"${type}/>`);
  }
  if (c.out) parts.push(`      <system-out>${x(c.out)}</system-out>`);
  return parts.length === 0 ? `${open}/>` : `${open}>\n${parts.join('\n')}\n    </testcase>`;
}

function renderSuite(name: string, cases: readonly Case[], timestamp: string, props?: Readonly<Record<string, string | number>>): string {
  const count = (tag: string): number => cases.filter((c) => c.outcome?.tag === tag).length;
  const time = cases.reduce((a, c) => a + c.timeS, 0);
  const lines = [
    `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time.toFixed(3)}" timestamp="${x(timestamp)}">`,
  ];
  if (props) {
    lines.push('    <properties>');
    for (const [k, v] of Object.entries(props)) lines.push(`      <property name="${x(k)}" value="${x(v)}"/>`);
    lines.push('    </properties>');
  }
  for (const c of cases) lines.push(renderCase(c));
  lines.push('  </testsuite>');
  return lines.join('\n');
}

/** The token figures of every streamed endpoint, as suite properties CI dashboards can read. */
function streamProperties(j: Journal): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of j.endpoints) {
    const s = e.stream;
    if (!s) continue;
    const k = `stream.${e.endpoint}`;
    Object.assign(out, {
      [`${k}.streams`]: s.streams,
      [`${k}.cutOff`]: s.cutOff,
      [`${k}.noToken`]: s.noToken,
      [`${k}.outputTokens`]: s.outputTokens,
      [`${k}.outputTokensPerSecond`]: s.outputTokensPerSecond,
      [`${k}.ttftP50Ms`]: s.ttft.p50,
      [`${k}.ttftP95Ms`]: s.ttft.p95,
      [`${k}.itlP50Ms`]: s.itl.p50,
      [`${k}.itlP99Ms`]: s.itl.p99,
      [`${k}.tpotP50Ms`]: s.tpot.p50,
    });
  }
  return out;
}

/** The junit.xml document for a journal. */
export function renderJunit(j: Journal): string {
  const scenario = j.scenario.name;
  const ts = j.startedAt.replace(/Z$/, '');
  const sloCases = j.slos.map((r) => sloCase(`${scenario}.slo`, r));
  if (j.status !== 'completed') {
    sloCases.unshift({
      classname: `${scenario}.run`,
      name: 'run completed',
      timeS: 0,
      outcome: { tag: 'error', type: j.status, message: `run ${j.status}${j.reason ? `: ${j.reason}` : ''}` },
    });
  }
  const suites = [
    renderSuite(`${scenario} / SLOs`, sloCases, ts, {
      runId: j.runId,
      platform: j.platform,
      seed: j.seed,
      timeScale: j.timeScale,
      status: j.status,
      verdict: j.verdict,
      resilienceScore: j.resilienceScore,
      ...streamProperties(j),
    }),
  ];
  if (j.steadyState.before.length > 0) suites.push(renderSuite(`${scenario} / steady state before`, j.steadyState.before.map((p) => probeCase(`${scenario}.steady-state.before`, p)), ts));
  if (j.steadyState.after.length > 0) suites.push(renderSuite(`${scenario} / steady state after`, j.steadyState.after.map((p) => probeCase(`${scenario}.steady-state.after`, p)), ts));
  const baselineCases = j.baseline ? baselineRows(j.baseline).map((r) => baselineCase(`${scenario}.baseline`, j.baseline!, r)) : [];
  if (j.baseline) suites.push(renderSuite(`${scenario} / compared with baseline`, baselineCases, ts, { baselineRunId: j.baseline.baseline.runId, baselineFile: j.baseline.baseline.file, regressions: j.baseline.regressions }));
  const all = [...sloCases, ...j.steadyState.before.map((p) => probeCase('', p)), ...j.steadyState.after.map((p) => probeCase('', p)), ...baselineCases];
  const count = (tag: string): number => all.filter((c) => c.outcome?.tag === tag).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(`peakready: ${scenario}`)}" tests="${all.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${all.reduce((a, c) => a + c.timeS, 0).toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

export class JunitReporter implements Reporter {
  readonly name = 'junit';
  readonly file: string;
  constructor(outDir: string) {
    this.file = join(outDir, JUNIT_FILE);
  }
  onEnd(journal: Journal): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(this.file, renderJunit(journal));
  }
}
