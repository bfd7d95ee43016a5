import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadScenarioFile } from '../../../src/scenario/load-file.js';
import { PeakreadyError } from '../../../src/contract/errors.js';
import { exitCode } from '../../../src/contract/exit-code.js';

// Scenario files live inside the repository (tmp/ is ignored by git) so their imports resolve like a user's.
const root = resolve('tmp');
mkdirSync(root, { recursive: true });
const dir = mkdtempSync(join(root, 'scenario-load-'));
const index = relative(dir, resolve('src/index.js')).replace(/\\/g, '/');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

async function problemsOf(p: string): Promise<PeakreadyError> {
  try {
    await loadScenarioFile(p);
  } catch (err) {
    expect(err).toBeInstanceOf(PeakreadyError);
    return err as PeakreadyError;
  }
  throw new Error('expected the scenario to be refused');
}

describe('loadScenarioFile', () => {
  it('bundles a TypeScript scenario, takes its default export and resolves it; the temp bundle is removed', async () => {
    const p = write(
      'ok.ts',
      `import { defineScenario } from '${index}';
const n: number = 20;
export default defineScenario({
  name: 'ok',
  traffic: { executor: 'arrival-rate', stages: [{ name: 'base', duration: '10s', rate: n }] },
  mix: { predict: { weight: 1, request: (ctx) => ({ method: 'POST', path: '/api/v1/predict', body: { features: ctx.features(10) } }) } },
});
`,
    );
    const r = await loadScenarioFile(p, { timeScale: 0.5, rateScale: 3 });
    expect(r.name).toBe('ok');
    expect(r.file).toBe(relative(process.cwd(), p));
    expect(r.traffic.durationMs).toBe(5000);
    if (r.traffic.executor !== 'arrival-rate') throw new Error('executor');
    expect(r.traffic.stages[0]?.toRate).toBe(60);
    expect(r.phases).toEqual([{ name: 'base', startMs: 0, endMs: 5000 }]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.mjs'))).toEqual([]);
  });

  it('reports syntax errors as file:line:col: message', async () => {
    const p = write('broken.ts', `export default {\n  name: 'x',\n  traffic: ,\n};\n`);
    const e = await problemsOf(p);
    expect(exitCode({ kind: 'error', error: e })).toBe(2);
    expect(e.message).toMatch(/broken\.ts: the scenario does not compile/);
    expect(e.problems).toEqual([`${relative(process.cwd(), p)}:3:12: Unexpected ","`]);
  });

  it('lists every validation problem with the file name', async () => {
    const p = write('invalid.ts', `export default { name: 'x', traffic: { executor: 'arrival-rate', stages: [{ duration: '1m', rate: -5 }] }, mix: { a: { weight: 1, request: () => ({ path: '/' }) } }, faults: [{ kind: 'explode', target: 't', at: '1s' }] };\n`);
    const e = await problemsOf(p);
    const shown = relative(process.cwd(), p);
    expect(e.problems).toEqual([
      `${shown}: traffic.stages[0].rate: expected a number >= 0, got -5`,
      `${shown}: faults[0].kind: unknown fault kind 'explode', expected one of kill-replica, unavailable, latency, errors, reset, partition, bandwidth, cpu-stress, redis-outage`,
    ]);
  });

  it('refuses a missing file, a file without a default export and bad scales', async () => {
    expect((await problemsOf(join(dir, 'nope.ts'))).message).toMatch(/nope\.ts: scenario file not found/);
    expect((await problemsOf(write('nodefault.ts', 'export const x = 1;\n'))).message).toMatch(/expected a default export/);
    await expect(loadScenarioFile(join(dir, 'ok.ts'), { timeScale: 0 })).rejects.toMatchObject({ problems: ['--time-scale: expected a number > 0, got 0'] });
  });
});
