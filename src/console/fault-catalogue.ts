/**
 * Which parameters each fault kind reads (src/scenario/fault-spec.ts), with the form
 * field the console shows for it: the page builds its inject form from this table.
 */
import type { FaultKind, FaultParams } from '../scenario/fault-spec.js';

export interface ParamField {
  readonly name: keyof FaultParams;
  /** "duration" fields take text like "300ms"; "number" fields a number. */
  readonly type: 'duration' | 'number';
  readonly placeholder: string;
}

const latency: ParamField = { name: 'latency', type: 'duration', placeholder: '300ms' };
const jitter: ParamField = { name: 'jitter', type: 'duration', placeholder: '50ms' };
const fraction: ParamField = { name: 'fraction', type: 'number', placeholder: '1' };

export const FAULT_PARAMS: Readonly<Record<FaultKind, readonly ParamField[]>> = {
  'kill-replica': [{ name: 'count', type: 'number', placeholder: '1' }],
  unavailable: [],
  latency: [latency, jitter, fraction],
  errors: [{ name: 'status', type: 'number', placeholder: '503' }, fraction],
  reset: [fraction],
  partition: [],
  bandwidth: [{ name: 'rate', type: 'number', placeholder: '10000' }],
  'cpu-stress': [{ name: 'workers', type: 'number', placeholder: '1' }, { name: 'load', type: 'number', placeholder: '80' }],
  'redis-outage': [],
};
