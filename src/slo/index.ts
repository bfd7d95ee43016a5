/** The SLO part's public surface: the typed API, the string form, evaluation and verdicts. */
export { slo, SloBuilder } from './expr.js';
export { parseSlo, parseSlos, tryParseSlo } from './parse.js';
export { formatSlo, formatObserved, formatThreshold, sloName, ROLLED_BACK } from './format.js';
export { evaluateSlos, evaluateSlo, verdictOf, resilienceScore } from './evaluate.js';
export { DEFAULT_QUERIES } from './prometheus-source.js';
export { seriesName } from './platform-source.js';
export type { EvaluationContext, EvaluationTimeline, TimelinePhase } from './context.js';
