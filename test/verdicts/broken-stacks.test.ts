/**
 * Verdicts must be true: the smoke scenario against stacks broken on purpose, one at a time.
 * Each run must fail (exit 1) and name the SLO that guards the missing mechanism.
 */
import { describe, it } from 'vitest';
import { expectFailsNaming, runCli } from './run-cli.js';

const CASES = [
  { disable: 'fallback', slo: 'predict keeps answering while tabular is down' },
  { disable: 'breaker', slo: 'tabular breaker opens within 5s' },
  { disable: 'cache', slo: 'prediction cache hit ratio' },
  { disable: 'autoscaler', slo: 'tabular scales out for the flash sale' },
  { disable: 'analysis', slo: 'v2-bad rolled back within 20s' },
] as const;

describe('a stack broken on purpose fails the smoke scenario', () => {
  for (const c of CASES) {
    it(`--disable ${c.disable} fails, naming "${c.slo}"`, async () => {
      const run = await runCli(['run', 'scenarios/ci-smoke.ts', '--disable', c.disable, '--out', '$OUT', '--quiet']);
      expectFailsNaming(run, c.slo);
    });
  }
});
