/**
 * Writes `summary.md`: verdict, resilience score, SLO table, fault timeline, traffic and
 * steady state. Sized for a CI step summary (GitHub's $GITHUB_STEP_SUMMARY): plain GFM
 * tables, no HTML, every run string escaped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineComparison, Journal, SloResult } from '../contract/journal.js';
import { baselineHeadline, baselineRows, type BaselineRow } from './baseline-rows.js';
import { escapeMarkdownCell as cell, escapeMarkdownText as text } from './escape.js';
import { fallbackPercent, fmtDuration, fmtInt, fmtMs, fmtOffset, fmtPercent, fmtRps, headline, runDurationMs, STREAM_COLUMNS, streamCells } from './report-format.js';
import type { Reporter } from './reporter.js';

export const SUMMARY_FILE = 'summary.md';

const STATUS_ICON: Readonly<Record<SloResult['status'], string>> = { pass: '✅ pass', fail: '❌ fail', 'no-data': '⚠️ no data' };

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

const MARK: Readonly<Record<BaselineRow['status'], string>> = { regressed: '❌ regressed', ok: '✅ ok', 'not-compared': '➖ not compared' };

/** "Compared with baseline": one row per figure, regressions marked ❌ and listed first in the headline. */
function baselineSection(c: BaselineComparison): string[] {
  const out = ['### Compared with baseline', '', `${c.regressions > 0 ? '❌' : '✅'} ${text(baselineHeadline(c))}`, ''];
  if (c.notes.length > 0) out.push(...c.notes.map((n) => `> ${text(n)}`), '');
  if (c.figures.length === 0) out.push('_Nothing to compare: neither run measured these figures._');
  else
    out.push(
      ...table(
        ['', 'Figure', 'Baseline', 'Now', 'Change', 'Tolerance'],
        baselineRows(c).map((r) => [MARK[r.status], cell(r.name), cell(r.baseline), cell(r.current), cell(r.change) + (r.note ? ` (${cell(r.note)})` : ''), cell(r.tolerance)]),
      ),
    );
  return out;
}

/** "Findings": what the run showed beyond the SLOs; they do not change the verdict. */
function findingsSection(j: Journal): string[] {
  if (j.findings === undefined) return [];
  const out = ['### Findings', ''];
  if (j.findings.length === 0) out.push('_None: every fault changed what clients saw, and the fallback served 5% or less of each endpoint outside faults._');
  else out.push(...j.findings.map((f) => `- ⚠️ ${text(f.message)}`), '', '_Findings do not change the verdict._');
  out.push('');
  return out;
}

