/**
 * One in-flight request as an undici dispatch handler. Slots are reused, so the hot path
 * allocates no promise or closure per request; the owner is told when the request ends.
 */
import type { Dispatcher } from 'undici';
import { SseTokenReader, type StreamOutcome } from './sse-tokens.js';
import type { Outcome } from './stats-recorder.js';
import { REFERENCE_CLASSIFIER, type Answer, type AnswerClass, type AnswerClassifier, type AnswerField } from '../scenario/stack-definition.js';

type Slot = 'modelType' | 'cache' | 'modelVersion';

/**
 * A stack's own classifier (stack-definition.ts), ready for the hot path: header names in
 * lower case, JSON fields read from the answer's body, or a function of the whole answer
 * (its headers and body are then kept for it). Undefined means the reference stack's
 * headers, read by the length-first fast path below.
 */
export interface CompiledClassifier {
  readonly headers: ReadonlyMap<string, Slot>;
  readonly json: readonly (readonly [string, Slot])[];
  readonly fallbackValue: string;
  readonly fn?: (answer: Answer) => AnswerClass | undefined;
}

export function compileClassifier(c: AnswerClassifier | undefined): CompiledClassifier | undefined {
  if (!c) return undefined;
  if (typeof c === 'function') return { headers: new Map(), json: [], fallbackValue: 'fallback', fn: c };
  const fields: [AnswerField | undefined, Slot][] = [
    [c.modelType, 'modelType'],
    [c.cache, 'cache'],
    [c.version, 'modelVersion'],
  ];
  // The reference stack's own classifier takes the length-first fast path below.
  const reference = (c.fallbackValue ?? 'fallback') === 'fallback' && (['modelType', 'cache', 'version'] as const).every((k) => sameField(c[k], REFERENCE_CLASSIFIER[k]));
  if (reference) return undefined;
  const headers = new Map<string, Slot>();
  const json: [string, Slot][] = [];
  for (const [f, slot] of fields) {
    if (!f) continue;
    if ('header' in f) headers.set(f.header.toLowerCase(), slot);
    else json.push([f.json, slot]);
  }
  return { headers, json, fallbackValue: c.fallbackValue ?? 'fallback' };
}

function sameField(a: AnswerField | undefined, b: AnswerField | undefined): boolean {
  if (!a || !b) return a === b;
  return 'header' in a && 'header' in b ? a.header.toLowerCase() === b.header.toLowerCase() : 'json' in a && 'json' in b && a.json === b.json;
}
/** A JSON answer larger than this is not read for classification (its fields count as absent). */
const MAX_CLASSIFIED_BODY = 256 * 1024;

/** Whoever dispatched the slot: told once per request, on success or failure. */
export interface SlotOwner {
  complete(slot: RequestSlot): void;
  /** ms from traffic start (when a streamed token arrived). */
  clock(): number;
}

const enum HeaderLen {
  Cache = 7, // x-cache
  ModelType = 12, // x-model-type
  ModelVersion = 15, // x-model-version
}

const EVENT_STREAM = 'text/event-stream';

/** `text/event-stream` (any case, parameters allowed), checked on the bytes: most answers are not, and cost one compare. */
function isEventStream(v: Buffer): boolean {
  return v.length >= EVENT_STREAM.length && (v[0]! | 0x20) === 0x74 && (v[5]! | 0x20) === 0x65 && v.toString('latin1', 0, EVENT_STREAM.length).toLowerCase() === EVENT_STREAM;
}

/** Maps a transport error to the journal's error kinds. */
export function errorKind(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  const code = e?.code === 'UND_ERR_SOCKET' && e.cause?.code ? e.cause.code : (e?.code ?? e?.cause?.code);
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'reset';
    case 'ECONNREFUSED':
      return 'refused';
    default:
      return 'other';
  }
}

export class RequestSlot implements Dispatcher.DispatchHandler, Outcome {
  ep = 0;
  /** Intended send time, ms from traffic start. */
  intendedMs = 0;
  status = 0;
  errorKind: string | undefined = undefined;
  modelType: string | undefined = undefined;
  modelVersion: string | undefined = undefined;
  cache: string | undefined = undefined;
  /** Set for a Server-Sent Events answer (a streamed generation) once it ended. */
  stream: StreamOutcome | undefined = undefined;
  private reader: SseTokenReader | undefined = undefined;
  private done = false;
  /** Body chunks of an answer a JSON classifier or a classifier function reads. */
  private body: Buffer[] | undefined = undefined;
  private bodyBytes = 0;
  /** The answer's headers, kept for a classifier function. */
  private headerMap: Record<string, string> | undefined = undefined;
  private bodyIsJson = false;

  constructor(
    private readonly owner: SlotOwner,
    private readonly classifier?: CompiledClassifier,
  ) {}

