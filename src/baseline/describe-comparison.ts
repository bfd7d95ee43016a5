/** The baseline comparison as a few terminal lines, for the end of `run` and `report`. */
import type { Journal } from '../contract/journal.js';
import { baselineHeadline, baselineRows } from '../report/baseline-rows.js';

/** The headline and one line per regressed figure; empty when the journal has no comparison. */
export function describeComparison(j: Journal): string[] {
  const c = j.baseline;
  if (!c) return [];
  const lines = [`compared with baseline: ${baselineHeadline(c)}`];
  for (const r of baselineRows(c)) {
    if (r.regressed) lines.push(`  ✗ ${r.name}: ${r.baseline} → ${r.current} (${r.change}, tolerance ${r.tolerance})${r.note ? ` — ${r.note}` : ''}`);
  }
  for (const n of c.notes) lines.push(`  note: ${n}`);
  return lines;
}
