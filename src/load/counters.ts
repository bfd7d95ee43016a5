/**
 * Mutable counters the engine fills (the journal's `Counters` shape) and how they add up.
 */
import type { Counters } from '../contract/journal.js';

export type CountMap = Record<string, number>;

export class MutableCounters implements Counters {
  requests = 0;
  errors = 0;
  dropped = 0;
  status: CountMap = {};
  errorKinds: CountMap = {};
  modelType: CountMap = {};
  modelVersion: CountMap = {};
  cache: CountMap = {};

  /** Adds `other` into this. */
  add(other: Counters): this {
    this.requests += other.requests;
    this.errors += other.errors;
    this.dropped += other.dropped;
    addMap(this.status, other.status);
    addMap(this.errorKinds, other.errorKinds);
    addMap(this.modelType, other.modelType);
    addMap(this.modelVersion, other.modelVersion);
    addMap(this.cache, other.cache);
    return this;
  }

  /** A plain, JSON-friendly copy. */
  snapshot(): Counters {
    return {
      requests: this.requests,
      errors: this.errors,
      dropped: this.dropped,
      status: { ...this.status },
      errorKinds: { ...this.errorKinds },
      modelType: { ...this.modelType },
      modelVersion: { ...this.modelVersion },
      cache: { ...this.cache },
    };
  }
}

export function bump(map: CountMap, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function addMap(into: CountMap, from: Readonly<CountMap>): void {
  for (const k in from) into[k] = (into[k] ?? 0) + (from[k] as number);
}
