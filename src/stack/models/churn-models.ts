/**
 * The tabular models of the reference stack, all trained on the same synthetic churn data:
 * - `v1`: a random forest (ml-random-forest), validation accuracy above 0.9;
 * - `v2-bad`: the same forest trained on 40 % flipped labels, the degraded release a canary
 *   analysis must catch (accuracy clearly below 0.8);
 * - `fallback`: one shallow CART tree (ml-cart), less accurate but far cheaper to predict.
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { DecisionTreeClassifier } from 'ml-cart';
import { DEFAULT_DATASET, FEATURE_COUNT, corruptLabels, makeChurnData, type Dataset } from './dataset.js';
import { loadOrTrain } from './model-store.js';

export type ModelKind = 'v1' | 'v2-bad' | 'fallback';
export const MODEL_KINDS: readonly ModelKind[] = ['v1', 'v2-bad', 'fallback'];

/** A trained binary classifier: probability of class 1 ("churn") per row. */
export interface ChurnClassifier {
  readonly kind: ModelKind;
  readonly featureCount: number;
  predictProba(rows: number[][]): number[];
}

/** Bump when the training code changes meaning, so stale cached models are not reused. */
const TRAINING_REVISION = 1;

const FOREST = { nEstimators: 15, maxFeatures: 1.0, replacement: false, seed: 7, useSampleBagging: true, noOOB: true, treeOptions: { maxDepth: 8, minNumSamples: 3 } };
const BAD_LABEL_FLIP = 0.4;
const FALLBACK_TREE = { maxDepth: 3, minNumSamples: 3 };

function trainingParams(kind: ModelKind): Record<string, unknown> {
  const base = { revision: TRAINING_REVISION, dataset: DEFAULT_DATASET };
  if (kind === 'fallback') return { ...base, tree: FALLBACK_TREE };
  return { ...base, forest: FOREST, labelFlip: kind === 'v2-bad' ? BAD_LABEL_FLIP : 0 };
}

function trainJson(kind: ModelKind, train: Dataset): unknown {
  if (kind === 'fallback') {
    const tree = new DecisionTreeClassifier(FALLBACK_TREE);
    tree.train(train.x, train.y);
    return tree.toJSON();
  }
  const y = kind === 'v2-bad' ? corruptLabels(train.y, BAD_LABEL_FLIP, 99) : train.y;
  const forest = new RandomForestClassifier(FOREST);
  forest.train(train.x, y);
  return forest.toJSON();
}

/** A CART node as ml-cart serializes it: a split, or a leaf with its class distribution. */
interface CartNode {
  splitColumn?: number;
  splitValue?: number;
  left?: CartNode;
  right?: CartNode;
  distribution?: number[][];
}

/**
 * Compiles a serialized CART tree into plain closures: the fallback's whole point is being
 * cheap, and ml-cart's own predict builds a matrix per call.
 */
function compileTree(node: CartNode): (row: readonly number[]) => number {
  if (node.distribution !== undefined || !node.left || !node.right) {
    const p1 = node.distribution?.[0]?.[1] ?? 0; // a leaf that only saw class 0 has one column
    return () => p1;
  }
  const col = node.splitColumn!;
  const value = node.splitValue!;
  const left = compileTree(node.left);
  const right = compileTree(node.right);
  return (row) => (row[col]! < value ? left(row) : right(row));
}

function fromJson(kind: ModelKind, json: unknown): ChurnClassifier {
  if (kind === 'fallback') {
    const predict = compileTree((json as { root: CartNode }).root);
    return { kind, featureCount: FEATURE_COUNT, predictProba: (rows) => rows.map(predict) };
  }
  const forest = RandomForestClassifier.load(json as Parameters<typeof RandomForestClassifier.load>[0]);
  return { kind, featureCount: FEATURE_COUNT, predictProba: (rows) => forest.predictProbability(rows, 1) };
}

/** Loads `kind` from the model cache, training (and caching) it first when absent. */
export async function loadChurnModel(kind: ModelKind): Promise<{ model: ChurnClassifier; validation: Dataset; reference: number[][]; cached: boolean; file: string }> {
  const { train, validation } = makeChurnData(DEFAULT_DATASET);
  const { json, cached, file } = await loadOrTrain(`churn-${kind}`, trainingParams(kind), () => trainJson(kind, train));
  return { model: fromJson(kind, json), validation, reference: train.x, cached, file };
}

/** Share of rows whose thresholded prediction (p ≥ 0.5) matches the label. */
export function accuracy(model: ChurnClassifier, data: Dataset): number {
  const p = model.predictProba(data.x);
  let ok = 0;
  for (let i = 0; i < p.length; i++) if ((p[i]! >= 0.5 ? 1 : 0) === data.y[i]) ok++;
  return p.length === 0 ? 0 : ok / p.length;
}
