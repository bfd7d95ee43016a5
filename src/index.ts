/**
 * peakready as a library: declare scenarios, load them, drive traffic. Scenario files
 * import `defineScenario` and the types from here.
 */
export { defineScenario } from './scenario/define.js';
export { seedMix, type SeedMixOptions } from './scenario/seed-mix.js';
export { llmRequest, type LlmRequestOptions, type TokenCount } from './scenario/llm-request.js';
export { loadScenarioFile, importScenarioFile, type LoadScenarioOptions } from './scenario/load.js';
export { resolveScenario, type ResolveOptions } from './scenario/resolve.js';
export { scenarioProblems, validateScenario } from './scenario/validate.js';
export { parseDuration, formatDuration } from './scenario/duration.js';
export type * from './scenario/types.js';
export type * from './scenario/fault-spec.js';
export type * from './scenario/slo-spec.js';
export { FAULT_KINDS } from './scenario/fault-spec.js';
export { runLoad, type RunLoadOptions } from './load/run-load.js';
export { runLoadInWorkers, type WorkersOptions } from './load/run-load-workers.js';
export { mergeLoadData } from './load/merge.js';
export { LoadResult, type LoadData, type LoadTotals } from './load/load-result.js';
export type { LiveSecond } from './load/live.js';
export type { LoadWindows, WindowStats } from './load/window.js';
export { slo, SloBuilder } from './slo/expr.js';
export { parseSlo } from './slo/parse.js';
export { runScenario, type RunOptions, type RunOutcome } from './runner/run-scenario.js';
export { loadCheckedScenario, preflightProblems } from './runner/preflight.js';
export { FAULT_CATALOGUE, faultProblems, resolveFaultParams, type FaultPlatform, type ResolvedFaultParams } from './faults/catalogue.js';
export type { Journal, SloResult } from './journal.js';
export { runCapacity } from './capacity/run-capacity.js';
export type { CapacityResult } from './capacity/types.js';
export { compareWithBaseline } from './baseline/compare-baseline.js';
export { parseTolerances } from './baseline/tolerance.js';
