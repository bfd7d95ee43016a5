import { describe, expect, it } from 'vitest';
import type { ProbeResult, SloResult } from '../../../src/contract/journal.js';
import { renderMarkdown } from '../../../src/report/markdown-reporter.js';
import { scoreWithProbes } from '../../../src/contract/verdict.js';
import { buildSampleJournal } from '../report/fixtures/sample-journal.js';

const slo = (status: SloResult['status'], weight = 1): SloResult => ({ name: 's', expression: 's', status, observed: '', threshold: '', window: 'run', advisory: false, weight, source: 'client' });
const probe = (ok: boolean): ProbeResult => ({ name: 'predict answers 200', ok, observed: ok ? 'HTTP 200 in 4 ms' : 'HTTP 503 in 2 ms', expected: 'HTTP 200 within 2000 ms', durationMs: 3 });

describe('a failed steady-state probe after the run', () => {
  it('lowers the resilience score as one more unmet SLO; passing probes change nothing', () => {
    expect(scoreWithProbes([slo('pass'), slo('pass'), slo('pass')], [probe(true), probe(true)])).toBe(100);
    expect(scoreWithProbes([slo('pass'), slo('pass'), slo('pass')], [probe(true), probe(false)])).toBe(75);
    expect(scoreWithProbes([slo('pass'), slo('fail')], [probe(true)])).toBe(50);
    expect(scoreWithProbes([slo('pass', 3)], [probe(false)])).toBe(75);
  });

  it('is named in summary.md even though the run completed', async () => {
    const j = { ...(await buildSampleJournal()), status: 'completed' as const, verdict: 'fail' as const, reason: 'steady state not met after the faults: predict answers 200 (HTTP 503 in 2 ms, expected HTTP 200 within 2000 ms)' };
    expect(renderMarkdown(j)).toContain('steady state not met after the faults: predict answers 200 (HTTP 503 in 2 ms, expected HTTP 200 within 2000 ms)');
  });
});
