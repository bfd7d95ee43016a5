/**
 * Turns the scenario's weighted mix into undici dispatch options: picks an entry with the
 * seeded RNG, calls its factory with a request context (iteration, elapsed time, drift),
 * and encodes the body as JSON.
 */
import type { Dispatcher } from 'undici';
import type { MixEntry, Random, RequestContext, ResolvedScenario } from '../scenario/types.js';
import { MixPicker } from './mix-picker.js';

/** Where an executor gets its next request from. */
export interface RequestSource {
  readonly endpoints: readonly string[];
  /** Index of the next request's endpoint. */
  pick(): number;
  /** Dispatch options for a request to endpoint `ep` at `elapsedMs` from traffic start. */
  build(ep: number, elapsedMs: number): Dispatcher.DispatchOptions;
}

type Drift = ResolvedScenario['drift'];

class Context implements RequestContext {
  iteration = 0;
  elapsedMs = 0;
  drift = 0;
  constructor(readonly rng: Random) {}
  features(n: number): number[] {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.rng.next() + this.drift;
    return out;
  }
}

/** Current shift at `elapsedMs`: 0 before start, linear over the ramp, then `shift`. */
export function driftAt(drift: Drift, elapsedMs: number): number {
  if (!drift || elapsedMs < drift.startAtMs) return 0;
  if (drift.rampForMs <= 0 || elapsedMs >= drift.startAtMs + drift.rampForMs) return drift.shift;
  return (drift.shift * (elapsedMs - drift.startAtMs)) / drift.rampForMs;
}

/** A scenario's mix as a RequestSource. `basePath` prefixes every path (from the target URL). */
export class MixSource implements RequestSource {
  readonly endpoints: readonly string[];
  private readonly entries: readonly MixEntry[];
  private readonly picker: MixPicker;
  private readonly ctx: Context;

  constructor(mix: Readonly<Record<string, MixEntry>>, private readonly rng: Random, private readonly drift: Drift, private readonly basePath = '') {
    this.endpoints = Object.keys(mix);
    this.entries = Object.values(mix);
    this.picker = new MixPicker(this.entries.map((e) => e.weight));
    this.ctx = new Context(rng);
  }

  pick(): number {
    return this.picker.pick(this.rng);
  }

  build(ep: number, elapsedMs: number): Dispatcher.DispatchOptions {
    const ctx = this.ctx;
    ctx.elapsedMs = elapsedMs;
    ctx.drift = driftAt(this.drift, elapsedMs);
    const req = (this.entries[ep] as MixEntry).request(ctx);
    ctx.iteration++;
    const headers: Record<string, string> = { ...req.headers };
    let body: string | Buffer | undefined;
    if (req.body !== undefined) {
      if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
      else {
        body = JSON.stringify(req.body);
        if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
      }
    }
    return { path: this.basePath + req.path, method: req.method ?? (body === undefined ? 'GET' : 'POST'), headers, body: body ?? null };
  }
}

function hasHeader(h: Record<string, string>, name: string): boolean {
  for (const k in h) if (k.toLowerCase() === name) return true;
  return false;
}

/** One fixed request (the wrk-like form): no allocation per request. */
export class FixedSource implements RequestSource {
  readonly endpoints: readonly string[];
  private readonly options: Dispatcher.DispatchOptions;
  constructor(path: string, method: Dispatcher.HttpMethod = 'GET') {
    this.endpoints = [`${method} ${path}`];
    this.options = { path, method };
  }
  pick(): number {
    return 0;
  }
  build(): Dispatcher.DispatchOptions {
    return this.options;
  }
}
