/**
 * Messages between runLoadInWorkers and its worker threads (plain data, structured clone).
 */
import type { ResolvedTraffic } from '../scenario/types.js';
import type { LiveSecond } from './live.js';
import type { LoadData } from './load-result.js';

export type WorkerScenario =
  | { readonly kind: 'file'; readonly file: string; readonly timeScale: number; readonly rateScale: number }
  | { readonly kind: 'fixed'; readonly traffic: ResolvedTraffic; readonly path: string; readonly method: 'GET' | 'POST' | 'HEAD' };

export interface WorkerSpec {
  readonly scenario: WorkerScenario;
  readonly target: string;
  readonly seed: number;
  readonly index: number;
  readonly count: number;
  readonly allowRemoteTarget: boolean;
  readonly rawClient: boolean;
  /** RunLoadOptions.startAtEpochMs: every worker starts its clock on this instant. */
  readonly startAtEpochMs?: number;
}

export type FromWorker =
  | { readonly type: 'live'; readonly live: LiveSecond }
  | { readonly type: 'done'; readonly data: LoadData }
  | { readonly type: 'error'; readonly message: string; readonly problems: readonly string[]; readonly code: string };

export type ToWorker = { readonly type: 'abort' };
