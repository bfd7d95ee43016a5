/** `peakready capacity` with bad input: exit 2, every problem listed, nothing started. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('dist/cli/main.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd: resolve('.'), timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('peakready capacity, bad input', () => {
  it('exits 2 listing every problem with the flags at once', async () => {
    const r = await cli([
      'capacity', 'scenarios/ci-smoke.ts',
      '--service', 'triton',
      '--slo', 'p99<soon', '--slo', 'errors<1%', '--slo', 'fallback_share<5%',
      '--replicas', '0', '--peak', 'lots', '--headroom', '120%', '--step-duration', '500ms', '--profile', 'no-such-profile',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid input, nothing was started (7 problems)');
    for (const flag of ['--slo[0] "p99<soon"', '--slo[2] "fallback_share<5%"', '--replicas', '--peak', '--headroom', '--step-duration', '--profile']) {
      expect(r.stderr).toContain(`  ${flag}`);
    }
    expect(r.stderr).not.toContain('--slo[1]');
  });

  it('names the scenario file when nothing in its mix reaches the service, and a missing --service', async () => {
    // The seed's Locust mix has no generate entry.
    const r = await cli(['capacity', 'scenarios/seed-locust.ts', '--service', 'generative']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scenarios\/seed-locust\.ts: mix: no entry reaches service generative .*\/api\/v1\/generate/);
    const ep = await cli(['capacity', 'scenarios/ci-smoke.ts', '--service', 'generative', '--slo', 'p99(detailed)<1s']);
    expect(ep.code).toBe(2);
    expect(ep.stderr).toContain('--slo "p99(detailed)<1s": unknown endpoint "detailed", expected one of generate');
    const none = await cli(['capacity', 'scenarios/ci-smoke.ts']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--service: required');
  });

  it('reports a scenario file that does not exist together with the flag problems', async () => {
    const r = await cli(['capacity', 'scenarios/nope.ts', '--service', 'gpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scenarios/nope.ts: scenario file not found');
    expect(r.stderr).toContain('--service: expected one of');
  });
});
