/**
 * A load runner's wait for the common start: `peakready load --start-at <epoch ms>` starts
 * its traffic's schedule at that wall-clock instant and never before it (its result line
 * records the actual start, which the harness checks), and refuses a value that is no
 * epoch-ms instant, naming the flag (exit 2).
 */
import { startAnsweringServer, type AnsweringServer } from '../../fixtures/local/answering-server.js';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../../src/cli/commands/load.js';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { waitUntilEpoch } from '../../../src/load/start-at.js';
import { RESULT_PREFIX, type RunnerResult } from '../../../src/platforms/kubernetes/runner-results.js';
import { exitCode } from '../../../src/contract/exit-code.js';
import type { ExitSlot } from '../../../src/cli/commands/types.js';

let server: AnsweringServer;
let url = '';

beforeAll(async () => {
  server = await startAnsweringServer('ok');
  url = server.url;
});

afterAll(() => server.close());

/** `peakready load …` in this process, as main.ts parses it: stdout, stderr, exit code, or what it threw. */
async function load(args: string[]): Promise<{ code: number; stdout: string; stderr: string; error?: unknown }> {
  const program = new Command('peakready').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  const exit: ExitSlot = { outcome: { kind: 'done' } };
  register(program, exit);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    await program.parseAsync(['load', ...args], { from: 'user' });
    return { code: exitCode(exit.outcome), stdout, stderr };
  } catch (error) {
    return { code: error instanceof CommanderError ? 2 : exitCode({ kind: 'error', error }), stdout, stderr, error };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const resultLine = (stdout: string): RunnerResult => JSON.parse(stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX))!.slice(RESULT_PREFIX.length)) as RunnerResult;

describe('waitUntilEpoch', () => {
  it('resolves at the instant, never before it, even when a timer fires early on the wall clock', async () => {
    const at = Date.now() + 120;
    await waitUntilEpoch(at);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    // A clock that reads 40 ms behind the timers: the first timer fires "early", it waits again.
    let reads = 0;
    const behind = (): number => (reads++, Date.now() - 40);
    const at2 = Date.now() + 60;
    await waitUntilEpoch(at2, undefined, behind);
    expect(behind()).toBeGreaterThanOrEqual(at2);
    expect(reads).toBeGreaterThan(2);
  });

  it('resolves at once for an instant that has passed, and when its signal aborts', async () => {
    let t = performance.now();
    await waitUntilEpoch(Date.now() - 5_000);
    expect(performance.now() - t).toBeLessThan(20);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    t = performance.now();
    await waitUntilEpoch(Date.now() + 10_000, abort.signal);
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});

describe('peakready load --start-at', () => {
  it('refuses a value that is no epoch-ms instant, naming the flag (exit 2)', async () => {
    const now = Date.now();
    for (const [value, why] of [
      ['soon', /^--start-at: expected a wall-clock instant in epoch milliseconds \(an integer like \d{13}\), got "soon"$/],
      ['', /^--start-at: expected a wall-clock instant in epoch milliseconds/],
      [String(Math.round(now / 1000)), /^--start-at: expected a wall-clock instant in epoch milliseconds .*, got "\d{10}"$/], // seconds, not ms
      [`${now}.5`, /^--start-at: expected a wall-clock instant/],
      [String(now + 2 * 24 * 3600_000), /^--start-at: expected an instant within 24 h from now, got "\d+" \(48\.0 h ahead\)$/],
    ] as const) {
      const r = await load(['--target', url, '--rate', '10', '--duration', '200ms', '--start-at', value]);
      expect(r.error, value).toBeInstanceOf(PeakreadyError);
      expect((r.error as PeakreadyError).code).toBe('INVALID_INPUT');
      expect((r.error as PeakreadyError).message).toMatch(why);
      expect(r.code).toBe(2);
    }
  });

  it('waits for the instant, then starts its schedule there: the result line records a start on it, never before', async () => {
    const startAt = Date.now() + 600;
    const t = performance.now();
    const r = await load(['--target', url, '--rate', '20', '--connections', '10', '--duration', '500ms', '--emit-histograms', '--json', '--start-at', String(startAt)]);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(performance.now() - t).toBeGreaterThanOrEqual(550 + 500);
    const data = resultLine(r.stdout).data!;
    expect(data.startEpochMs).toBeGreaterThanOrEqual(startAt);
    expect(data.startEpochMs - startAt).toBeLessThan(150);
    expect(r.stderr).not.toContain('passed');
  });

  it('starts at once when the instant has passed (a slow pod), says so, and records its actual, late start', async () => {
    const startAt = Date.now() - 2_000;
    const r = await load(['--target', url, '--rate', '20', '--connections', '10', '--duration', '300ms', '--emit-histograms', '--json', '--start-at', String(startAt)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^peakready: --start-at ${startAt} passed \\d+ ms ago; starting now`, 'm'));
    expect(resultLine(r.stdout).data!.startEpochMs - startAt).toBeGreaterThanOrEqual(2_000);
  });
});
