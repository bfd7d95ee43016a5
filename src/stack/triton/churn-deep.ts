/**
 * The "churn-deep" model Triton serves: a fixed additive model over 20 features whose
 * per-feature contributions are its explanation (they sum exactly to the logit minus the
 * bias, like SHAP values of a linear model). Deterministic and cheap: the simulated GPU time
 * comes from the batcher's timers, not from this arithmetic.
 */
import { mulberry32 } from '../models/rng.js';

export interface DeepOutputs {
  readonly probabilities: number[];
  readonly explanation: number[];
}

/** Builds the model for `features` inputs (weights seeded, so every replica agrees). */
export function createChurnDeep(features: number): (rows: readonly (readonly number[])[]) => DeepOutputs {
  const rnd = mulberry32(4242);
  const weights = Array.from({ length: features }, () => Math.round((rnd() * 4 - 2) * 1000) / 1000);
  const bias = -0.1;
  return (rows) => {
    const probabilities: number[] = [];
    const explanation: number[] = [];
    for (const row of rows) {
      let logit = bias;
      for (let j = 0; j < features; j++) {
        const c = weights[j]! * (row[j]! - 0.5);
        explanation.push(Math.round(c * 1e6) / 1e6);
        logit += c;
      }
      const p = 1 / (1 + Math.exp(-logit));
      probabilities.push(Math.round((1 - p) * 1e6) / 1e6, Math.round(p * 1e6) / 1e6);
    }
    return { probabilities, explanation };
  };
}
