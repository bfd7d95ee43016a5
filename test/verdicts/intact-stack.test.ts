/** The intact stack passes the smoke scenario five runs in a row. */
import { describe, expect, it } from 'vitest';
import { failedSlos, runCli } from './run-cli.js';

describe('the intact stack', () => {
  for (let i = 1; i <= 5; i++) {
    it(`passes the smoke scenario (run ${i} of 5)`, async () => {
      const run = await runCli(['run', 'scenarios/ci-smoke.ts', '--out', '$OUT', '--quiet', '--seed', String(i)]);
      const j = run.journal();
      expect(failedSlos(j), run.stderr.slice(-1500)).toEqual([]);
      expect(j.verdict).toBe('pass');
      expect(run.code).toBe(0);
      expect(j.slos.length).toBeGreaterThanOrEqual(15);
    });
  }
});
