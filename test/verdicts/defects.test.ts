/**
 * Defects a team could plausibly ship, beyond switching a whole mechanism off: a threshold
 * set wrong, a timeout too long for its route, an autoscaler capped too low, a dependency
 * that turns slow behind a cache timeout that does not protect, a breaker that recovers too
 * late, a generation policy too strict, an SLO whose window gets no traffic, and a fault that
 * cannot be injected. Each is the smoke scenario with one change; each run must fail, naming
 * the SLO (or the error) that catches it. The intact scenario passes (intact-stack.test.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, expectFailsNaming, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'peakready-defects-'));

/** The smoke scenario with `change` applied: a TypeScript expression over `base` (the scenario) and `slo`. */
function variant(name: string, change: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(
    file,
    [
      `import base from ${JSON.stringify(join(REPO, 'scenarios', 'ci-smoke.ts'))};`,
      `import { defineScenario, slo } from ${JSON.stringify(join(REPO, 'src', 'index.ts'))};`,
      `void slo;`,
      `export default defineScenario(${change});`,
    ].join('\n'),
  );
  return file;
}

const gateway = (options: string) => `{ ...base, stack: { ...base.stack, gateway: ${options} } }`;

const CASES = [
  {
    defect: 'breaker threshold set too high (1,000 consecutive failures)',
    change: gateway(`{ upstreams: { tabular: { breaker: { kind: 'consecutive', failures: 1000 } } } }`),
    slo: 'tabular breaker opens within 5s',
  },
  {
    defect: 'tabular timeout too long for its route (8 s, the client gives up at 5 s)',
    change: gateway(`{ upstreams: { tabular: { timeoutMs: 8000 } } }`),
    slo: 'predict keeps answering while tabular is down',
  },
  {
    defect: 'autoscaler capped at the replicas it starts with',
    change: `{ ...base, stack: { ...base.stack, autoscaling: { tabular: { min: 2, max: 2, targetRps: 15 } } } }`,
    slo: 'tabular scales out for the flash sale',
  },
  {
    defect: "cache command timeout longer than Redis' slowdown (2 s)",
    change: gateway(`{ cache: { commandTimeoutMs: 2000 } }`),
    slo: 'predict stays fast while Redis is slow',
  },
  {
    defect: 'breaker half-opens only after 30 s',
    change: gateway(`{ upstreams: { tabular: { halfOpenAfterMs: 30000 } } }`),
    slo: 'primary serves again within 15s',
  },
  {
    defect: 'generate fallback threshold written in seconds where the gateway reads milliseconds (5)',
    change: gateway(`{ generateFallbackPolicy: { maxAvgTtftMs: 5 } }`),
    slo: 'generate served by the model',
  },
  {
    defect: 'an SLO judged "during" an instantaneous fault: its window gets no traffic',
    change: `{ ...base, slos: [...base.slos, slo.latency('predict').p(99).below('1s').during.fault('kill-tabular').named('predict p99 while a replica is killed')] }`,
    slo: 'predict p99 while a replica is killed',
  },
] as const;

describe('defects a team could ship fail the smoke scenario, naming what caught them', () => {
  for (const c of CASES) {
    it(`${c.defect}: fails naming "${c.slo}"`, async () => {
      const run = await runCli(['run', variant(c.slo.replace(/\W+/g, '-'), c.change), '--out', '$OUT', '--quiet']);
      expectFailsNaming(run, c.slo);
    });
  }

  it('a CPU stress sized for a bigger machine cannot be injected: exit 3, everything reverted, and every report says why', async () => {
    const workers = cpus().length + 2;
    const file = variant(
      'cpu-stress-too-big',
      `{ ...base, faults: [...base.faults, { id: 'cpu-burn', kind: 'cpu-stress', target: 'triton', at: '12s', for: '4s', params: { workers: ${workers}, load: 90 } }] }`,
    );
    const run = await runCli(['run', file, '--out', '$OUT', '--quiet']);
    const j = run.journal();
    expect(run.code, run.stderr.slice(-1500)).toBe(3);
    expect(j.status).toBe('fault-not-injected');
    expect(j.verdict).not.toBe('pass');
    const notInjected = j.faults.find((f) => f.id === 'cpu-burn');
    expect(notInjected?.notInjected).toMatch(/workers: expected at most \d+/);
    // Faults that started before it were reverted, and none after it started.
    expect(j.faults.filter((f) => f.startMs > 12_000 && f.notInjected === undefined)).toEqual([]);
    for (const f of ['summary.md', 'junit.xml', 'report.html']) {
      expect(readFileSync(join(run.outDir, f), 'utf8'), f).toContain('fault cpu-burn was not injected');
    }
  });
});
