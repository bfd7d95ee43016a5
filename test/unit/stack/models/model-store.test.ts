import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeChurnData } from '../../../../src/stack/models/dataset.js';
import { loadOrTrain, paramsKey } from '../../../../src/stack/models/model-store.js';
import { accuracy, loadChurnModel } from '../../../../src/stack/models/churn-models.js';

describe('model store', () => {
  let dir: string;
  const saved = process.env.PEAKREADY_MODEL_DIR;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peakready-store-'));
    process.env.PEAKREADY_MODEL_DIR = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PEAKREADY_MODEL_DIR;
    else process.env.PEAKREADY_MODEL_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains once, then serves the cached JSON (no temp or lock file left behind)', async () => {
    let trainings = 0;
    const train = () => ({ weights: [1, 2, 3], n: ++trainings });
    const first = await loadOrTrain('m', { a: 1 }, train);
    const second = await loadOrTrain('m', { a: 1 }, train);
    expect(first).toMatchObject({ cached: false, json: { n: 1 } });
    expect(second).toMatchObject({ cached: true, json: { n: 1 } });
    expect(trainings).toBe(1);
    expect(readdirSync(dir)).toEqual([first.file.slice(dir.length + 1)]);
  });

  it('keys the cache by the training parameters, whatever their key order', async () => {
    expect(paramsKey({ a: 1, b: { c: 2, d: 3 } })).toBe(paramsKey({ b: { d: 3, c: 2 }, a: 1 }));
    expect(paramsKey({ a: 1 })).not.toBe(paramsKey({ a: 2 }));
    const other = await loadOrTrain('m', { a: 2 }, () => ({ v: 2 }));
    expect(other.cached).toBe(false);
  });

  it('serves a freshly trained model exactly as it will later load from the cache', async () => {
    // ml-cart's toJSON keeps Matrix leaves; reading them as arrays made a fresh fallback answer 0 for every row.
    const fresh = await loadChurnModel('fallback');
    const cached = await loadChurnModel('fallback');
    expect([fresh.cached, cached.cached]).toEqual([false, true]);
    const freshAcc = accuracy(fresh.model, fresh.validation);
    expect(freshAcc).toBeGreaterThan(0.8);
    expect(freshAcc).toBe(accuracy(cached.model, cached.validation));
    expect(fresh.model.predictProba(fresh.validation.x.slice(0, 50))).toEqual(cached.model.predictProba(cached.validation.x.slice(0, 50)));
  });

  it('takes over a stale lock left by a replica that died while training', async () => {
    const probe = await loadOrTrain('probe', { x: 1 }, () => 1);
    rmSync(probe.file);
    const lock = `${probe.file}.lock`;
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 10 * 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(lock, old, old);
    const r = await loadOrTrain('probe', { x: 1 }, () => 2);
    expect(r).toMatchObject({ cached: false, json: 2 });
    expect(existsSync(lock)).toBe(false);
  });
});

describe('churn dataset', () => {
  it('is the same for the same seed and features stay in [0, 1)', () => {
    const a = makeChurnData({ seed: 5, trainRows: 50, validationRows: 20, labelNoise: 0.1 });
    const b = makeChurnData({ seed: 5, trainRows: 50, validationRows: 20, labelNoise: 0.1 });
    expect(a).toEqual(b);
    expect(a.train.x.flat().every((v) => v >= 0 && v < 1)).toBe(true);
    const positives = a.validation.y.filter((y) => y === 1).length;
    expect(positives).toBeGreaterThan(0);
    expect(positives).toBeLessThan(20);
  });
});
