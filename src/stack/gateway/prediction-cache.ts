/**
 * The seed's Redis prediction cache (key "prediction:" + hash of the canonical JSON input,
 * 30-minute TTL), built so that Redis can never fail a request: commands time out after
 * ~50 ms, nothing queues while disconnected, reconnects happen in the background, and every
 * lookup that could not be answered is counted as `error` and served uncached.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.js';

/** What a lookup found: the stored value, `null` on a miss, `undefined` when Redis could not answer. */
export type CacheLookup = string | null | undefined;

/** One cached answer: the serialized response body plus what metrics need without parsing it. */
export interface CachedAnswer {
  readonly version: string;
  /** Positive-class probabilities of the answer, for model_prediction_distribution. */
  readonly p1: readonly number[];
  readonly body: string;
}

/** Stored as `version \t p1,p1,... \n body` so a hit is sent without re-serialising. */
export function encodeCached(a: CachedAnswer): string {
  return `${a.version}\t${a.p1.join(',')}\n${a.body}`;
}

export function decodeCached(raw: string): CachedAnswer | undefined {
  const nl = raw.indexOf('\n');
  const tab = raw.indexOf('\t');
  if (nl < 0 || tab < 0 || tab > nl) return undefined;
  const list = raw.slice(tab + 1, nl);
  return { version: raw.slice(0, tab), p1: list === '' ? [] : list.split(',').map(Number), body: raw.slice(nl + 1) };
}

/** Deterministic JSON with sorted object keys (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** "prediction:" + sha256 of the canonical JSON of the route and its model input. */
export function cacheKey(input: unknown): string {
  return 'prediction:' + createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/** Redis-backed cache that degrades to "uncached" instead of failing. */
export class PredictionCache {
  private readonly redis: Redis | undefined;
  private outage = false;

  constructor(
    redisUrl: string | undefined,
    private readonly opts: { readonly ttlSeconds: number; readonly commandTimeoutMs: number },
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {
    if (!redisUrl) return;
    this.redis = new Redis(redisUrl, {
      commandTimeout: opts.commandTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      enableAutoPipelining: true,
      connectTimeout: 1000,
      // Keep trying forever in the background, at most every 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000),
      lazyConnect: false,
    });
    this.redis.on('error', (err: Error) => {
      if (!this.outage) logger.warn({ err: err.message }, 'redis unavailable: serving uncached');
      this.outage = true;
    });
    this.redis.on('ready', () => {
      if (this.outage) logger.info('redis back: cache enabled');
      this.outage = false;
    });
  }

  /** False when no Redis URL was given (every lookup is a bypass). */
  get enabled(): boolean {
    return this.redis !== undefined;
  }

  get connected(): boolean {
    return this.redis?.status === 'ready';
  }

  async get(key: string): Promise<CacheLookup> {
    const redis = this.redis!;
    // Not connected: fail at once instead of waiting for a timeout on every request.
    if (redis.status !== 'ready') {
      this.metrics.cacheResult('error');
      return undefined;
    }
    try {
      const v = await redis.get(key);
      this.metrics.cacheResult(v === null ? 'miss' : 'hit');
      return v;
    } catch {
      this.metrics.cacheResult('error');
      return undefined;
    }
  }

  /** Stores without waiting; a failed write only costs a future miss. */
  set(key: string, value: string): void {
    const redis = this.redis;
    if (!redis || redis.status !== 'ready') return;
    redis.set(key, value, 'EX', this.opts.ttlSeconds).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (!this.redis) return;
    this.redis.disconnect(false);
  }
}
