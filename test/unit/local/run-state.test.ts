import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRunStates, reapRunState, RunState } from '../../../src/platforms/local/run-state.js';
import { isSameProcess, procStartTime } from '../../../src/platforms/local/proc-info.js';

describe('run-state files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('records processes with their start time and temp dirs, atomically on each change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-'));
    dirs.push(dir);
    const rs = new RunState('run/1', dir);
    rs.trackProcess(process.pid, 'me', 1234);
    rs.trackTempDir('/tmp/x');
    const stored = JSON.parse(readFileSync(rs.file, 'utf8'));
    expect(rs.file).toBe(join(dir, 'run_1.json'));
    expect(stored.processes).toEqual([{ pid: process.pid, startTime: procStartTime(process.pid), label: 'me', port: 1234 }]);
    expect(listRunStates(dir)[0]).toMatchObject({ runId: 'run/1', live: true });
    rs.untrackProcess(process.pid);
    expect(JSON.parse(readFileSync(rs.file, 'utf8')).processes).toEqual([]);
    rs.remove();
    expect(existsSync(rs.file)).toBe(false);
  });

  it('a PID whose start time differs is a different process', () => {
    expect(isSameProcess(process.pid, procStartTime(process.pid))).toBe(true);
    expect(isSameProcess(process.pid, (procStartTime(process.pid) ?? 0) + 1)).toBe(false);
  });

  it('reaping kills the recorded processes and removes temp dirs and the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-'));
    const temp = join(dir, 'tmp-area');
    mkdirSync(temp);
    dirs.push(dir);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const rs = new RunState('r2', dir);
    rs.trackProcess(child.pid!, 'straggler');
    rs.trackTempDir(temp);
    const [state] = listRunStates(dir);
    const out = await reapRunState({ ...state!, live: false });
    expect(out.killed).toEqual([`straggler (pid ${child.pid})`]);
    expect(isSameProcess(child.pid!, undefined)).toBe(false);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(rs.file)).toBe(false);
  });
});
