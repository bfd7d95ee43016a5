/**
 * peakready as a library. Scenario files import `defineScenario` and the types from here;
 * programs run a scenario with `runScenario(fileOrScenario, options)` (every input checked
 * first, the platform made by the factory, the reporters picked by name), read its journal
 * and exit with `exitCode({ kind: 'run', journal })`, as the CLI does.
 */
export { defineScenario } from './scenario/define.js';
export { REFERENCE_STACK } from './scenario/reference-stack.js';
export { defineStack, stackDefinitionProblems, REFERENCE_CLASSIFIER, type StackDefinition, type StackServiceDefinition, type StackSwitch, type AnswerClassifier, type AnswerField, type LoadedStack } from './scenario/stack-definition.js';
export { importStackFile } from './scenario/load-file.js';
export { seedMix, type SeedMixOptions } from './scenario/seed-mix.js';
export { llmRequest, type LlmRequestOptions, type TokenCount } from './scenario/llm-request.js';
export { loadScenarioFile, importScenarioFile, type LoadScenarioOptions } from './scenario/load-file.js';
export { resolveScenario, type ResolveOptions } from './scenario/resolve.js';
export { scenarioProblems, validateScenario } from './scenario/validate.js';
export { parseDuration, formatDuration } from './scenario/duration.js';
export type * from './scenario/types.js';
export type * from './scenario/fault-spec.js';
export type * from './scenario/slo-spec.js';
export { FAULT_KINDS } from './scenario/fault-spec.js';
export { runLoad, type RunLoadOptions } from './load/run-load.js';
export { runLoadInput, type LoadInput, type LoadRun, type LoadHooks } from './load/load-input.js';
export { runLoadInWorkers, type WorkersOptions } from './load/run-load-workers.js';
export { mergeLoadData } from './load/merge.js';
export { LoadResult, type LoadData, type LoadTotals } from './load/load-result.js';
export type { LiveSecond } from './load/live.js';
export type { LoadWindows, WindowStats, ClientStreamWindow, StreamLatency } from './contract/load-windows.js';
export { slo, SloBuilder } from './slo/expr.js';
export { parseSlo } from './slo/parse.js';
export { runScenario, runResolved, RUN_REPORTERS, defaultOutDir, type ScenarioRunOptions, type RunOptions, type RunOutcome } from './runner/run-scenario.js';
export { checkRunInput, type RunInput, type CheckedRun, type PlatformChoice } from './runner/run-input.js';
export { createPlatform, type PlatformOptions, type LocalOptions, type KubernetesOptions } from './platforms/factory.js';
export type { Platform, PlatformEvent, Revert, StackEndpoints, StackStatus, UpOptions } from './platforms/platform.js';
export * from './platforms/capabilities.js';
export { REPORTERS, FINAL_REPORTERS, writeReports, type ReporterName, type WriteReportsResult } from './report/write-reports.js';
export type { Reporter, ReporterFailure } from './report/reporter.js';
export { readJournalInput } from './report/journal-input.js';
export { PeakreadyError, invalidInput, environmentError, type ErrorCode } from './contract/errors.js';
export { exitCode, type Outcome } from './contract/exit-code.js';
export { buildJournal, verdictOf, resilienceScore } from './contract/verdict.js';
export { TeardownStack } from './contract/teardown.js';
export { loadCheckedScenario, preflightProblems } from './runner/preflight.js';
export { FAULT_CATALOGUE, faultProblems, resolveFaultParams, type FaultPlatform, type ResolvedFaultParams } from './faults/catalogue.js';
export type * from './contract/journal.js';
export { runCapacity } from './capacity/run-capacity.js';
export { capacityOfScenario, checkCapacityInput, type CapacityInput } from './capacity/capacity-input.js';
export type { CapacityResult } from './capacity/types.js';
export { compareWithBaseline } from './baseline/compare-baseline.js';
export { parseTolerances } from './baseline/tolerance.js';
