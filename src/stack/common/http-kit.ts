/**
 * Small HTTP toolkit shared by the stack services (node:http, no framework: the gateway's
 * cache-hit path must stay cheap). Bad input always ends as 400/413 with
 * `{"error":{"code","message"}}`, never a 500 or a crash.
 *
 * The stack imports nothing from the harness; this folder is the stack's own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** 1 MiB: the body limit of every service (413 beyond it). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An error that becomes an HTTP answer with the standard error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function badRequest(message: string, code = 'invalid_input'): HttpError {
  return new HttpError(400, code, message);
}

/** Reads the whole body as a Buffer, refusing more than `limit` bytes with 413. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, 'payload_too_large', `body is ${declared} bytes, the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.resume();
        reject(new HttpError(413, 'payload_too_large', `body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(new HttpError(400, 'bad_request', `could not read body: ${err.message}`));
      }
    });
  });
}

/** Reads and parses a JSON body; malformed JSON is a 400 naming the parse error. */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) throw badRequest('request body is empty, expected JSON', 'malformed_json');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`malformed JSON: ${(err as Error).message}`, 'malformed_json');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
    return;
  }
  sendJson(res, 500, { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
}

/** Validates a feature vector: exactly `n` finite numbers (NaN, Infinity, strings refused). */
export function parseFeatures(value: unknown, n: number | { min: number; max: number }, path = 'features'): number[] {
  if (!Array.isArray(value)) throw badRequest(`${path}: expected an array of numbers, got ${describe(value)}`);
  const { min, max } = typeof n === 'number' ? { min: n, max: n } : n;
  if (value.length < min || value.length > max) {
    const want = min === max ? `${min}` : `${min}..${max}`;
    throw badRequest(`${path}: expected ${want} features, got ${value.length}`, 'wrong_feature_count');
  }
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw badRequest(`${path}[${i}]: expected a finite number, got ${describe(v)}`);
    }
  }
  return value as number[];
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return `a string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  return typeof v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Handler of one route; `params` holds `{name}` segments of the pattern. */
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void> | void;

interface Route {
  readonly method: string;
  readonly literal: string | undefined;
  readonly regex: RegExp | undefined;
  readonly names: readonly string[];
  readonly handler: Handler;
}

/**
 * Method + path routing with `{param}` segments. Literal paths are matched through a
 * map (the hot path), patterns by regex in registration order.
 */
export class Router {
  private readonly literals = new Map<string, Route>();
  private readonly patterns: Route[] = [];
  private readonly knownPaths = new Set<string>();

  on(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    if (!pattern.includes('{')) {
      this.literals.set(`${method} ${pattern}`, { method, literal: pattern, regex: undefined, names, handler });
      this.knownPaths.add(pattern);
      return this;
    }
    const source = pattern.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.patterns.push({ method, literal: undefined, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** Dispatches; unknown paths are 404, known paths with another method 405, thrown errors become answers. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    try {
      const lit = this.literals.get(`${method} ${path}`);
      if (lit) return await lit.handler(req, res, {});
      let pathMatched = this.knownPaths.has(path);
      for (const r of this.patterns) {
        const m = r.regex!.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (r.method !== method) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
        return await r.handler(req, res, params);
      }
      req.resume();
      if (pathMatched) throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
      throw new HttpError(404, 'not_found', `no route for ${method} ${path}`);
    } catch (err) {
      sendError(res, err);
    }
  }
}
