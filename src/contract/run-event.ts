/**
 * What happens during a run, as reporters hear it and as `events.ndjson` stores it: one JSON
 * object per line, written the moment it happens, so a crashed run still leaves its data.
 *
 * Line format (schema "peakready.events/v1"): every record has `type` and `ts` (wall-clock
 * epoch ms when it was written); the first line is the `begin` record.
 *   {type:'begin', schema, runId, scenario:{name,description,file}, platform, seed, timeScale, startedAt, tool, targetRps?}
 *   {type:'traffic-start', epochMs}                  every later ms offset is relative to this
 *   {type:'phase', phase:{name,startMs,endMs}}        a named traffic stage (may be sent at plan time)
 *   {type:'fault', edge:'start'|'end', fault}         TimelineFault; at 'start' endMs is the planned end
 *   {type:'event', event}                             TimelineEvent (deploys, rollout phases, halts)
 *   {type:'second', sample}                           SecondSample: one endpoint (or "*") for one second
 *   {type:'series', name, unit, t, value}             one point of a server-side series ("replicas:tabular")
 *   {type:'probe', stage:'before'|'after', probe}     a steady-state probe result
 *   {type:'slo', result}                              an SloResult after evaluation
 *   {type:'end', status, verdict, endedAt, resilienceScore, reason?}
 */
import type { ProbeResult, RunStatus, SecondSample, SloResult, TimelineEvent, TimelineFault, Verdict } from './journal.js';

export const EVENTS_SCHEMA = 'peakready.events/v1';

/** File name of the event log inside a run's output folder. */
export const EVENTS_FILE = 'events.ndjson';

export interface RunBegin {
  readonly type: 'begin';
  readonly schema: typeof EVENTS_SCHEMA;
  readonly runId: string;
  readonly scenario: { readonly name: string; readonly description: string; readonly file: string | undefined };
  readonly platform: string;
  readonly seed: number;
  readonly timeScale: number;
  /** ISO timestamp. */
  readonly startedAt: string;
  readonly tool: { readonly name: 'peakready'; readonly version: string };
  /** Mean planned request rate, for the "achieved vs target" figure. */
  readonly targetRps?: number;
}

export type RunEvent =
  | RunBegin
  | { readonly type: 'traffic-start'; readonly epochMs: number }
  | { readonly type: 'phase'; readonly phase: { readonly name: string; readonly startMs: number; readonly endMs: number } }
  | { readonly type: 'fault'; readonly edge: 'start' | 'end'; readonly fault: TimelineFault }
  | { readonly type: 'event'; readonly event: TimelineEvent }
  | { readonly type: 'second'; readonly sample: SecondSample }
  | { readonly type: 'series'; readonly name: string; readonly unit: string; readonly t: number; readonly value: number }
  | { readonly type: 'probe'; readonly stage: 'before' | 'after'; readonly probe: ProbeResult }
  | { readonly type: 'slo'; readonly result: SloResult }
  | {
      readonly type: 'end';
      readonly status: RunStatus;
      readonly verdict: Verdict;
      readonly endedAt: string;
      readonly resilienceScore: number;
      readonly reason?: string;
    };

/** A stored line: the event plus the wall-clock time it was written. */
export type RunEventRecord = RunEvent & { readonly ts: number };
