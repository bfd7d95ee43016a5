/**
 * Load from several worker threads when one core is not enough: each runs a share of the
 * traffic; their per-100-ms data merges exactly into one LoadResult.
 */
import { Worker } from 'node:worker_threads';
import { PeakreadyError, type ErrorCode } from '../contract/errors.js';
import type { LiveSecond } from './live.js';
import { LoadResult, type LoadData } from './load-result.js';
import { mergeLoadData } from './merge.js';
import type { FromWorker, WorkerScenario, WorkerSpec } from './worker-protocol.js';

export interface WorkersOptions {
  readonly workers: number;
  readonly scenario: WorkerScenario;
  readonly target: string;
  readonly seed: number;
  readonly allowRemoteTarget?: boolean;
  /** Closed model over http: the lean built-in client instead of undici. */
  readonly rawClient?: boolean;
  readonly signal?: AbortSignal;
  /** Every worker's schedule starts at this wall-clock instant (epoch ms), never before (RunLoadOptions.startAtEpochMs). */
  readonly startAtEpochMs?: number;
  /** Live seconds summed over workers; p50/p99 are the highest worker's (an upper bound). */
  readonly onSecond?: (s: LiveSecond) => void;
}

function combineLive(parts: readonly LiveSecond[]): LiveSecond {
  const sum = (f: (s: LiveSecond) => number): number => parts.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: LiveSecond) => number): number => Math.max(...parts.map(f));
  const first = parts[0] as LiveSecond;
  const targets = parts.map((s) => s.targetRate).filter((x): x is number => x !== undefined);
  return {
    t: max((s) => s.t),
    rate: sum((s) => s.rate),
    targetRate: targets.length > 0 ? targets.reduce((a, b) => a + b, 0) : undefined,
    p50: max((s) => s.p50),
    p99: max((s) => s.p99),
    p99Ms: max((s) => s.p99),
    requests: sum((s) => s.requests),
    errors: sum((s) => s.errors),
    dropped: sum((s) => s.dropped),
    inFlight: sum((s) => s.inFlight),
    endpoints: first.endpoints,
  };
}

/** Runs `workers` threads and merges their results. */
export async function runLoadInWorkers(o: WorkersOptions): Promise<LoadResult> {
  const url = new URL('./load-worker.js', import.meta.url);
  const latest = new Map<number, LiveSecond>();
  const threads: Worker[] = [];
  const done = Array.from({ length: o.workers }, (_, index) => {
    const spec: WorkerSpec = { scenario: o.scenario, target: o.target, seed: o.seed, index, count: o.workers, allowRemoteTarget: o.allowRemoteTarget ?? false, rawClient: o.rawClient ?? false, ...(o.startAtEpochMs !== undefined ? { startAtEpochMs: o.startAtEpochMs } : {}) };
    const w = new Worker(url, { workerData: spec });
    threads.push(w);
    return new Promise<LoadData>((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'live') {
          latest.set(index, m.live);
          // Emit once every worker has reported this second.
          if (o.onSecond && latest.size === o.workers) {
            o.onSecond(combineLive([...latest.values()]));
            latest.clear();
          }
        } else if (m.type === 'done') resolve(m.data);
        else reject(new PeakreadyError(m.code as ErrorCode, m.message, { problems: m.problems }));
      });
      w.on('error', reject);
      w.on('exit', (code) => reject(new Error(`load worker ${index} exited with code ${code}`)));
    });
  });
  const onAbort = (): void => threads.forEach((t) => t.postMessage({ type: 'abort' }));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const data = await Promise.all(done);
    return new LoadResult(mergeLoadData(data));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
