/**
 * The synthetic churn-like dataset every tabular model is trained on. Features are uniform in
 * [0, 1) because that is what the seed's traffic sends (`random.random()` per feature); the
 * label is a nonlinear rule with interactions (so a tree ensemble clearly beats a linear or
 * shallow model) plus a little label noise (so no model is perfect).
 */
import { mulberry32 } from './rng.js';

/** Number of features of the tabular models ("churn", "churn-fallback"). */
export const FEATURE_COUNT = 10;

export interface Dataset {
  readonly x: number[][];
  readonly y: number[];
}

export interface DatasetParams {
  readonly seed: number;
  readonly trainRows: number;
  readonly validationRows: number;
  /** Fraction of training labels flipped at random (the honest noise of real data). */
  readonly labelNoise: number;
}

export const DEFAULT_DATASET: DatasetParams = { seed: 20241129, trainRows: 1000, validationRows: 1000, labelNoise: 0.02 };

/**
 * Churn rule: short-tenure heavy users, very high support load, cheap-plan-but-engaged, or
 * high combined price pressure. Axis-aligned thresholds with AND terms: trees learn it well.
 */
export function churnRule(f: readonly number[]): number {
  const [tenure, usage, support, plan, engagement, price, competitor] = f as [number, number, number, number, number, number, number];
  return (tenure > 0.5 && usage > 0.35) || support > 0.8 || (plan < 0.3 && engagement > 0.45) || price + competitor > 1.5 ? 1 : 0;
}

function rows(rnd: () => number, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(FEATURE_COUNT);
    for (let j = 0; j < FEATURE_COUNT; j++) row[j] = rnd();
    out.push(row);
  }
  return out;
}

/** Builds the training set (noisy labels) and the held-out validation set (clean labels). */
export function makeChurnData(p: DatasetParams = DEFAULT_DATASET): { train: Dataset; validation: Dataset } {
  const rnd = mulberry32(p.seed);
  const trainX = rows(rnd, p.trainRows);
  const trainY = trainX.map((r) => (rnd() < p.labelNoise ? 1 - churnRule(r) : churnRule(r)));
  const valX = rows(rnd, p.validationRows);
  const valY = valX.map(churnRule);
  return { train: { x: trainX, y: trainY }, validation: { x: valX, y: valY } };
}

/** Flips a fraction of labels (seeded): the corrupted training data of the degraded model. */
export function corruptLabels(y: readonly number[], fraction: number, seed: number): number[] {
  const rnd = mulberry32(seed);
  return y.map((v) => (rnd() < fraction ? 1 - v : v));
}
