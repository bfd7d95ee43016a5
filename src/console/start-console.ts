/**
 * `stack up --dashboard`: the game-day console next to a running local stack — the page's
 * server, the game day's journal and the background traffic control, composed. For the
 * reference stack, or a team's own (`stack up --stack`): then the fault form offers that
 * stack's targets, the background traffic goes to its entry and its answers are classified
 * by its classifier, and the gateway's Prometheus view (gateway_* metrics) is not shown.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PeakreadyError } from '../contract/errors.js';
import type { Platform, StackEndpoints } from '../platforms/platform.js';
import { isStackServices } from '../platforms/capabilities.js';
import { stackTargets, type AnswerClassifier, type LoadedStack } from '../scenario/stack-definition.js';
import type { MixEntry } from '../scenario/types.js';
import { startConsoleServer, type ConsoleView } from './console-server.js';
import { GameDay, isGameDayPlatform } from './game-day.js';
import { describeClassifier } from './classifier-label.js';

/** The background traffic of a game day when it is not the seed mix: a scenario's mix (`stack up --traffic`). */
export interface ConsoleTraffic {
  readonly mix: Readonly<Record<string, MixEntry>>;
  /** How the page and the journal name it, e.g. "mix of readiness/holiday.ts". */
  readonly label: string;
  /** The scenario's own classifier (its `stack.classify`), over the stack's. */
  readonly classify?: AnswerClassifier;
}

export interface ConsoleOptions {
  /** Port on 127.0.0.1 (default 0: a free one). */
  readonly port?: number;
  /** Journal folder (default reports/game-day-<UTC timestamp>/). */
  readonly outDir?: string;
  readonly log?: (line: string) => void;
  /** A team's own stack (`stack up --stack`), as the platform runs it; default the reference stack. */
  readonly stack?: LoadedStack;
  /** The background traffic's mix (default the seed mix). */
  readonly traffic?: ConsoleTraffic;
}

export interface RunningConsole {
  readonly url: string;
  readonly outDir: string;
  /** Stops traffic, reverts faults, writes the final reports, closes the server; returns the files written. */
  close(): Promise<string[]>;
}

/** Default journal folder of a game day: reports/game-day-<UTC timestamp>/. */
export function defaultGameDayDir(now = new Date()): string {
  return join('reports', `game-day-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
}

/**
 * Fails fast (ENVIRONMENT) when a chosen console port is taken, before the stack spends
 * seconds starting. Port 0 always passes.
 */
export async function checkConsolePort(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new PeakreadyError('ENVIRONMENT', `--dashboard-port: port ${port} on 127.0.0.1 is in use`, { hint: 'pick another port or leave the flag out for a free one' })));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * Starts the console for a platform that is up. The platform must offer faults by hand and
 * Prometheus queries (a game day's needs) and name its services (the page's fault targets).
 */
export async function startConsole(platform: Platform, endpoints: StackEndpoints, opts: ConsoleOptions = {}): Promise<RunningConsole> {
  if (!isGameDayPlatform(platform) || !isStackServices(platform)) {
    throw new Error(`the ${platform.name} platform cannot run the game-day console (it needs faults by hand, Prometheus queries and its list of services)`);
  }
  const def = opts.stack?.definition;
  const classify = opts.traffic?.classify ?? def?.classify;
  const mixLabel = opts.traffic?.label ?? 'seed mix';
  const view: ConsoleView = def
    ? { traffic: { mix: mixLabel, target: def.entry }, stack: { name: def.name, file: opts.stack!.shown, entry: def.entry, classifier: describeClassifier(classify) } }
    : { traffic: { mix: mixLabel, target: 'the gateway' } };
  const gameDay = new GameDay({
    platform,
    endpoints,
    outDir: opts.outDir ?? defaultGameDayDir(),
    ...(opts.log ? { log: opts.log } : {}),
    ...(def ? { stack: { name: def.name, file: opts.stack!.shown, entry: def.entry } } : {}),
    ...(opts.traffic ? { mix: opts.traffic.mix } : {}),
    mixLabel,
    ...(classify ? { classify } : {}),
  });
  let server;
  try {
    server = await startConsoleServer(gameDay, { port: opts.port ?? 0, targets: def ? stackTargets(def) : [...platform.services, 'redis'], view });
  } catch (err) {
    await gameDay.finish();
    throw err;
  }
  const srv = server;
  let closing: Promise<string[]> | undefined;
  return {
    url: srv.url,
    outDir: gameDay.outDir,
    close: () =>
      (closing ??= (async () => {
        // Reports first: the page may still poll while they are written, which is harmless.
        const files = await gameDay.finish();
        await srv.close();
        return files;
      })()),
  };
}
