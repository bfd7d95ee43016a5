/**
 * A lean HTTP/1.1 keep-alive client for one connection and one request at a time, for the
 * wrk-like closed model where undici's generality costs throughput: a fixed request is
 * encoded once, responses are framed by Content-Length or chunked encoding (or the
 * connection's end), and only the x-model-type / x-model-version / x-cache headers are
 * handed on. It speaks to our RequestSlot through the same callbacks undici uses.
 */
import { connect, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';

/** The subset of an undici dispatch handler this client calls. */
interface Handler {
  onHeaders?(statusCode: number, headers: Buffer[] | null, resume: () => void, statusText: string): boolean;
  onComplete?(trailers: string[] | null): void;
  onError?(err: Error): void;
}

const CRLF = 0x0a; // we split on \n and trim \r
const noop = (): void => undefined;

const enum State {
  Status,
  Headers,
  Body,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

function transportError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export class RawHttpClient {
  private socket: Socket | undefined;
  private connected = false;
  private handler: Handler | undefined;
  private pendingWrite: Buffer | undefined;
  private state = State.Status;
  private status = 0;
  private remaining = 0;
  private keepAlive = true;
  private noBody = false;
  private interesting: Buffer[] = [];
  private carry: Buffer | undefined;
  private readonly encoded = new WeakMap<object, Buffer>();
  private readonly host: string;
  private readonly port: number;
  private closed = false;

  /** `onIdle` is told when a request finished and no new one was dispatched from its callback. */
  constructor(origin: string, private readonly timeoutMs: number, private readonly onIdle?: (c: RawHttpClient) => void) {
    const u = new URL(origin);
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port || 80);
    this.hostHeader = u.host;
  }
  private readonly hostHeader: string;

  private encode(opts: Dispatcher.DispatchOptions): Buffer {
    const cached = this.encoded.get(opts);
    if (cached) return cached;
    let head = `${opts.method} ${opts.path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    const headers = (opts.headers ?? {}) as Record<string, string>;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    const body = opts.body == null ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(String(opts.body));
    if (body) head += `content-length: ${body.length}\r\n`;
    const buf = body ? Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]) : Buffer.from(`${head}\r\n`, 'latin1');
    // Fixed requests (the same options object every time) are encoded once.
    this.encoded.set(opts, buf);
    return buf;
  }

  /** Sends one request; the previous one must have finished. */
  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    if (this.closed) {
      handler.onError?.(transportError('client closed', 'UND_ERR_DESTROYED'));
      return false;
    }
    this.handler = handler;
    this.state = State.Status;
    this.noBody = opts.method === 'HEAD';
    const buf = this.encode(opts);
    if (this.socket === undefined) this.open();
    if (this.connected) (this.socket as Socket).write(buf);
    else this.pendingWrite = buf;
    return true;
  }

  private open(): void {
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = s;
    this.connected = false;
    this.carry = undefined;
    s.setTimeout(this.timeoutMs);
    s.on('connect', () => {
      this.connected = true;
      if (this.pendingWrite) {
        s.write(this.pendingWrite);
        this.pendingWrite = undefined;
      }
    });
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('timeout', () => this.fail(transportError('no response within the timeout', 'UND_ERR_HEADERS_TIMEOUT'), s));
    s.on('error', (err) => this.fail(err, s));
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      if (this.handler && this.state === State.UntilClose) return this.finish();
      if (this.handler) this.fail(transportError('the server closed the connection', 'ECONNRESET'), s);
    });
  }

  private fail(err: Error, s: Socket): void {
    if (this.socket === s) this.socket = undefined;
    s.destroy();
    const h = this.handler;
    this.handler = undefined;
    this.pendingWrite = undefined;
    h?.onError?.(err);
    if (h && this.handler === undefined) this.onIdle?.(this);
  }

  private finish(): void {
    const h = this.handler;
    this.handler = undefined;
    this.state = State.Status;
    if (!this.keepAlive && this.socket) {
      this.socket.destroy();
      this.socket = undefined;
    }
    h?.onComplete?.(null);
    if (h && this.handler === undefined) this.onIdle?.(this);
  }

  private onData(chunk: Buffer): void {
    let data = chunk;
    if (this.carry) {
      data = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let off = 0;
    const len = data.length;
    while (off < len && this.handler) {
      switch (this.state) {
        case State.UntilClose:
          return;
        case State.Body: {
          const take = Math.min(this.remaining, len - off);
          this.remaining -= take;
          off += take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, len - off);
          this.remaining -= take;
          off += take;
          if (this.remaining === 0) this.state = State.ChunkEnd;
          break;
        }
        default: {
          const nl = data.indexOf(CRLF, off);
          if (nl < 0) {
            this.carry = data.subarray(off);
            return;
          }
          const end = nl > off && data[nl - 1] === 0x0d ? nl - 1 : nl;
          this.line(data, off, end);
          off = nl + 1;
        }
      }
    }
  }

  /** One header-section line (status, header, chunk size, chunk end or trailer). */
  private line(d: Buffer, start: number, end: number): void {
    switch (this.state) {
      case State.Status: {
        // "HTTP/1.1 200 OK": three digits after the first space.
        const sp = d.indexOf(0x20, start);
        this.status = (d[sp + 1] as number) * 100 + (d[sp + 2] as number) * 10 + (d[sp + 3] as number) - 5328;
        this.keepAlive = d[start + 7] !== 0x30; // HTTP/1.0 closes by default
        this.remaining = -1;
        this.interesting = [];
        this.chunked = false;
        this.state = State.Headers;
        return;
      }
      case State.Headers: {
        if (end === start) return this.headersDone();
        const colon = d.indexOf(0x3a, start);
        if (colon < 0 || colon > end) return;
        const nameLen = colon - start;
        let v = colon + 1;
        while (d[v] === 0x20 || d[v] === 0x09) v++;
        // Lengths first: only a handful of header names matter.
        if (nameLen === 14 && d.toString('latin1', start, colon).toLowerCase() === 'content-length') {
          let n = 0;
          for (let i = v; i < end; i++) n = n * 10 + (d[i] as number) - 48;
          this.remaining = n;
        } else if (nameLen === 17 && d.toString('latin1', start, colon).toLowerCase() === 'transfer-encoding') {
          this.chunked = d.toString('latin1', v, end).toLowerCase().includes('chunked');
        } else if (nameLen === 10 && d.toString('latin1', start, colon).toLowerCase() === 'connection') {
          const value = d.toString('latin1', v, end).toLowerCase();
          if (value.includes('close')) this.keepAlive = false;
          else if (value.includes('keep-alive')) this.keepAlive = true;
        } else if (nameLen === 7 || nameLen === 12 || nameLen === 15) {
          this.interesting.push(Buffer.from(d.subarray(start, colon)), Buffer.from(d.subarray(v, end)));
        }
        return;
      }
      case State.ChunkSize: {
        const size = parseInt(d.toString('latin1', start, end), 16);
        if (size === 0) this.state = State.Trailers;
        else {
          this.remaining = size;
          this.state = State.ChunkData;
        }
        return;
      }
      case State.ChunkEnd:
        this.state = State.ChunkSize;
        return;
      case State.Trailers:
        if (end === start) this.finish();
        return;
      default:
        return;
    }
  }

  private chunked = false;

  private headersDone(): void {
    const status = this.status;
    if (status >= 100 && status < 200) {
      this.state = State.Status; // an informational answer: the real one follows
      return;
    }
    this.handler?.onHeaders?.(status, this.interesting, noop, '');
    if (this.noBody || status === 204 || status === 304) this.finish();
    else if (this.chunked) this.state = State.ChunkSize;
    else if (this.remaining >= 0) {
      if (this.remaining === 0) this.finish();
      else this.state = State.Body;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
  }

  /** Opens the connection ahead of the first request; resolves once connected (or failed: the first request will say why). */
  connectAhead(): Promise<void> {
    if (this.socket === undefined) this.open();
    const s = this.socket as Socket;
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      s.once('connect', () => resolve());
      s.once('error', () => resolve());
      s.once('close', () => resolve());
    });
  }

  /** Closes the connection after the current request (if any); no more requests. */
  async close(): Promise<void> {
    this.closed = true;
    this.socket?.end();
    this.socket = undefined;
  }

  async destroy(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }
}

/**
 * Several RawHttpClients behind one `dispatch`: an idle connection is reused, a new one is
 * opened when all are busy (the open-model executor already caps requests in flight).
 */
export class RawHttpPool {
  private readonly idle: RawHttpClient[] = [];
  private readonly all: RawHttpClient[] = [];
  private readonly release = (c: RawHttpClient): void => void this.idle.push(c);

  constructor(private readonly origin: string, private readonly timeoutMs: number) {}

  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    let c = this.idle.pop();
    if (c === undefined) {
      c = new RawHttpClient(this.origin, this.timeoutMs, this.release);
      this.all.push(c);
    }
    return c.dispatch(opts, handler);
  }

  /**
   * Opens `n` connections before traffic starts. Opening hundreds of sockets in the first
   * milliseconds of an open-model run stalls the schedule (measured: 80–100 ms of lag at
   * 20,000 req/s); connected ahead, they are ready when the clock starts.
   */
  async warm(n: number): Promise<void> {
    const fresh: RawHttpClient[] = [];
    for (let i = this.all.length; i < n; i++) {
      const c = new RawHttpClient(this.origin, this.timeoutMs, this.release);
      this.all.push(c);
      fresh.push(c);
    }
    await Promise.all(fresh.map((c) => c.connectAhead()));
    this.idle.push(...fresh);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((c) => c.close()));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.all.map((c) => c.destroy()));
  }
}
