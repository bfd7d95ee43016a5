/**
 * One upstream service as the gateway sees it: keep-alive undici pools (stable URL and an
 * optional canary URL with a weighted split), and the seed's Resilience4j trio with
 * cockatiel — bulkhead outside (a full bulkhead is not the upstream's fault), then the
 * circuit breaker with half-open probing, then the timeout (a timeout is a breaker failure).
 * It also feeds the fallback policy's sliding window and the outcome metrics.
 */
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  SamplingBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import type { UpstreamName, UpstreamPolicyConfig } from './config.js';
import { FallbackPolicy, type PolicyThresholds } from './fallback-policy.js';
import type { GatewayMetrics } from './metrics.js';

/** Why a request did not get the primary's answer (the response's `reason`). */
export type FailureReason = 'breaker_open' | 'timeout' | 'upstream_error' | 'bulkhead_full';

/** The upstream failed (5xx, 429, connection refused/reset, unreadable answer): counts against it. */
export class UpstreamFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }
}

/** The upstream refused the caller's input (4xx): passed back to the caller, never a fallback. */
export class UpstreamClientError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upstream answered ${status}`);
    this.name = 'UpstreamClientError';
  }
}

/** One address an upstream's traffic can go to. `version` is the last model version it reported. */
export interface Target {
  readonly url: string;
  readonly pool: Pool;
  readonly basePath: string;
  readonly canary: boolean;
  version: string;
}

/** Maps an error from `Upstream.call` to a response reason; undefined = not an upstream failure. */
export function failureReason(err: unknown): FailureReason | undefined {
  if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) return 'breaker_open';
  if (err instanceof BulkheadRejectedError) return 'bulkhead_full';
  if (err instanceof TaskCancelledError) return 'timeout';
  if (err instanceof UpstreamFailure) return 'upstream_error';
  return undefined;
}

const BREAKER_GAUGE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};
const STATE_NAME: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

/** A resilient client for one upstream name (tabular, fallback, triton, generative). */
export class Upstream {
  readonly policy: FallbackPolicy;
  private readonly breaker: CircuitBreakerPolicy | undefined;
  private readonly pipeline: IPolicy;
  private stable: Target | undefined;
  private canaryTarget: Target | undefined;
  private weight = 0;
  private acc = 0;

  constructor(
    readonly name: UpstreamName,
    private readonly cfg: UpstreamPolicyConfig,
    stableUrl: string | undefined,
    policyCfg: PolicyThresholds,
    private readonly metrics: GatewayMetrics,
    useBreaker: boolean,
  ) {
    this.policy = new FallbackPolicy(policyCfg);
    this.stable = stableUrl ? this.makeTarget(stableUrl, false) : undefined;
    const limiter = bulkhead(cfg.bulkhead.limit, cfg.bulkhead.queue);
    // abortOnReturn off: aborting a finished call's signal builds a DOMException per request,
    // the single largest cost of the miss path in a CPU profile.
    const deadline = timeout(cfg.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const gauge = metrics.breakerState.labels(name);
    gauge.set(0);
    if (useBreaker) {
      const b = cfg.breaker;
      const breaker = circuitBreaker(
        handleWhen((e) => e instanceof UpstreamFailure || e instanceof TaskCancelledError),
        {
          halfOpenAfter: cfg.halfOpenAfterMs,
          breaker:
            b.kind === 'consecutive'
              ? new ConsecutiveBreaker(b.failures)
              : new SamplingBreaker({ threshold: b.threshold, duration: b.durationMs, minimumRps: b.minimumRps }),
        },
      );
      breaker.onStateChange((s) => {
        gauge.set(BREAKER_GAUGE[s]);
        metrics.breakerTransitions.labels(name, STATE_NAME[s]).inc();
        // The breaker just proved the primary healthy: stale errors must not keep diverting.
        if (s === CircuitState.Closed) this.policy.reset();
      });
      this.breaker = breaker;
      this.pipeline = wrap(limiter, breaker, deadline);
    } else {
      this.pipeline = wrap(limiter, deadline);
    }
  }

  get configured(): boolean {
    return this.stable !== undefined;
  }

  /** 0 closed, 1 half-open, 2 open (the gauge's encoding). */
  breakerState(): number {
    return this.breaker ? BREAKER_GAUGE[this.breaker.state] : 0;
  }

  /** Picks stable or canary by weight; the accumulator gives an exact split, not a random one. */
  pick(): Target | undefined {
    if (this.canaryTarget !== undefined && this.weight > 0) {
      this.acc += this.weight;
      if (this.acc >= 100) {
        this.acc -= 100;
        return this.canaryTarget;
      }
    }
    return this.stable;
  }

  canary(): { upstream: UpstreamName; stableUrl: string | null; canaryUrl: string | null; weight: number } {
    return { upstream: this.name, stableUrl: this.stable?.url ?? null, canaryUrl: this.canaryTarget?.url ?? null, weight: this.weight };
  }

  /** Changes the split at run time; the previous canary pool closes once its requests finish. */
  setCanary(url: string | null, weight: number): void {
    if ((url ?? null) !== (this.canaryTarget?.url ?? null)) {
      void this.canaryTarget?.pool.close().catch(() => undefined);
      this.canaryTarget = url ? this.makeTarget(url, true) : undefined;
    }
    this.weight = this.canaryTarget ? weight : 0;
    this.acc = 0;
    this.metrics.canaryWeight.labels(this.name).set(this.weight);
  }

  /**
   * Runs `fn` against `target` through bulkhead, breaker and timeout. `record` = false for
   * calls that must not move the fallback policy's window (the fallback upstream's own calls);
   * a function gives the latency the policy records for a success (generate: time to first
   * token) instead of the call's duration.
   */
  async call<T>(
    target: Target,
    fn: (target: Target, signal: AbortSignal) => Promise<T>,
    record: boolean | ((value: T, elapsedMs: number) => number) = true,
  ): Promise<T> {
    const started = performance.now();
    try {
      const value = await this.pipeline.execute(({ signal }) => fn(target, signal), NEVER_ABORTED);
      const elapsed = performance.now() - started;
      if (record !== false) this.policy.record(typeof record === 'function' ? record(value, elapsed) : elapsed, true);
      this.metrics.upstreamRequests.labels(this.name, 'success').inc();
      return value;
    } catch (err) {
      const reason = failureReason(err);
      if (reason === 'upstream_error' || reason === 'timeout') {
        if (record !== false) this.policy.record(performance.now() - started, false);
      }
      this.metrics.upstreamRequests.labels(this.name, reason ?? 'client_error').inc();
      throw err;
    }
  }

  /** POSTs JSON and returns the 2xx body text; 4xx → UpstreamClientError, 5xx/429/network → UpstreamFailure. */
  static async postJson(target: Target, path: string, body: string, signal: AbortSignal): Promise<string> {
    let res;
    try {
      res = await target.pool.request({
        path: target.basePath + path,
        method: 'POST',
        headers: JSON_HEADERS,
        body,
        signal,
      });
    } catch (err) {
      throw asFailure(err, signal);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw asFailure(err, signal);
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) return text;
    if (status >= 400 && status < 500 && status !== 429 && status !== 408) throw new UpstreamClientError(status, text);
    throw new UpstreamFailure(`upstream answered ${status}`, status);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.stable?.pool.close(), this.canaryTarget?.pool.close()]);
  }

  private makeTarget(url: string, canary: boolean): Target {
    const u = new URL(url);
    const pool = new Pool(u.origin, {
      connections: this.cfg.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: Math.max(this.cfg.timeoutMs, 100) },
      // Backstops only: the cockatiel timeout governs answers; these bound idle SSE streams.
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    return { url, pool, basePath: u.pathname.replace(/\/+$/, ''), canary, version: 'unknown' };
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * The pipeline's parent signal: never aborted and shared, so no AbortController is built per
 * call (each costs a signal and its listener map: garbage on the hot path). The timeout adds one
 * listener per call in flight and removes it when the call ends; without a raised limit Node
 * warns past ten, as it does for cockatiel's own shared default.
 */
const NEVER_ABORTED = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);

function asFailure(err: unknown, signal: AbortSignal): unknown {
  // After our own timeout fired, the race already rejected with TaskCancelledError.
  if (signal.aborted) return err;
  const e = err as { code?: string; message?: string };
  return new UpstreamFailure(`${e.code ?? 'error'}: ${e.message ?? String(err)}`);
}
