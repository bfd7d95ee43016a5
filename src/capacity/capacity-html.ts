/**
 * capacity.html: one self-contained page (inline CSS and SVG, no scripts, no external
 * requests) with the latency-vs-rate curve (p50 and p99 per step, on a log latency axis so
 * the flat part and the blow-up both show), the sustainable rate, the breaking point and the
 * knee marked, then the numbers and every step. Every string is escaped.
 */
import type { CapacityResult, StepResult } from './types.js';
import { capacityHeadline, hpaYaml, spreadText } from './capacity-markdown.js';
import { escapeHtml } from '../report/escape.js';
import { fmtDuration, fmtMs, fmtPercent } from '../report/report-format.js';

const W = 760;
const H = 360;
const M = { left: 64, right: 24, top: 28, bottom: 48 };
const rps = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${Number(v.toFixed(v < 100 ? 1 : 0))} rps`);

/** Latency threshold of each latency SLO ("p99 < 250ms" → 250), drawn as a horizontal line. */
function latencyThresholds(r: CapacityResult): { label: string; ms: number }[] {
  return r.slos.flatMap((s) => {
    const m = /^(p[\d.]+)(?:\([^)]*\))?\s*<=?\s*([\d.]+)(ms|s)$/.exec(s);
    return m ? [{ label: s, ms: Number(m[2]) * (m[3] === 's' ? 1000 : 1) }] : [];
  });
}

/** A round axis step (1, 2 or 5 × a power of ten) at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw) ?? 10 * p;
}

/** One point per rate (a rate probed twice shows its last reading), by rate. */
function curve(steps: readonly StepResult[]): StepResult[] {
  const byRate = new Map<number, StepResult>();
  for (const s of steps) byRate.set(s.rate, s);
  return [...byRate.values()].sort((a, b) => a.rate - b.rate);
}

/** The latency-vs-rate chart as inline SVG. */
export function renderCapacityChart(r: CapacityResult): string {
  const pts = curve(r.steps);
  const thresholds = latencyThresholds(r);
  if (pts.length === 0) return '<p class="muted">No step completed: nothing to plot.</p>';
  const xMax = Math.max(...pts.map((p) => p.rate)) * 1.08;
  const lat = [...pts.flatMap((p) => [p.p50, p.p99]), ...thresholds.map((t) => t.ms)].filter((v) => v > 0);
  const yMin = Math.max(0.1, Math.min(...lat) / 1.5);
  const yMax = Math.max(...lat) * 1.5;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number): number => M.left + (v / xMax) * pw;
  const y = (v: number): number => M.top + ph - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const f = (n: number): string => n.toFixed(1);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`latency versus offered rate for ${r.service}`)}" class="chart">`);
  // Axes and grid: 1-2-5 steps on the log latency axis, round steps on the rate axis.
  for (let d = Math.floor(Math.log10(yMin)); d <= Math.ceil(Math.log10(yMax)); d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (v < yMin || v > yMax) continue;
      parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(v))}" y2="${f(y(v))}" class="grid"/><text x="${M.left - 6}" y="${f(y(v) + 4)}" text-anchor="end" class="tick">${escapeHtml(v >= 1000 ? `${v / 1000}s` : `${v}ms`)}</text>`);
    }
  }
  const xStep = niceStep(xMax / 6);
  for (let v = 0; v <= xMax; v += xStep) {
    parts.push(`<line x1="${f(x(v))}" x2="${f(x(v))}" y1="${M.top + ph}" y2="${M.top + ph + 4}" class="axis"/><text x="${f(x(v))}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(Number(v.toFixed(2)))}</text>`);
  }
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}" class="axis"/><line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" class="axis"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle" class="label">offered rate (requests/s, ${escapeHtml(r.settings.replicas)} replica${r.settings.replicas === 1 ? '' : 's'})</text>`);
  parts.push(`<text x="14" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${M.top + ph / 2})" class="label">latency (log scale)</text>`);
  for (const t of thresholds) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(t.ms))}" y2="${f(y(t.ms))}" class="slo"/><text x="${W - M.right - 4}" y="${f(y(t.ms) - 4)}" text-anchor="end" class="slo-label">SLO ${escapeHtml(t.label)}</text>`);
  }
  // The break sits right of the sustainable rate and the knee at or left of it: label
  // the break on its right, the other two on their left, on separate rows.
  const marker = (rate: number | null | undefined, cls: string, label: string, row: number, side: 'left' | 'right'): void => {
    if (rate === null || rate === undefined) return;
    const tx = side === 'right' ? x(rate) + 4 : x(rate) - 4;
    parts.push(
      `<line x1="${f(x(rate))}" x2="${f(x(rate))}" y1="${M.top}" y2="${M.top + ph}" class="${cls}" data-marker="${cls}"/><text x="${f(tx)}" y="${M.top + 12 + row * 14}" text-anchor="${side === 'right' ? 'start' : 'end'}" class="${cls}-label">${escapeHtml(label)}</text>`,
    );
  };
  marker(r.sustainableRps, 'sustainable', `sustainable ${rps(r.sustainableRps)}`, 0, 'left');
  marker(r.breakingRps, 'breaking', `breaking ${rps(r.breakingRps)}`, 0, 'right');
  marker(r.knee?.rate, 'knee', `knee ${rps(r.knee?.rate)}`, 1, 'left');
  for (const [key, cls] of [['p50', 'p50'], ['p99', 'p99']] as const) {
    parts.push(`<polyline class="${cls}" fill="none" points="${pts.map((p) => `${f(x(p.rate))},${f(y(p[key]))}`).join(' ')}"/>`);
  }
  for (const p of pts) {
    parts.push(
      `<circle cx="${f(x(p.rate))}" cy="${f(y(p.p99))}" r="4" class="${p.ok ? 'held' : 'broke'}"><title>${escapeHtml(`${rps(p.rate)}: p99 ${fmtMs(p.p99)}, p50 ${fmtMs(p.p50)}, errors ${fmtPercent(p.errorRate)} — ${p.ok ? 'held' : 'broke'}`)}</title></circle>`,
    );
  }
  parts.push(
    `<g class="legend" transform="translate(${M.left + 8},${M.top + ph - 34})"><line x1="0" x2="18" y1="0" y2="0" class="p99"/><text x="22" y="4">p99</text><line x1="0" x2="18" y1="16" y2="16" class="p50"/><text x="22" y="20">p50</text><circle cx="70" cy="0" r="4" class="held"/><text x="78" y="4">held</text><circle cx="70" cy="16" r="4" class="broke"/><text x="78" y="20">broke</text></g>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1f2937;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}.muted{color:#6b7280}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left}td.n{text-align:right}
.ok{color:#15803d}.bad{color:#b91c1c}.chart{width:100%;height:auto;background:#fff;border:1px solid #e5e7eb}
.grid{stroke:#f3f4f6}.axis{stroke:#9ca3af}.tick,.label,.legend text{font-size:11px;fill:#4b5563}
.p99{stroke:#dc2626;stroke-width:2}.p50{stroke:#2563eb;stroke-width:2;stroke-dasharray:4 3}
.held{fill:#16a34a}.broke{fill:#dc2626}.slo{stroke:#6b7280;stroke-dasharray:6 4}.slo-label{font-size:11px;fill:#6b7280}
.sustainable{stroke:#16a34a;stroke-width:1.5;stroke-dasharray:5 3}.sustainable-label{font-size:11px;fill:#15803d}
.breaking{stroke:#dc2626;stroke-width:1.5}.breaking-label{font-size:11px;fill:#b91c1c}
.knee{stroke:#f97316;stroke-width:1.5;stroke-dasharray:2 3}.knee-label{font-size:11px;fill:#c2410c}
pre{background:#f9fafb;border:1px solid #e5e7eb;padding:.75rem;overflow:auto}`;

/** Renders capacity.html. */
export function renderCapacityHtml(r: CapacityResult): string {
  const s = r.settings;
  const e = escapeHtml;
  const row = (k: string, v: string): string => `<tr><th>${e(k)}</th><td>${v}</td></tr>`;
  const rows = [
    row('Highest sustainable rate', `<strong>${e(rps(r.sustainableRps))}</strong> (${e(rps(r.sustainablePerReplica))} per replica)`),
    ...(r.sustainableConcurrency !== null && r.sustainableConcurrency !== undefined ? [row('Requests in flight at that rate', `${e(r.sustainableConcurrency)} (mean; rate × mean latency)`)] : []),
    row('Breaking point', r.breakingRps === null ? 'none up to the max rate' : `${e(rps(r.breakingRps))}: ${e(r.breakingReason ?? '')}`),
    ...(r.spread ? [row('How well the breaking rate is known', `${e(spreadText(r))} (${e(r.spread.runs.map((z) => `${rps(z.rate)}: held ${z.held}/${z.runs}`).join('; '))})`)] : []),
    row('Knee of the p99 curve', r.knee ? `${e(rps(r.knee.rate))} (p99 ${e(fmtMs(r.knee.p99))}; ${e(rps(r.knee.perReplica))} per replica)` : 'not found'),
  ];
  if (r.recommendation) rows.push(row(`Replicas for a ${rps(r.recommendation.peakRps)} peak with ${fmtPercent(r.recommendation.headroom, 0)} headroom`, `<strong>${e(r.recommendation.replicas)}</strong>`));
  if (r.hpa) rows.push(row(`HPA target (${r.hpa.metric})`, `averageValue <strong>${e(r.hpa.averageValue)}</strong> per pod (${r.hpa.basis === 'knee' ? 'capped at the knee' : 'sustainable × (1 − headroom)'})${r.hpa.maxReplicas === undefined ? '' : `, maxReplicas ≥ ${e(r.hpa.maxReplicas)}`}`));
  const tokens = r.steps.some((st) => st.tokens !== undefined);
  const stepRows = r.steps
    .map((st, i) => {
      const why = st.ok ? '' : [...st.slos.filter((c) => !c.ok).map((c) => c.slo), ...(st.keptUp ? [] : ['backlog grew'])].join(', ');
      const tok = !tokens ? '' : st.tokens ? `<td class="n">${e(fmtMs(st.tokens.ttftP95))}</td><td class="n">${e(fmtMs(st.tokens.itlP95))}</td><td class="n">${e(st.tokens.outputTokensPerSecond.toFixed(0))}</td>` : '<td class="n">–</td><td class="n">–</td><td class="n">–</td>';
      return `<tr><td class="n">${i + 1}</td><td>${e(st.phase)}</td><td class="n">${e(rps(st.rate))}</td><td class="${st.ok ? 'ok' : 'bad'}">${st.ok ? 'held' : 'broke'}</td><td class="n">${e(rps(st.achievedRps))}</td><td class="n">${e(fmtMs(st.p50))}</td><td class="n">${e(fmtMs(st.p99))}</td><td class="n">${e(fmtMs(st.max))}</td><td class="n">${e(st.concurrency ?? '–')}</td>${tok}<td class="n">${e(fmtPercent(st.errorRate))}</td><td class="n">+${e(st.backlogGrowth)} / ${e(st.backlogLimit)}</td><td>${e(why)}</td></tr>`;
    })
    .join('');
  const hpa = r.hpa
    ? `<h2>Suggested HPA</h2><pre>${e(hpaYaml(r.service.replace(/[^a-z0-9-]/g, '-'), r.hpa, r.recommendation ? Math.max(1, Math.min(r.recommendation.replicas, r.hpa.maxReplicas ?? r.recommendation.replicas)) : s.replicas, r.stack === undefined))}</pre>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(`peakready capacity — ${r.scenario.name} / ${r.service}`)}</title><style>${CSS}</style></head>
<body>
<h1>${e(`Capacity — ${capacityHeadline(r)}`)}</h1>
<p class="muted">Scenario <strong>${e(r.scenario.name)}</strong> · ${r.stack ? `stack <strong>${e(r.stack.name)}</strong> (<code>${e(r.stack.file)}</code>) · ` : ''}${e(r.platform)} platform · ${e(s.replicas)} replica${s.replicas === 1 ? '' : 's'} of ${e(r.service)}${r.profile ? ` · profile ${e(r.profile)}` : ''} · ${e(r.startedAt)}</p>
<p>Traffic: mix entries ${r.route.endpoints.map((x) => `<code>${e(x)}</code>`).join(', ')} ${e(r.route.note)}. SLOs per step: ${r.slos.map((x) => `<code>${e(x)}</code>`).join(', ')}, and no growing backlog.${r.disabled ? ` Switched off during the search: ${r.disabled.length > 0 ? r.disabled.map((x) => `<code>${e(x)}</code>`).join(', ') : 'nothing'}.` : ''}</p>
${renderCapacityChart(r)}
<table>${rows.join('')}</table>
<h2>Steps</h2>
<table><thead><tr><th>#</th><th>Phase</th><th>Rate</th><th>Result</th><th>Achieved</th><th>p50</th><th>p99</th><th>Max</th><th>In flight</th>${tokens ? '<th>TTFT p95</th><th>ITL p95</th><th>Tokens/s</th>' : ''}<th>Errors</th><th>Backlog</th><th>Why it broke</th></tr></thead><tbody>${stepRows}</tbody></table>
${hpa}
<h2>Method</h2>
<p>Each step offers a constant arrival rate for ${e(fmtDuration(s.warmupMs))} of warm-up, then ${e(fmtDuration(s.stepMs))} measured. A step search doubles the rate from ${e(rps(s.startRate))} until a step breaks, then bisects between the last good and first bad rate to within ${e(fmtPercent(s.precision, 1))}.${s.repeats > 1 ? ` Then the last good rate must hold and the first bad rate must break on each of ${e(s.repeats)} runs, moving the bracket when a repeat disagrees, until the breaking rate is known to ±${e(fmtPercent(s.tolerance, 0))} or the machine is reported too noisy to tell.` : ''} Dropped arrivals count as errors; a step also breaks when the in-flight backlog grows by more than max(8, 3% of its arrivals). The knee is the Kneedle point of the p99 curve. Replicas = ceil(peak × (1 + headroom) / sustainable per replica); the HPA target is sustainable per replica × (1 − headroom), capped at the knee.</p>
</body></html>
`;
}
