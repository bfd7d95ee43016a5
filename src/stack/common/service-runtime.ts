/**
 * Process lifecycle shared by every stack service:
 * - `--port` (0 = ephemeral) and `--host` (default 127.0.0.1) flags plus service-specific ones;
 * - structured JSON logs (pino) on stdout; once listening, one line
 *   `{"msg":"listening","service":"<name>","port":<n>}` that supervisors read to learn the port;
 * - graceful drain on SIGTERM/SIGINT: stop accepting, report not-ready, let in-flight requests
 *   finish, exit within `drainMs` (5 s) at the latest;
 * - a lifeline: when `PEAKREADY_LIFELINE_FD` names an inherited pipe, its closing (the harness
 *   died, even by SIGKILL) makes the service exit at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { destination, pino, type Logger } from 'pino';

export interface ServiceOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  readonly logger: Logger;
  /** Called once when a drain starts (stop timers, close clients). */
  readonly onShutdown?: () => Promise<void> | void;
  readonly drainMs?: number;
}

export interface RunningService {
  readonly server: Server;
  readonly port: number;
  /** True until a drain starts; services fold it into their /ready answer. */
  readonly accepting: () => boolean;
  /** Drains and closes the server (what SIGTERM triggers); resolves when closed. */
  shutdown(reason: string): Promise<void>;
}

/**
 * A service's logger: synchronous JSON lines on stdout. pino's default destination writes
 * asynchronously and flushes on exit in a loop that retries forever when stdout's reader is
 * gone (EPIPE, sonic-boom 4): an orphaned service would hang inside process.exit() after
 * SIGTERM. Synchronous writes leave nothing to flush, and a broken pipe just silences the
 * log. Services log only lifecycle events, so the synchronous write costs nothing per request.
 */
export function createLogger(name: string): Logger {
  ignoreBrokenStdout();
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info', base: { service: name, pid: process.pid } }, destination({ dest: 1, sync: true }));
}

/** A reader that has gone away (EPIPE) is not a reason to crash: the lifeline says when to go. */
function ignoreEpipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

function ignoreBrokenStdout(): void {
  if (!process.stdout.listeners('error').includes(ignoreEpipe)) process.stdout.on('error', ignoreEpipe);
}

/** Parses the common flags (`--port`, `--host`) plus service-specific ones; unknown flags are an error. */
export function parseServiceArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
): { port: number; host: string; values: Record<string, string | boolean | string[] | boolean[] | undefined> } {
  const { values: parsed } = parseArgs({
    args: [...argv],
    options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, ...options },
    strict: true,
    allowPositionals: false,
  });
  const values = parsed as Record<string, string | boolean | string[] | boolean[] | undefined>;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected 0..65535, got ${String(values.port)}`);
  return { port, host: String(values.host), values };
}

/** Starts the HTTP server, announces the port, wires signals and the lifeline. */
export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const { logger } = opts;
  const drainMs = opts.drainMs ?? 5000;
  let accepting = true;
  let closing: Promise<void> | undefined;

  const server = createServer((req, res) => {
    const r = opts.handler(req, res);
    if (r && typeof (r as Promise<void>).catch === 'function') {
      (r as Promise<void>).catch((err: unknown) => {
        logger.error({ err }, 'handler failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"internal","message":"internal error"}}');
      });
    }
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  // Written directly, not through the logger: supervisors read this line to learn the port,
  // and it must appear whatever LOG_LEVEL says.
  process.stdout.write(`${JSON.stringify({ msg: 'listening', service: opts.name, port, host: opts.host, pid: process.pid })}\n`);

  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      accepting = false;
      logger.info({ reason }, 'draining');
      const hardStop = setTimeout(() => {
        logger.warn('drain deadline reached, closing remaining connections');
        server.closeAllConnections();
      }, drainMs - 250);
      hardStop.unref();
      try {
        await opts.onShutdown?.();
      } catch (err) {
        logger.error({ err }, 'shutdown hook failed');
      }
      // Keep-alive connections become idle as their in-flight requests finish: close them as
      // they do, or server.close() would wait for the client's idle timeout.
      const reaper = setInterval(() => server.closeIdleConnections(), 25);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(reaper);
      clearTimeout(hardStop);
      logger.info('stopped');
    })();
    return closing;
  };

  const onSignal = (sig: NodeJS.Signals) => {
    void shutdown(sig).then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const lifelineFd = process.env.PEAKREADY_LIFELINE_FD;
  if (lifelineFd) watchLifeline(Number(lifelineFd), logger);

  return { server, port, accepting: () => accepting, shutdown };
}

/** Exits the process the moment the supervisor's end of the pipe closes. */
function watchLifeline(fd: number, logger: Logger): void {
  try {
    // A socket, not a file read stream: a blocking read on fd 3 would hold a libuv worker
    // thread and keep process.exit() from finishing after SIGTERM.
    const pipe = new Socket({ fd, readable: true, writable: false });
    const die = () => {
      logger.warn('lifeline closed: the harness is gone, exiting');
      process.exit(0);
    };
    pipe.on('end', die);
    pipe.on('error', die);
    pipe.on('close', die);
    pipe.resume();
    pipe.unref();
  } catch (err) {
    logger.error({ err, fd }, 'cannot watch lifeline');
  }
}

/** Runs a service's `main` and turns a startup failure into a logged exit 1. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
