/**
 * The console's inject form fields, derived from the fault catalogue (src/faults/catalogue.ts),
 * which holds each kind's parameters and defaults: the page builds its form from this table.
 */
import { FAULT_CATALOGUE } from '../faults/catalogue.js';
import type { FaultKind, FaultParams } from '../scenario/fault-spec.js';

export interface ParamField {
  readonly name: keyof FaultParams;
  /** "duration" fields take text like "300ms"; "number" fields a number. */
  readonly type: 'duration' | 'number';
  /** The default, shown as the placeholder. */
  readonly placeholder: string;
}

export const FAULT_PARAMS: Readonly<Record<FaultKind, readonly ParamField[]>> = Object.fromEntries(
  Object.values(FAULT_CATALOGUE).map((k) => [k.kind, k.params.map((p) => ({ name: p.name, type: p.type, placeholder: String(p.default) }))]),
) as unknown as Record<FaultKind, readonly ParamField[]>;
