/**
 * Worker thread entry: runs one share of the traffic (its rates or users divided by the
 * worker count) and posts back its per-100-ms data for an exact merge.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PeakreadyError } from '../contract/errors.js';
import { loadScenarioFile } from '../scenario/load-file.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { bareScenario, trafficShare } from './fixed-scenario.js';
import { FixedSource } from './request-source.js';
import { runLoad } from './run-load.js';
import type { FromWorker, ToWorker, WorkerSpec } from './worker-protocol.js';

const spec = workerData as WorkerSpec;
const port = parentPort;
const post = (m: FromWorker): void => port?.postMessage(m);

async function main(): Promise<void> {
  const abort = new AbortController();
  port?.on('message', (m: ToWorker) => {
    if (m.type === 'abort') abort.abort();
  });
  let scenario: ResolvedScenario;
  let source: FixedSource | undefined;
  if (spec.scenario.kind === 'file') {
    const full = await loadScenarioFile(spec.scenario.file, { timeScale: spec.scenario.timeScale, rateScale: spec.scenario.rateScale });
    scenario = { ...full, traffic: trafficShare(full.traffic, spec.index, spec.count) };
  } else {
    scenario = bareScenario('load', trafficShare(spec.scenario.traffic, spec.index, spec.count));
    source = new FixedSource(spec.scenario.path, spec.scenario.method);
  }
  const result = await runLoad(scenario, {
    target: spec.target,
    // Distinct, reproducible streams per worker.
    seed: (spec.seed + spec.index * 0x9e3779b1) >>> 0,
    signal: abort.signal,
    allowRemoteTarget: spec.allowRemoteTarget,
    rawClient: spec.rawClient,
    onSecond: (live) => post({ type: 'live', live }),
    ...(source ? { source } : {}),
    ...(spec.startAtEpochMs !== undefined ? { startAtEpochMs: spec.startAtEpochMs } : {}),
  });
  post({ type: 'done', data: result.data });
}

main().catch((err: unknown) => {
  const e = err instanceof PeakreadyError ? err : undefined;
  post({ type: 'error', message: err instanceof Error ? err.message : String(err), problems: e?.problems ?? [], code: e?.code ?? 'INTERNAL' });
});
