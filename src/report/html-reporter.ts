/**
 * Writes `report.html`: one self-contained file (inline CSS, inline SVG charts, one small
 * inline script) that makes no network request. Its Content-Security-Policy allows only
 * that script (by hash) and inline styles, so even a string that escaped escaping could
 * not load or run anything. Every string from the scenario or the run is HTML-escaped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineComparison, Journal, ProbeResult } from '../contract/journal.js';
import { baselineHeadline, baselineRows, type BaselineRow } from './baseline-rows.js';
import { chartFrame, chartInputs } from './chart-data.js';
import { escapeHtml as e } from './escape.js';
import { FAULT_COLORS, renderChart, renderTimelineStrip } from './html-charts.js';
import { fallbackPercent, fmtDuration, fmtInt, fmtMs, fmtOffset, fmtPercent, fmtRps, headline, runDurationMs, STREAM_COLUMNS, streamCells } from './report-format.js';
import type { Reporter } from './reporter.js';

export const HTML_FILE = 'report.html';

let assets: { css: string; js: string } | undefined;
function loadAssets(): { css: string; js: string } {
  assets ??= {
    css: readFileSync(new URL('./assets/report.css', import.meta.url), 'utf8'),
    js: readFileSync(new URL('./assets/report.js', import.meta.url), 'utf8'),
  };
  return assets;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const STATUS_TEXT = { pass: 'PASS', fail: 'FAIL', 'no-data': 'NO DATA' } as const;

function kpi(label: string, value: string, sub?: string, extra = ''): string {
  return `<div class="kpi"><div class="label">${e(label)}</div><div class="value">${value}</div>${sub ? `<div class="sub">${sub}</div>` : ''}${extra}</div>`;
}

function sloTable(j: Journal): string {
  if (j.slos.length === 0) return '<p class="desc">No SLOs were evaluated in this run.</p>';
  const rows = j.slos.map((s) => {
    const name = s.name === s.expression ? `<span class="mono">${e(s.expression)}</span>` : `${e(s.name)}<span class="expr mono">${e(s.expression)}</span>`;
    const detail = s.detail ? `<span class="detail">${e(s.detail)}</span>` : '';
    return (
      `<tr class="slo ${e(s.status)}"><td><span class="chip ${e(s.status)}">${STATUS_TEXT[s.status]}</span></td>` +
      `<td class="slo-name">${name}${s.advisory ? '<span class="tag">advisory</span>' : ''}</td>` +
      `<td class="num">${e(s.observed)}${detail}</td><td class="num">${e(s.threshold)}</td>` +
      `<td class="window">${e(s.window)}</td><td>${e(s.source)}</td><td class="num">${e(s.weight)}</td></tr>`
    );
  });
  return `<table id="slo-table"><thead><tr><th>Status</th><th>SLO</th><th class="num">Observed</th><th class="num">Threshold</th><th>Window</th><th>Source</th><th class="num">Weight</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CHIP: Readonly<Record<BaselineRow['status'], readonly [cls: string, label: string]>> = { regressed: ['fail', 'REGRESSED'], ok: ['pass', 'OK'], 'not-compared': ['no-data', 'NOT COMPARED'] };

/** The baseline comparison: one row per figure, regressed rows highlighted. */
function baselineSection(c: BaselineComparison): string {
  const head = `<p class="desc" id="baseline-headline"><span class="chip ${c.regressions > 0 ? 'fail' : 'pass'}">${c.regressions > 0 ? 'REGRESSED' : 'OK'}</span> ${e(baselineHeadline(c))}</p>`;
  const notes = c.notes.length > 0 ? `<ul class="desc">${c.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : '';
  if (c.figures.length === 0) return `${head}${notes}<p class="desc">Nothing to compare: neither run measured these figures.</p>`;
  const rows = baselineRows(c).map(
    (r) =>
      `<tr class="${r.status}"><td><span class="chip ${CHIP[r.status][0]}">${CHIP[r.status][1]}</span></td>` +
      `<td>${e(r.name)}${r.note ? `<span class="detail">${e(r.note)}</span>` : ''}</td><td class="num">${e(r.baseline)}</td><td class="num">${e(r.current)}</td>` +
      `<td class="num">${e(r.change)}</td><td class="num">${e(r.tolerance)}</td></tr>`,
  );
  return `${head}${notes}<table id="baseline-table"><thead><tr><th>Status</th><th>Figure</th><th class="num">Baseline</th><th class="num">Now</th><th class="num">Change</th><th class="num">Tolerance</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function timelineTable(j: Journal): string {
  const rows: { at: number; html: string }[] = [
    ...j.faults.map((f, i) => ({
      at: f.startMs,
      html: `<tr><td class="num">${fmtOffset(f.startMs)}</td><td class="num">${f.endMs > f.startMs ? fmtOffset(f.endMs) : 'instant'}</td><td><span class="swatch" style="background:${FAULT_COLORS[i % FAULT_COLORS.length]}"></span>fault <b>${e(f.id)}</b></td><td>${e(f.kind)} on ${e(f.target)}${Object.keys(f.params).length ? ` <span class="mono">${e(JSON.stringify(f.params))}</span>` : ''}</td></tr>`,
    })),
    ...j.events.map((ev) => ({
      at: ev.atMs,
      html: `<tr><td class="num">${fmtOffset(ev.atMs)}</td><td></td><td>event <b>${e(ev.type)}</b></td><td>${e(ev.message)}</td></tr>`,
    })),
  ].sort((a, b) => a.at - b.at);
  if (rows.length === 0) return '<p class="desc">No faults or events.</p>';
  return `<table id="timeline-table"><thead><tr><th class="num">From</th><th class="num">To</th><th>What</th><th>Detail</th></tr></thead><tbody>${rows.map((r) => r.html).join('')}</tbody></table>`;
}

function probeTable(before: readonly ProbeResult[], after: readonly ProbeResult[]): string {
  const rows = [...before.map((p) => ['before', p] as const), ...after.map((p) => ['after', p] as const)];
  if (rows.length === 0) return '<p class="desc">No steady-state probes.</p>';
  return `<table><thead><tr><th>Status</th><th>When</th><th>Probe</th><th>Observed</th><th>Expected</th><th class="num">Took</th></tr></thead><tbody>${rows
    .map(([when, p]) => `<tr><td><span class="chip ${p.ok ? 'pass' : 'fail'}">${p.ok ? 'PASS' : 'FAIL'}</span></td><td>${when}</td><td>${e(p.name)}</td><td>${e(p.observed)}</td><td>${e(p.expected)}</td><td class="num">${fmtMs(p.durationMs)}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** "Findings": a fault that did not bite, fallback serving outside faults; never the verdict. */
function findingsSection(j: Journal): string {
  if (j.findings === undefined) return '';
  const body =
    j.findings.length === 0
      ? '<p class="desc">None: every fault changed what clients saw, and the fallback served 5% or less of each endpoint outside faults.</p>'
      : `<ul id="findings-list">${j.findings.map((f) => `<li class="finding ${e(f.kind)}"><span class="chip no-data">${e(f.kind === 'fallback-outside-faults' ? 'FALLBACK' : 'FAULT')}</span> ${e(f.message)}</li>`).join('')}</ul><p class="desc">Findings do not change the verdict.</p>`;
  return `<section class="card" id="findings" style="margin-top:18px"><h2>Findings</h2>${body}</section>
`;
}

function endpointTable(j: Journal): string {
  if (j.endpoints.length === 0) return '<p class="desc">No whole-run endpoint results (the run did not finish).</p>';
  return `<table><thead><tr><th>Endpoint</th><th class="num">Requests</th><th class="num">Errors</th><th class="num">Dropped</th><th class="num">Fallback %</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th></tr></thead><tbody>${j.endpoints
    .map((p) => `<tr><td>${e(p.endpoint)}</td><td class="num">${fmtInt(p.requests)}</td><td class="num">${fmtInt(p.errors)}</td><td class="num">${fmtInt(p.dropped)}</td><td class="num">${e(fallbackPercent(p))}</td><td class="num">${fmtMs(p.latency.p50)}</td><td class="num">${fmtMs(p.latency.p95)}</td><td class="num">${fmtMs(p.latency.p99)}</td><td class="num">${fmtMs(p.latency.max)}</td></tr>`)
    .join('')}</tbody></table>${streamTable(j)}`;
}

/** Streamed generations per endpoint: the LLM serving figures. */
function streamTable(j: Journal): string {
  const rows = j.endpoints.filter((p) => p.stream !== undefined);
  if (rows.length === 0) return '';
  const head = STREAM_COLUMNS.map((c) => `<th class="num">${e(c)}</th>`).join('');
  return `<h3 style="margin-top:14px">Streamed generations</h3><table id="stream-table"><thead><tr><th>Endpoint</th>${head}</tr></thead><tbody>${rows
    .map((p) => `<tr><td>${e(p.endpoint)}</td>${streamCells(p.stream!).map((v) => `<td class="num">${e(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function metadata(j: Journal): string {
  const dur = runDurationMs(j);
  const items: [string, string][] = [
    ['Run id', j.runId],
    ['Scenario file', j.scenario.file ?? '–'],
    ['Platform', j.platform],
    ['Seed', String(j.seed)],
    ['Time scale', String(j.timeScale)],
    ['Started', j.startedAt],
    ['Ended', j.endedAt ?? '–'],
    ['Wall time', dur === undefined ? '–' : fmtDuration(dur)],
    ['Traffic start', j.trafficStartEpochMs === undefined ? '–' : new Date(j.trafficStartEpochMs).toISOString()],
    ['Status', j.status],
    ['Tool', `${j.tool.name} ${j.tool.version}`],
    ['Journal schema', j.schema],
  ];
  return `<dl class="meta">${items.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>`;
}

/** The report.html document for a journal. */
export function renderHtml(j: Journal): string {
  const { css, js } = loadAssets();
  const h = headline(j);
  const frame = chartFrame(j);
  const met = j.slos.filter((s) => s.status === 'pass').length;
  const t = j.totals;
  const scriptHash = createHash('sha256').update(js).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const title = `${h.verdict} · ${j.scenario.name} · peakready`;
  const kpis = [
    kpi('Resilience score', `${j.resilienceScore.toFixed(1)}<span class="sub"> / 100</span>`, 'weighted share of SLOs met', `<div class="meter"><span style="width:${Math.max(0, Math.min(100, j.resilienceScore))}%"></span></div>`),
    kpi('SLOs met', `${met} / ${j.slos.length}`, `${j.slos.filter((s) => s.status === 'no-data').length} without data · ${j.slos.filter((s) => s.advisory).length} advisory`),
    kpi('Requests', fmtInt(t.requests), `${fmtInt(t.dropped)} dropped`),
    kpi('Achieved rate', e(fmtRps(t.achievedRps)), t.targetRps > 0 ? `target ${e(fmtRps(t.targetRps))}` : undefined),
    kpi('Error rate', e(fmtPercent(t.requests ? t.errors / t.requests : 0)), `${fmtInt(t.errors)} errors`),
    kpi('Traffic time', j.timeline.length === 0 ? '–' : e(fmtDuration(frame.durationS * 1000)), `${plural(j.faults.length, 'fault')} · ${plural(j.events.length, 'event')}`),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="peakready ${e(j.tool.version)}">
<link rel="icon" href="data:,">
<title>${e(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
<header class="top">
  <div><div class="brand">peakready · readiness report</div><h1 id="scenario-name">${e(j.scenario.name)}</h1>${j.scenario.description ? `<p class="desc">${e(j.scenario.description)}</p>` : ''}</div>
  <div class="verdict"><span class="badge ${h.tone}" id="verdict">${h.verdict}</span>${h.status ? `<span class="status" id="run-status">${e(h.status)}</span>` : ''}</div>
</header>
${j.status !== 'completed' ? `<div class="banner" id="aborted-banner"><b>Run ${e(j.status)}.</b> ${e(j.reason ?? '')}</div>` : ''}
<div class="kpis">${kpis.join('')}</div>
<section class="card"><h2>Service-level objectives</h2>${sloTable(j)}</section>
${j.baseline ? `<section class="card" id="baseline"><h2>Compared with baseline</h2>${baselineSection(j.baseline)}</section>\n` : ''}<section class="card"><h2>Timeline</h2>${renderTimelineStrip(frame)}</section>
<div class="charts" id="charts">${chartInputs(j).map((c) => renderChart(c, frame)).join('')}</div>
<div class="two" style="margin-top:18px">
<section class="card"><h2>Faults and events</h2>${timelineTable(j)}</section>
<section class="card"><h2>Steady state</h2>${probeTable(j.steadyState.before, j.steadyState.after)}</section>
</div>
${findingsSection(j)}<div class="two" style="margin-top:18px">
<section class="card"><h2>Endpoints</h2>${endpointTable(j)}</section>
<section class="card"><h2>Run</h2>${metadata(j)}</section>
</div>
<footer>Generated by ${e(j.tool.name)} ${e(j.tool.version)} from journal ${e(j.runId)}. This file is self-contained and makes no network requests.</footer>
</main>
<script>${js}</script>
</body>
</html>
`;
}

export class HtmlReporter implements Reporter {
  readonly name = 'html';
  readonly file: string;
  constructor(outDir: string) {
    this.file = join(outDir, HTML_FILE);
  }
  onEnd(journal: Journal): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(this.file, renderHtml(journal));
  }
}
