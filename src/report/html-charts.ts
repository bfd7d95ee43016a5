/**
 * Inline SVG timeline charts for report.html: no library, no network. Fault windows are
 * shaded, events drawn as dashed lines; every text is escaped. Each chart carries its
 * data in a `data-chart` attribute that the page's small script reads for hover values.
 */
import type { TimelineEvent, TimelineFault } from '../contract/journal.js';
import { escapeHtml as e } from './escape.js';
import { fmtDuration } from './report-format.js';

export interface ChartLine {
  readonly name: string;
  readonly color: string;
  /** [seconds from traffic start, value or null for a gap]. */
  readonly points: readonly (readonly [number, number | null])[];
  /** Hold each value until the next point (replica counts, states). */
  readonly step?: boolean;
  readonly dashed?: boolean;
}

export interface ChartInput {
  readonly id: string;
  readonly title: string;
  readonly subtitle?: string;
  readonly unit: 'ms' | '%' | 'rps' | 'count';
  readonly lines: readonly ChartLine[];
  /** The y axis reaches at least this (e.g. 100 for shares). */
  readonly yMin?: number;
  readonly emptyText?: string;
}

export interface ChartFrame {
  readonly durationS: number;
  readonly faults: readonly TimelineFault[];
  readonly events: readonly TimelineEvent[];
  readonly phases: readonly { readonly name: string; readonly startMs: number; readonly endMs: number }[];
}

/** Colors of fault windows, by the fault's order on the timeline. */
export const FAULT_COLORS = ['#f97316', '#8b5cf6', '#ef4444', '#0ea5e9', '#eab308', '#14b8a6', '#ec4899'];

const W = 640;
const H = 220;
const L = 52;
const R = 14;
const T = 12;
const B = 26;
const PW = W - L - R;
const PH = H - T - B;

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

function timeStep(durS: number): number {
  return [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600].find((s) => durS / s <= 8) ?? 3600;
}

export function fmtValue(v: number, unit: ChartInput['unit']): string {
  switch (unit) {
    case 'ms':
      return v >= 1000 ? `${Number((v / 1000).toFixed(2))}s` : `${Number(v.toFixed(v < 10 ? 1 : 0))}ms`;
    case '%':
      return `${Number(v.toFixed(1))}%`;
    case 'rps':
      return `${Number(v.toFixed(1))}/s`;
    case 'count':
      return String(Number(v.toFixed(2)));
  }
}

function linePath(line: ChartLine, x: (t: number) => number, y: (v: number) => number, endS: number): string {
  const parts: string[] = [];
  let pen = false;
  const pts = line.points;
  pts.forEach(([t, v], i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const px = x(t).toFixed(1);
    const py = y(v).toFixed(1);
    if (!pen) parts.push(`M${px},${py}`);
    else parts.push(line.step ? `H${px}V${py}` : `L${px},${py}`);
    pen = true;
    if (line.step && (i === pts.length - 1 || pts[i + 1]![1] === null)) parts.push(`H${x(i === pts.length - 1 ? endS : pts[i + 1]![0]).toFixed(1)}`);
  });
  return parts.join('');
}

/** Shaded fault windows and event markers, shared by every chart. */
function overlays(frame: ChartFrame, x: (t: number) => number, labels: boolean): string {
  const out: string[] = [];
  frame.faults.forEach((f, i) => {
    const color = FAULT_COLORS[i % FAULT_COLORS.length]!;
    const x0 = x(f.startMs / 1000);
    const x1 = Math.max(x(f.endMs / 1000), x0 + 2);
    out.push(
      `<rect class="fault" x="${x0.toFixed(1)}" y="${T}" width="${(x1 - x0).toFixed(1)}" height="${PH}" fill="${color}" fill-opacity="${f.endMs > f.startMs ? 0.13 : 0.6}"><title>fault ${e(f.id)} (${e(f.kind)} on ${e(f.target)}) ${e(fmtDuration(f.startMs))}–${e(fmtDuration(f.endMs))}</title></rect>`,
    );
    if (labels) out.push(`<text class="fault-label" x="${(x0 + 3).toFixed(1)}" y="${T + 10}" fill="${color}">${e(f.id)}</text>`);
  });
  for (const ev of frame.events) {
    const px = x(ev.atMs / 1000).toFixed(1);
    out.push(`<line class="event" x1="${px}" x2="${px}" y1="${T}" y2="${T + PH}"><title>${e(ev.type)}: ${e(ev.message)} at ${e(fmtDuration(ev.atMs))}</title></line>`);
  }
  return out.join('');
}

