/** Runs the built CLI the way a user does and reads back what it wrote. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { Journal } from '../../src/contract/journal.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outDir: string;
  journal(): Journal;
}

export function runCli(args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<CliRun> {
  const outDir = mkdtempSync(join(tmpdir(), 'peakready-verdict-'));
  const full = [CLI, ...args.map((a) => (a === '$OUT' ? outDir : a))];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, full, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`peakready ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 240_000} ms\n${stderr.slice(-2000)}`));
    }, opts.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        stdout,
        stderr,
        outDir,
        journal: () => {
          const file = join(outDir, 'journal.json');
          if (!existsSync(file)) throw new Error(`no journal.json in ${outDir}; stderr:\n${stderr.slice(-2000)}`);
          return JSON.parse(readFileSync(file, 'utf8')) as Journal;
        },
      });
    });
  });
}

/** Names of the SLOs that did not pass, with what was observed (for failure messages). */
export function failedSlos(j: Journal): string[] {
  return j.slos.filter((s) => s.status !== 'pass' && !s.advisory).map((s) => `${s.name} (observed ${s.observed})`);
}

/** The run completed and failed (exit 1), naming `slo` among the failed SLOs in the journal and in the verdict lines printed for the user. */
export function expectFailsNaming(run: CliRun, slo: string): void {
  const j = run.journal();
  expect(j.status, run.stderr.slice(-1500)).toBe('completed');
  expect(run.code).toBe(1);
  expect(j.verdict).toBe('fail');
  expect(failedSlos(j).map((s) => s.replace(/ \(observed.*$/, ''))).toContain(slo);
  expect(run.stdout).toMatch(new RegExp(`✗ ${slo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}