  /** Resets the slot for a new request. */
  arm(ep: number, intendedMs: number): this {
    this.ep = ep;
    this.intendedMs = intendedMs;
    this.status = 0;
    this.errorKind = undefined;
    this.modelType = undefined;
    this.modelVersion = undefined;
    this.cache = undefined;
    this.stream = undefined;
    this.reader = undefined;
    this.done = false;
    this.body = undefined;
    this.bodyBytes = 0;
    this.headerMap = undefined;
    this.bodyIsJson = false;
    return this;
  }

  onConnect(): void {}

  onHeaders(statusCode: number, headers: Buffer[] | null): boolean {
    if (statusCode < 200) return true; // 1xx: the final answer follows
    this.status = statusCode;
    if (this.classifier) {
      this.classifyHeaders(this.classifier, statusCode, headers);
      return true;
    }
    if (headers !== null) {
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i] as Buffer;
        const len = name.length;
        // Only four headers matter; compare lengths first so most names cost one check.
        if (len !== HeaderLen.Cache && len !== HeaderLen.ModelType && len !== HeaderLen.ModelVersion) continue;
        const lower = name.toString('latin1').toLowerCase();
        const value = () => (headers[i + 1] as Buffer).toString('latin1');
        if (lower === 'x-cache') this.cache = value().toLowerCase();
        else if (lower === 'x-model-type') this.modelType = value();
        else if (lower === 'x-model-version') this.modelVersion = value();
        // content-type has the length of x-model-type: a streamed generation is read token by token.
        else if (lower === 'content-type' && statusCode < 300 && isEventStream(headers[i + 1] as Buffer)) this.reader = new SseTokenReader();
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.reader?.feed(chunk, this.owner.clock());
    if (this.body) {
      this.bodyBytes += chunk.length;
      if (this.bodyBytes > MAX_CLASSIFIED_BODY) this.body = undefined;
      else this.body.push(chunk);
    }
    return true;
  }

  /** A stack's own header names; a JSON answer's body is kept for its fields, any body and every header for a function. */
  private classifyHeaders(c: CompiledClassifier, statusCode: number, headers: Buffer[] | null): void {
    if (c.fn) {
      this.headerMap = {};
      this.body = [];
    }
    if (headers === null) return;
    for (let i = 0; i < headers.length; i += 2) {
      const lower = (headers[i] as Buffer).toString('latin1').toLowerCase();
      const value = (headers[i + 1] as Buffer).toString('latin1');
      if (this.headerMap) this.headerMap[lower] = value;
      const slot = c.headers.get(lower);
      if (slot) this.setField(slot, value);
      if (lower === 'content-type') {
        this.bodyIsJson = value.toLowerCase().includes('json');
        if (statusCode < 300 && isEventStream(headers[i + 1] as Buffer)) {
          this.reader = new SseTokenReader();
          this.body = undefined; // a stream is read token by token, not kept
        } else if (c.json.length > 0 && this.bodyIsJson) this.body = [];
      }
    }
  }

  /** Calls a classifier function with the whole answer; a function that throws says nothing about it. */
  private classifyByFunction(fn: (answer: Answer) => AnswerClass | undefined, body: Buffer[] | undefined): void {
    let parsed: unknown;
    if (body) {
      const text = Buffer.concat(body).toString('utf8');
      try {
        parsed = this.bodyIsJson ? JSON.parse(text) : text;
      } catch {
        parsed = text;
      }
    }
    let out: AnswerClass | undefined;
    try {
      out = fn({ status: this.status, headers: this.headerMap ?? {}, body: parsed });
    } catch {
      return;
    }
    if (!out) return;
    if (out.modelType !== undefined) this.modelType = String(out.modelType);
    if (out.cache !== undefined) this.cache = String(out.cache).toLowerCase();
    if (out.version !== undefined) this.modelVersion = String(out.version);
  }

  private setField(slot: Slot, value: unknown): void {
    if (value === undefined || value === null) return;
    if (slot === 'cache') this.cache = typeof value === 'boolean' ? (value ? 'hit' : 'miss') : String(value).toLowerCase();
    else if (slot === 'modelType') this.modelType = String(value) === this.classifier!.fallbackValue ? 'fallback' : String(value);
    else this.modelVersion = String(value);
  }

  private classifyBody(c: CompiledClassifier, body: Buffer[]): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(body).toString('utf8'));
    } catch {
      return; // not JSON after all: its fields count as absent
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    for (const [field, slot] of c.json) this.setField(slot, (parsed as Record<string, unknown>)[field]);
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    if (this.classifier?.fn) this.classifyByFunction(this.classifier.fn, this.body);
    else if (this.body && this.classifier) this.classifyBody(this.classifier, this.body);
    this.body = undefined;
    this.headerMap = undefined;
    if (this.reader) this.stream = this.reader.finish(this.owner.clock(), false);
    this.owner.complete(this);
  }

  onError(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.errorKind = errorKind(err);
    if (this.reader) this.stream = this.reader.finish(this.owner.clock(), true);
    this.owner.complete(this);
  }
}