/** One chart as a self-contained <figure> (SVG + legend). */
export function renderChart(c: ChartInput, frame: ChartFrame): string {
  const durS = Math.max(1, frame.durationS);
  const values = c.lines.flatMap((l) => l.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)));
  const legend = c.lines
    .map((l) => `<span class="key"><i style="background:${e(l.color)}"></i>${e(l.name)}</span>`)
    .join('');
  const head = `<figcaption><span class="chart-title">${e(c.title)}</span>${c.subtitle ? `<span class="chart-sub">${e(c.subtitle)}</span>` : ''}<span class="legend">${legend}</span></figcaption>`;
  if (values.length === 0) {
    return `<figure class="chart empty" id="${e(c.id)}">${head}<div class="chart-empty">${e(c.emptyText ?? 'No data for this chart in this run.')}</div></figure>`;
  }
  const raw = niceStep(Math.max(...values, c.yMin ?? 0, c.unit === 'count' ? 1 : 0) / 4);
  const step = c.unit === 'count' ? Math.max(1, Math.round(raw)) : raw;
  const yMax = Math.max(step, Math.ceil(Math.max(...values, c.yMin ?? 0) / step) * step);
  const x = (t: number): number => L + (Math.min(Math.max(t, 0), durS) / durS) * PW;
  const y = (v: number): number => T + PH - (Math.min(v, yMax) / yMax) * PH;
  const grid: string[] = [];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    const py = y(v).toFixed(1);
    grid.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${py}" y2="${py}"/><text class="tick y" x="${L - 6}" y="${py}">${e(fmtValue(v, c.unit))}</text>`);
  }
  const ts = timeStep(durS);
  for (let t = 0; t <= durS + 1e-9; t += ts) {
    const px = x(t).toFixed(1);
    grid.push(`<line class="xtick" x1="${px}" x2="${px}" y1="${T + PH}" y2="${T + PH + 4}"/><text class="tick x" x="${px}" y="${H - 8}">${e(t === 0 ? '0' : fmtDuration(t * 1000))}</text>`);
  }
  const paths = c.lines
    .map((l) => `<path class="line${l.dashed ? ' dashed' : ''}" d="${linePath(l, x, y, durS)}" stroke="${e(l.color)}"><title>${e(l.name)}</title></path>`)
    .join('');
  const data = {
    unit: c.unit,
    dur: durS,
    plot: { x: L, w: PW, y: T, h: PH, W },
    lines: c.lines.map((l) => ({ name: l.name, color: l.color, step: l.step === true, points: l.points })),
  };
  const svg =
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(c.title)}" data-chart="${e(JSON.stringify(data))}">` +
    `<g class="axes">${grid.join('')}<line class="axis" x1="${L}" x2="${W - R}" y1="${T + PH}" y2="${T + PH}"/></g>` +
    `<g class="overlays">${overlays(frame, x, false)}</g><g class="lines">${paths}</g>` +
    `<line class="cursor" x1="0" x2="0" y1="${T}" y2="${T + PH}" visibility="hidden"/></svg>`;
  return `<figure class="chart" id="${e(c.id)}">${head}<div class="plot">${svg}<div class="tip" hidden></div></div></figure>`;
}

