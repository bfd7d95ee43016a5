/**
 * runLoad: drives a resolved scenario's traffic at a target and returns what it measured.
 * Knows nothing of faults or SLOs; the runner reads the result through LoadWindows.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { ResolvedScenario } from '../scenario/types.js';
import type { AnswerClassifier } from '../scenario/stack-definition.js';
import { compileClassifier } from './request-slot.js';
import { ArrivalRateExecutor } from './arrival-rate.js';
import { ArrivalSchedule } from './arrival-schedule.js';
import { encodeHistogram } from './histogram.js';
import { liveSecond, type LiveSecond } from './live.js';
import { LoadResult } from './load-result.js';
import { SeededRandom } from './random.js';
import { waitUntilEpoch } from './start-at.js';
import { MixSource, type RequestSource } from './request-source.js';
import { StatsRecorder } from './stats-recorder.js';
import { checkTarget } from './target-guard.js';
import { RawHttpClient, RawHttpPool } from './raw-http-client.js';
import { connectOne, VusExecutor, type Connection } from './vus.js';

export interface RunLoadOptions {
  /** Base URL; the mix's paths are appended to it. */
  readonly target: string;
  readonly seed: number;
  readonly signal?: AbortSignal;
  /** Called once a second with live stats (rate, p50, p99, errors, dropped, per endpoint). */
  readonly onSecond?: (s: LiveSecond) => void;
  /** Allow a non-loopback target (also allowed by the scenario's safety.allowRemoteTarget). */
  readonly allowRemoteTarget?: boolean;
  /** Replaces the scenario's mix (the wrk-like single request form). */
  readonly source?: RequestSource;
  /**
   * Plain http only: use the lean built-in HTTP/1.1 client instead of undici (the wrk-like
   * form, where client overhead bounds the measured throughput).
   */
  readonly rawClient?: boolean;
  /**
   * Wall-clock instant (epoch ms) the schedule's clock starts: connections are set up first,
   * then the run waits for it and never starts before it (load runners started in lockstep,
   * `peakready load --start-at`). Passed already: at once. Default: as soon as it is set up.
   */
  readonly startAtEpochMs?: number;
  /** How answers are classified; default the scenario's `stack.classify`, else its stack definition's, else the reference headers. */
  readonly classify?: AnswerClassifier;
}

// After an abort, in-flight requests get this long before their connections are closed.
const ABORT_GRACE_MS = 2000;

/** Runs the scenario's traffic against `opts.target`; resolves when every request has finished. */
export async function runLoad(scenario: ResolvedScenario, opts: RunLoadOptions): Promise<LoadResult> {
  const url = checkTarget(opts.target, opts.allowRemoteTarget === true || scenario.safety.allowRemoteTarget);
  const basePath = url.pathname.replace(/\/+$/, '');
  const rng = new SeededRandom(opts.seed);
  const source = opts.source ?? new MixSource(scenario.mix, rng.fork(1), scenario.drift, basePath);
  const recorder = new StatsRecorder(source.endpoints);
  const traffic = scenario.traffic;
  const timeoutMs = traffic.timeoutMs;
  const raw = opts.rawClient === true && url.protocol === 'http:';

  // Reset just before the schedule starts (after connections are warmed), see below.
  let t0 = performance.now();
  let startEpochMs = Date.now();
  const clock = (): number => performance.now() - t0;
  const classifier = compileClassifier(opts.classify ?? scenario.stack.classify ?? scenario.stackDefinition?.definition.classify);
  const env = { source, recorder, clock, signal: opts.signal, classifier };

  let dispatchers: Connection[];
  let run: () => Promise<void>;
  let inFlight: () => number;
  let targetRate: (ms: number) => number | undefined;
  let targetRps: number;
  let lag: ArrivalRateExecutor['lag'] | undefined;
  if (traffic.executor === 'arrival-rate') {
    const rawPool = raw ? new RawHttpPool(url.origin, timeoutMs) : undefined;
    if (rawPool) await rawPool.warm(traffic.preAllocated);
    const pool = rawPool
      ? rawPool
      : new Pool(url.origin, {
          connections: traffic.maxInFlight,
          pipelining: 1,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connectTimeout: timeoutMs,
          keepAliveTimeout: 30_000,
        });
    const schedule = new ArrivalSchedule(traffic.stages);
    targetRps = traffic.durationMs > 0 ? schedule.total() / (traffic.durationMs / 1000) : 0;
    const ex = new ArrivalRateExecutor({ ...env, dispatcher: pool }, { schedule, preAllocated: traffic.preAllocated, maxInFlight: traffic.maxInFlight });
    const rateCurve = new ArrivalSchedule(traffic.stages);
    dispatchers = [pool];
    run = () => ex.run();
    inFlight = () => ex.inFlight;
    targetRate = (ms) => rateCurve.rateAt(ms);
    lag = ex.lag;
  } else {
    const ex = new VusExecutor(env, {
      vus: traffic.vus,
      durationMs: traffic.durationMs,
      thinkTimeMs: traffic.thinkTimeMs,
      connect: raw ? () => new RawHttpClient(url.origin, timeoutMs) : () => connectOne(url.origin, timeoutMs),
      rng: rng.fork(2),
    });
    dispatchers = ex.clients();
    run = () => ex.run();
    inFlight = () => ex.inFlight;
    targetRate = () => undefined;
    targetRps = 0;
  }

  // The clock starts now: connection warm-up above is not part of the measured traffic.
  if (opts.startAtEpochMs !== undefined) await waitUntilEpoch(opts.startAtEpochMs, opts.signal);
  t0 = performance.now();
  startEpochMs = Date.now();
  let lastLive = 0;
  const liveTimer = setInterval(() => {
    const now = clock();
    recorder.sealBefore(now);
    const taken = recorder.takeLive();
    if (opts.onSecond) opts.onSecond(liveSecond(source.endpoints, taken, now - lastLive, Math.round(now / 1000), targetRate(now), inFlight()));
    lastLive = now;
  }, 1000);

  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    graceTimer = setTimeout(() => void Promise.all(dispatchers.map((d) => d.destroy())), ABORT_GRACE_MS);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await run();
  } finally {
    clearInterval(liveTimer);
    if (graceTimer) clearTimeout(graceTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    await Promise.all(dispatchers.map((d) => d.close().catch(() => d.destroy())));
  }
  const aborted = opts.signal?.aborted === true;
  const plannedMs = traffic.durationMs;
  const durationMs = aborted ? Math.min(plannedMs, clock()) : plannedMs;
  recorder.sealAll();
  const streams = recorder.streamStore();
  return new LoadResult({
    endpoints: source.endpoints,
    durationMs,
    startEpochMs,
    targetRps,
    slices: recorder.store().toData(),
    ...(streams ? { streams: streams.toData() } : {}),
    schedulingLag: lag && lag.totalCount > 0 ? encodeHistogram(lag) : undefined,
    aborted,
  });
}