/** The summary.md document for a journal. */
export function renderMarkdown(j: Journal): string {
  const h = headline(j);
  const icon = h.verdict === 'PASS' ? '✅' : h.tone === 'warn' ? '⚠️' : '❌';
  const met = j.slos.filter((s) => s.status === 'pass').length;
  const advisory = j.slos.filter((s) => s.advisory).length;
  const out: string[] = [`## ${icon} ${h.verdict}${h.status ? ` (${h.status})` : ''} — ${text(j.scenario.name)}`, ''];
  if (j.scenario.description) out.push(text(j.scenario.description), '');
  if (j.status !== 'completed') out.push(`> **Run ${text(j.status)}**${j.reason ? `: ${text(j.reason)}` : ''}`, '');
  else if (j.reason) out.push(`> **${text(j.reason)}**`, ''); // e.g. the steady state after the run failed
  out.push(
    `**Resilience score ${j.resilienceScore.toFixed(1)} / 100** · ${met} of ${j.slos.length} SLOs met${advisory ? ` · ${advisory} advisory` : ''} · ` +
      `platform ${text(j.platform)} · seed ${j.seed} · time scale ${j.timeScale}` +
      (j.baseline ? ` · ${j.baseline.regressions > 0 ? `❌ ${j.baseline.regressions} regression${j.baseline.regressions === 1 ? '' : 's'}` : '✅ no regression'} vs baseline` : ''),
    '',
  );

  out.push('### SLOs', '');
  if (j.slos.length === 0) out.push('_No SLOs were evaluated._');
  else
    out.push(
      ...table(
        ['', 'SLO', 'Observed', 'Threshold', 'Window', 'Source'],
        j.slos.map((s) => [
          `${STATUS_ICON[s.status]}${s.advisory ? ' (advisory)' : ''}`,
          s.name === s.expression ? cell(s.expression) : `**${cell(s.name)}** — ${cell(s.expression)}`,
          cell(s.observed) + (s.detail && s.status !== 'pass' ? ` (${cell(s.detail)})` : ''),
          cell(s.threshold),
          cell(s.window),
          cell(s.source),
        ]),
      ),
    );
  out.push('');
  if (j.baseline) out.push(...baselineSection(j.baseline), '');

  out.push('### Fault timeline', '');
  const timeline: { at: number; row: string[] }[] = [
    ...j.faults.map((f) => ({
      at: f.startMs,
      row: [
        fmtOffset(f.startMs),
        f.notInjected !== undefined ? '(not injected)' : f.endMs > f.startMs ? fmtOffset(f.endMs) : '(instant)',
        `fault **${cell(f.id)}**`,
        `${cell(f.kind)} on ${cell(f.target)}${f.notInjected !== undefined ? `: not injected, ${cell(f.notInjected)}` : ''}${f.note ? ` (${cell(f.note)})` : ''}`,
      ],
    })),
    ...j.events.map((e) => ({ at: e.atMs, row: [fmtOffset(e.atMs), '', `event ${cell(e.type)}`, cell(e.message)] })),
  ].sort((a, b) => a.at - b.at);
  if (timeline.length === 0) out.push('_No faults or events._');
  else out.push(...table(['From', 'To', 'What', 'Detail'], timeline.map((t) => t.row)));
  if (j.phases.length > 0) out.push('', `Phases: ${j.phases.map((p) => `${text(p.name)} ${fmtOffset(p.startMs)}–${fmtOffset(p.endMs)}`).join(' · ')}`);
  out.push('');
  out.push(...findingsSection(j));

  out.push('### Traffic', '');
  const t = j.totals;
  const dur = runDurationMs(j);
  out.push(
    ...table(
      ['Requests', 'Achieved', 'Target', 'Errors', 'Dropped', 'Wall time'],
      [[fmtInt(t.requests), fmtRps(t.achievedRps), t.targetRps > 0 ? fmtRps(t.targetRps) : '–', `${fmtInt(t.errors)} (${fmtPercent(t.requests ? t.errors / t.requests : 0)})`, fmtInt(t.dropped), dur === undefined ? '–' : fmtDuration(dur)]],
    ),
  );
  if (j.endpoints.length > 0) {
    out.push(
      '',
      ...table(
        ['Endpoint', 'Requests', 'Errors', 'Fallback %', 'p50', 'p95', 'p99', 'max'],
        j.endpoints.map((e) => [
          cell(e.endpoint),
          fmtInt(e.requests),
          fmtInt(e.errors),
          fallbackPercent(e),
          fmtMs(e.latency.p50),
          fmtMs(e.latency.p95),
          fmtMs(e.latency.p99),
          fmtMs(e.latency.max),
        ]),
      ),
    );
  }
  const streamed = j.endpoints.filter((e) => e.stream !== undefined);
  if (streamed.length > 0) {
    out.push('', ...table(['Streamed', ...STREAM_COLUMNS], streamed.map((e) => [cell(e.endpoint), ...streamCells(e.stream!)])));
  }
  out.push('');

  const probes = [...j.steadyState.before.map((p) => ['before', p] as const), ...j.steadyState.after.map((p) => ['after', p] as const)];
  if (probes.length > 0) {
    out.push('### Steady state', '');
    out.push(...table(['', 'When', 'Probe', 'Observed', 'Expected'], probes.map(([when, p]) => [p.ok ? '✅' : '❌', when, cell(p.name), cell(p.observed), cell(p.expected)])));
    out.push('');
  }
  out.push(`_run ${text(j.runId)} · started ${text(j.startedAt)} · ${text(j.tool.name)} ${text(j.tool.version)}_`, '');
  return out.join('\n');
}

export class MarkdownReporter implements Reporter {
  readonly name = 'markdown';
  readonly file: string;
  constructor(outDir: string) {
    this.file = join(outDir, SUMMARY_FILE);
  }
  onEnd(journal: Journal): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(this.file, renderMarkdown(journal));
  }
}