/** The run's timeline as a Gantt strip: phases, each fault on its own row, events. */
export function renderTimelineStrip(frame: ChartFrame): string {
  // Wider than the charts: the strip spans the page, and its text should stay near 12px.
  const SW = 1200;
  const left = 120;
  const right = 16;
  const rowH = 24;
  const durS = Math.max(1, frame.durationS);
  const rows = 1 + frame.faults.length + (frame.events.length > 0 ? 1 : 0);
  const h = T + rows * rowH + B;
  const x = (t: number): number => left + (Math.min(Math.max(t, 0), durS) / durS) * (SW - left - right);
  const labelAt = (x0: number, x1: number, text: string): { x: number; anchor: string } => {
    const width = text.length * 6.6;
    return x1 + 6 + width <= SW - right ? { x: x1 + 6, anchor: 'start' } : { x: x0 - 6, anchor: 'end' };
  };
  const grid: string[] = [];
  const out: string[] = [];
  const rowY = (i: number): number => T + i * rowH;
  const ts = timeStep(durS);
  for (let t = 0; t <= durS + 1e-9; t += ts) {
    const px = x(t).toFixed(1);
    grid.push(`<line class="grid" x1="${px}" x2="${px}" y1="${T}" y2="${h - B}"/><text class="tick x" x="${px}" y="${h - 8}">${e(t === 0 ? '0' : fmtDuration(t * 1000))}</text>`);
  }
  out.push(`<text class="row-label" x="${left - 10}" y="${rowY(0) + 16}">phases</text>`);
  frame.phases.forEach((p, i) => {
    const x0 = x(p.startMs / 1000);
    const x1 = x(p.endMs / 1000);
    out.push(`<rect class="phase p${i % 2}" x="${x0.toFixed(1)}" y="${rowY(0) + 3}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${rowH - 6}"><title>phase ${e(p.name)} ${e(fmtDuration(p.startMs))}–${e(fmtDuration(p.endMs))}</title></rect>`);
    out.push(`<text class="bar-label" x="${(x0 + 6).toFixed(1)}" y="${rowY(0) + 16}">${e(p.name)}</text>`);
  });
  frame.faults.forEach((f, i) => {
    const color = FAULT_COLORS[i % FAULT_COLORS.length]!;
    const x0 = x(f.startMs / 1000);
    const x1 = Math.max(x(f.endMs / 1000), x0 + 3);
    const y0 = rowY(i + 1);
    const text = `${f.id} → ${f.target}`;
    const lab = labelAt(x0, x1, text);
    out.push(`<text class="row-label" x="${left - 10}" y="${y0 + 16}">${e(f.kind)}</text>`);
    out.push(`<rect x="${x0.toFixed(1)}" y="${y0 + 4}" width="${(x1 - x0).toFixed(1)}" height="${rowH - 8}" rx="3" fill="${color}" fill-opacity="0.85"><title>fault ${e(f.id)}: ${e(f.kind)} on ${e(f.target)}, ${e(fmtDuration(f.startMs))}–${e(fmtDuration(f.endMs))}</title></rect>`);
    out.push(`<text class="bar-label" x="${lab.x.toFixed(1)}" y="${y0 + 16}" text-anchor="${lab.anchor}">${e(text)}</text>`);
  });
  if (frame.events.length > 0) {
    const y0 = rowY(rows - 1);
    out.push(`<text class="row-label" x="${left - 10}" y="${y0 + 16}">events</text>`);
    for (const ev of frame.events) {
      const px = x(ev.atMs / 1000);
      const text = String(ev.data?.['id'] ?? ev.type);
      const lab = labelAt(px - 4, px + 4, text);
      out.push(`<path class="event-mark" d="M${px.toFixed(1)},${y0 + 5}l6,7l-6,7l-6,-7z"><title>${e(ev.type)}: ${e(ev.message)} at ${e(fmtDuration(ev.atMs))}</title></path>`);
      out.push(`<text class="bar-label" x="${lab.x.toFixed(1)}" y="${y0 + 16}" text-anchor="${lab.anchor}">${e(text)}</text>`);
    }
  }
  return `<svg class="strip" viewBox="0 0 ${SW} ${h}" role="img" aria-label="Run timeline">${grid.join('')}${out.join('')}</svg>`;
}
