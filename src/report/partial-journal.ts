/**
 * Rebuilds a Journal from `events.ndjson` when a run died before writing `journal.json`.
 * The result is marked `status: 'aborted'` (the journal builder's verdict 'fail': an
 * unfinished run proves nothing). A truncated last line is ignored. Whole-run endpoint results need the
 * histograms only the finished run has, so `endpoints` is empty; totals come from the
 * per-second samples.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { buildJournal } from '../contract/verdict.js';
import { type Journal, type ProbeResult, type SecondSample, type Series, type SloResult, type TimelineEvent, type TimelineFault } from '../contract/journal.js';
import { EVENTS_FILE, type RunBegin, type RunEventRecord } from '../contract/run-event.js';

/** Reads `<dir>/events.ndjson` into an aborted Journal. Throws INVALID_INPUT when it holds no begin record. */
export function readPartialJournal(dir: string): Journal {
  const file = join(dir, EVENTS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalidInput(`${file}: cannot read the run's events: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const records: RunEventRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as RunEventRecord;
      if (r && typeof r === 'object' && typeof r.type === 'string') records.push(r);
      else skipped++;
    } catch {
      skipped++; // the line being written when the process died
    }
  }
  const begin = records.find((r): r is RunBegin & { ts: number } => r.type === 'begin');
  if (!begin) throw invalidInput(`${file}: expected a first line with {"type":"begin",...}, got ${records.length === 0 ? 'no records' : `"${records[0]!.type}"`}`);

  let trafficStart: number | undefined;
  const phases = new Map<string, { name: string; startMs: number; endMs: number }>();
  const faults = new Map<string, TimelineFault>();
  const events: TimelineEvent[] = [];
  const timeline: SecondSample[] = [];
  const series = new Map<string, { name: string; unit: string; points: [number, number][] }>();
  const before: ProbeResult[] = [];
  const after: ProbeResult[] = [];
  const slos: SloResult[] = [];
  let end: Extract<RunEventRecord, { type: 'end' }> | undefined;
  for (const r of records) {
    switch (r.type) {
      case 'traffic-start':
        trafficStart = r.epochMs;
        break;
      case 'phase':
        phases.set(r.phase.name, r.phase);
        break;
      case 'fault':
        faults.set(r.fault.id, r.fault);
        break;
      case 'event':
        events.push(r.event);
        break;
      case 'second':
        timeline.push(r.sample);
        break;
      case 'series': {
        const s = series.get(r.name) ?? { name: r.name, unit: r.unit, points: [] };
        s.points.push([r.t, r.value]);
        series.set(r.name, s);
        break;
      }
      case 'probe':
        (r.stage === 'before' ? before : after).push(r.probe);
        break;
      case 'slo':
        slos.push(r.result);
        break;
      case 'end':
        end = r;
        break;
      default:
        break;
    }
  }
  const last = records[records.length - 1]!;
  const all = timeline.filter((s) => s.endpoint === '*');
  const secs = all.length > 0 ? all : timeline;
  const requests = secs.reduce((a, s) => a + s.requests, 0);
  const errors = secs.reduce((a, s) => a + s.errors, 0);
  const dropped = secs.reduce((a, s) => a + s.dropped, 0);
  const seconds = secs.length === 0 ? 0 : Math.max(...secs.map((s) => s.t)) + 1;
  const why = [
    end ? `the run ended (${end.status}) but journal.json is missing` : 'the run did not finish',
    `rebuilt from ${EVENTS_FILE} (${records.length} records${skipped ? `, ${skipped} unreadable line${skipped > 1 ? 's' : ''} skipped` : ''}, last at ${new Date(last.ts).toISOString()})`,
  ];
  if (end?.reason) why.push(`reason given: ${end.reason}`);
  return buildJournal({
    runId: begin.runId,
    tool: begin.tool,
    scenario: begin.scenario,
    platform: begin.platform,
    seed: begin.seed,
    timeScale: begin.timeScale,
    startedAt: begin.startedAt,
    endedAt: end?.endedAt ?? new Date(last.ts).toISOString(),
    trafficStartEpochMs: trafficStart,
    status: 'aborted',
    reason: why.join('; '),
    phases: [...phases.values()].sort((a, b) => a.startMs - b.startMs),
    faults: [...faults.values()].sort((a, b) => a.startMs - b.startMs),
    events: events.sort((a, b) => a.atMs - b.atMs),
    steadyState: { before, after },
    endpoints: [],
    timeline: timeline.sort((a, b) => a.t - b.t),
    series: [...series.values()] as Series[],
    slos,
    totals: { requests, errors, dropped, achievedRps: seconds === 0 ? 0 : requests / seconds, targetRps: begin.targetRps ?? 0 },
  });
}
