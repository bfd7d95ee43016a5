/**
 * `peakready stack up|status|down`: a local stack for game days — the reference stack, or a
 * team's own (`--stack stacks/mine.ts`, a `defineStack` file) run as its own processes.
 * `up` runs in the foreground until Ctrl-C (or `stack down`), serving a loopback admin API
 * recorded in its run-state file; `up --detach` checks its input, starts that same
 * foreground process in the background, waits until it is ready, and returns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError, invalidInput, PeakreadyError } from '../../contract/errors.js';
import type { Scenario, StackSpec } from '../../scenario/types.js';
import { tryParseDuration } from '../../scenario/duration.js';
import { importScenarioFile } from '../../scenario/load-file.js';
import { resolveScenario } from '../../scenario/resolve.js';
import { stackMechanisms, stackPlatformProblems, type LoadedStack, type StackDefinition } from '../../scenario/stack-definition.js';
import { loadRunStack, mechanismProblems } from '../../runner/preflight.js';
import { TeardownStack } from '../../contract/teardown.js';
import type { StackEndpoints, StackStatus } from '../../platforms/platform.js';
import { isAdminControl, isStartupTime } from '../../platforms/capabilities.js';
import { adminCall, APP_SERVICES, createPlatform, findLiveStack, isSameProcess, listRunStates, runStateDir } from '../../platforms/factory.js';
import { checkConsolePort, startConsole, type ConsoleTraffic } from '../../console/start-console.js';
import { REFERENCE_STACK, REFERENCE_VERSIONS } from '../../scenario/reference-stack.js';
import type { ExitSlot, RegisterCommand } from './types.js';

/** A service of the reference stack for the help's examples: its canaried model. */
const EXAMPLE = Object.keys(REFERENCE_VERSIONS)[0] ?? REFERENCE_STACK.entry;

/** `stack up`'s flags as commander gives them (every field optional for a direct caller). */
export interface UpFlags {
  detach?: boolean;
  replicas?: string;
  autoscale?: string;
  services?: string;
  timeScale?: string;
  /** false after --no-fallback (commander's negated flags); true or undefined otherwise. */
  fallback?: boolean;
  breaker?: boolean;
  cache?: boolean;
  /** A stack file (`defineStack`) to run instead of the reference stack. */
  stack?: string;
  /** Mechanisms switched off (repeatable): the reference stack's, or the stack file's switches. */
  disable?: string[];
  /** A scenario file whose mix the console's background traffic sends. */
  traffic?: string;
  dashboard?: boolean;
  dashboardPort?: string;
  dashboardOut?: string;
}

/** `stack up`'s input, checked: nothing in it can fail the start for being wrong. */
export interface UpPlan {
  readonly timeScale: number;
  readonly spec: StackSpec;
  /** The reference stack's services to run (--services); undefined for all, or for a stack file. */
  readonly services?: readonly string[];
  /** The team's own stack (--stack), reduced to --services when given. */
  readonly stack?: LoadedStack;
  readonly dashboardPort: number;
  /** The console's background traffic when --traffic names a scenario (default: the seed mix). */
  readonly traffic?: ConsoleTraffic;
}

/** What `stack status` (through the admin API) and the console learn about a team's own stack. */
export interface OwnStackInfo {
  readonly name: string;
  /** The stack file, as shown in messages. */
  readonly file: string;
  /** The service that receives the traffic. */
  readonly entry: string;
}

/** The endpoints a `stack up` serves through its admin API: an own stack's also say which stack it is. */
type UpEndpoints = StackEndpoints & { readonly stack?: OwnStackInfo };

const GATEWAY_FLAGS = ['fallback', 'breaker', 'cache'] as const;
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const register: RegisterCommand = (program, exit) => {
  const stack = program.command('stack').description('run a stack locally for game days: the reference stack, or your own (--stack)');
  stack
    .command('up')
    .description('start the local stack; runs until Ctrl-C or `peakready stack down`')
    .option('--stack <file>', 'your own stack (a defineStack file) instead of the reference stack')
    .option('--detach', 'start in the background and return once ready')
    .option('--replicas <list>', `replicas per service, e.g. ${EXAMPLE}=3,${REFERENCE_STACK.entry}=2`)
    .option('--autoscale <list>', `HPA per service as min:max[:targetRps], e.g. ${EXAMPLE}=1:4:100 (reference stack; a stack file holds its own)`)
    .option('--services <list>', 'run only these services (comma-separated)')
    .option('--time-scale <f>', 'multiplies rollout pauses and HPA windows', '1')
    .option('--disable <mechanism>', "switch a mechanism off (repeatable): the reference stack's fallback|breaker|cache|autoscaler|analysis, or a stack file's switches", collect, [])
    .option('--no-fallback', 'reference gateway without its fallback model (broken on purpose)')
    .option('--no-breaker', 'reference gateway without circuit breakers (broken on purpose)')
    .option('--no-cache', 'reference gateway without the Redis prediction cache')
    .option('--dashboard', 'serve the game-day console (live charts, faults, halt) on 127.0.0.1')
    .option('--dashboard-port <n>', 'port of the console (default: a free one)')
    .option('--dashboard-out <dir>', 'game-day journal and reports (default reports/game-day-<UTC timestamp>/)')
    .option('--traffic <scenario>', "the console's background traffic sends this scenario's mix (default the seed mix)")
    .action(async (flags: UpFlags) => {
      const plan = await checkStackUp(flags);
      if (flags.detach) await detach(plan, exit);
      else await up(plan, flags, exit);
    });
  stack
    .command('status')
    .description('services, replicas and ports, breaker states, active faults')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const live = findLiveStack();
      const status = await adminCall<StackStatus & { upMs?: number; endpoints?: UpEndpoints }>(live.adminUrl, 'GET', '/status');
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      const own = status.endpoints?.stack;
      process.stdout.write(own ? `stack ${own.name} (${own.file})\n${formatStatus(status)}entry ${own.entry} ${status.endpoints!.gateway}\n` : formatStatus(status));
    });
  stack
    .command('down')
    .description('stop the running local stack')
    .action(async () => {
      const live = findLiveStack();
      await adminCall(live.adminUrl, 'POST', '/down');
      const until = Date.now() + 20_000;
      while (isSameProcess(live.harnessPid, live.harnessStartTime) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (isSameProcess(live.harnessPid, live.harnessStartTime)) throw environmentError(`stack (pid ${live.harnessPid}) did not stop within 20 s`, 'run `peakready clean --force`');
      process.stdout.write('stack stopped\n');
    });
};

function parseList(text: string | undefined, flag: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) {
      problems.push(`${flag}: expected service=value[,service=value], got ${JSON.stringify(text)}`);
      return {};
    }
    out[k.trim()] = v.trim();
  }
  return out;
}

/**
 * Checks every flag of `stack up` before anything starts, and loads what they name (the stack
 * file, the --traffic scenario). Throws INVALID_INPUT listing every problem, each naming the
 * flag or the file and what was expected.
 */
export async function checkStackUp(flags: UpFlags): Promise<UpPlan> {
  const problems: string[] = [];
  const timeScale = Number(flags.timeScale ?? '1');
  if (!(timeScale > 0 && Number.isFinite(timeScale))) problems.push(`--time-scale: expected a positive number, got ${JSON.stringify(flags.timeScale)}`);
  const dashboardPort = flags.dashboardPort === undefined ? 0 : Number(flags.dashboardPort);
  if (!(Number.isInteger(dashboardPort) && dashboardPort >= 0 && dashboardPort < 65536)) problems.push(`--dashboard-port: expected a port number 0..65535, got ${JSON.stringify(flags.dashboardPort)}`);
  const replicaText = parseList(flags.replicas, '--replicas', problems);
  const services = flags.services?.split(',').map((s) => s.trim()).filter(Boolean);
  const disable = flags.disable ?? [];

  let loaded: LoadedStack | undefined;
  let stackLoadFailed = false;
  if (flags.stack !== undefined) {
    try {
      loaded = await loadRunStack(undefined, undefined, flags.stack);
      const platformProblems = loaded ? stackPlatformProblems(loaded.definition, 'local', loaded.shown) : [];
      if (platformProblems.length > 0) {
        problems.push(...platformProblems);
        loaded = undefined;
        stackLoadFailed = true;
      }
    } catch (err) {
      stackLoadFailed = true;
      problems.push(...problemsOf(err, '--stack'));
    }
  }

  const replicas: Record<string, number> = {};
  let autoscaling: StackSpec['autoscaling'] = {};
  const gateway: Record<string, boolean> = {};
  let reduced: LoadedStack | undefined;
  if (flags.stack !== undefined) {
    // A team's own stack: its services, switches and HPAs are the stack file's.
    const def = loaded?.definition;
    const about = loaded ? `the stack ${loaded.definition.name} (${loaded.shown})` : `the stack file ${relative(process.cwd(), resolvePath(flags.stack)) || flags.stack}`;
    if (flags.autoscale !== undefined) problems.push(`--autoscale: ${about} declares its HPAs in its stack file (services.<name>.autoscaling); leave --autoscale out (--disable autoscaler switches them off)`);
    for (const g of GATEWAY_FLAGS) {
      if (flags[g] === false) problems.push(`--no-${g}: switches the reference gateway's ${g}; with --stack use --disable <mechanism>${def ? `, one of ${stackMechanisms(def).join(', ') || 'nothing (the stack has no switches)'}` : ''}`);
    }
    if (def && loaded) {
      const names = Object.keys(def.services);
      for (const [k, v] of Object.entries(replicaText)) {
        const n = Number(v);
        if (!names.includes(k)) problems.push(`--replicas: expected services of the stack ${def.name} (${names.join(', ')}), got ${JSON.stringify(k)}`);
        else if (!(Number.isInteger(n) && n >= 1 && n <= 20)) problems.push(`--replicas.${k}: expected a whole number 1..20, got ${JSON.stringify(v)}`);
        else {
          const a = def.services[k]!.autoscaling;
          if (a && !disable.includes('autoscaler') && (n < a.min || n > a.max)) {
            problems.push(`--replicas.${k}: ${k} autoscales between ${a.min} and ${a.max} replicas (services.${k}.autoscaling in ${loaded.shown}); expected ${a.min}..${a.max}, or add --disable autoscaler`);
          } else replicas[k] = n;
        }
      }
      for (const d of disable) problems.push(...mechanismProblems(d, '--disable', def));
      if (services) reduced = reducedStack(loaded, services, disable, problems);
      else reduced = loaded;
    }
  } else {
    // The reference stack.
    for (const [k, v] of Object.entries(replicaText)) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) problems.push(`--replicas.${k}: expected a whole number >= 1, got ${JSON.stringify(v)}`);
      else replicas[k] = n;
    }
    autoscaling = Object.fromEntries(
      Object.entries(parseList(flags.autoscale, '--autoscale', problems)).flatMap(([k, v]) => {
        const [min, max, rps] = v.split(':').map(Number);
        if (!(Number.isInteger(min) && Number.isInteger(max) && min! >= 1 && max! >= min!)) {
          problems.push(`--autoscale.${k}: expected min:max[:targetRps], got ${JSON.stringify(v)}`);
          return [];
        }
        return [[k, { min: min!, max: max!, ...(rps ? { targetRps: rps } : {}) }]];
      }),
    );
    for (const g of GATEWAY_FLAGS) if (flags[g] === false) gateway[g] = false;
    const unknown = services?.filter((s) => !(APP_SERVICES as readonly string[]).includes(s)) ?? [];
    if (unknown.length) problems.push(`--services: expected some of ${APP_SERVICES.join(', ')}, got ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
    for (const d of disable) problems.push(...mechanismProblems(d, '--disable', undefined));
  }

  let traffic: ConsoleTraffic | undefined;
  if (flags.traffic !== undefined) {
    if (!flags.dashboard) problems.push(`--traffic: sets the console's background traffic; add --dashboard (or leave --traffic out)`);
    try {
      traffic = await trafficScenario(flags.traffic);
    } catch (err) {
      problems.push(...problemsOf(err, '--traffic'));
    }
  }

  if (problems.length > 0 || stackLoadFailed) {
    throw invalidInput(`invalid input, nothing was started (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, problems);
  }
  const spec: StackSpec = {
    replicas,
    ...(flags.stack === undefined ? { autoscaling, gateway } : {}),
    ...(disable.length > 0 ? { disable: [...new Set(disable)] } : {}),
  };
  return {
    timeScale,
    spec,
    ...(flags.stack === undefined && services ? { services } : {}),
    ...(reduced ? { stack: reduced } : {}),
    dashboardPort,
    ...(traffic ? { traffic } : {}),
  };
}

/** The problems an error carries (a PeakreadyError's list, or its message, naming `flag` when the message does not say which file). */
function problemsOf(err: unknown, flag: string): string[] {
  if (err instanceof PeakreadyError && err.problems.length > 0) return [...err.problems];
  const message = err instanceof Error ? err.message : String(err);
  const hint = err instanceof PeakreadyError && err.hint ? ` (${err.hint})` : '';
  return [`${flag}: ${message}${hint}`];
}

const SERVICE_URL = /\{\{\s*([a-z][a-z0-9-]*)\.url\s*\}\}/g;

/**
 * The stack file reduced to the services --services names: the entry must stay, and so must
 * every service a kept one reaches through `{{name.url}}`; a --disable switch must act on a
 * kept service.
 */
function reducedStack(loaded: LoadedStack, services: readonly string[], disable: readonly string[], problems: string[]): LoadedStack | undefined {
  const def = loaded.definition;
  const names = Object.keys(def.services);
  const before = problems.length;
  const unknown = services.filter((s) => !names.includes(s));
  if (unknown.length) problems.push(`--services: expected some of ${names.join(', ')} (the services of the stack ${def.name}), got ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
  if (!services.includes(def.entry)) problems.push(`--services: expected the entry service ${def.entry} among them (it receives the traffic; entry in ${loaded.shown})`);
  for (const name of services) {
    const svc = def.services[name];
    if (!svc) continue;
    const uses = [...(svc.command ?? []).map((v, i) => [`services.${name}.command[${i}]`, v] as const), ...Object.entries(svc.env ?? {}).map(([k, v]) => [`services.${name}.env.${k}`, v] as const)];
    for (const [where, text] of uses) {
      for (const m of text.matchAll(SERVICE_URL)) {
        const needed = m[1]!;
        if (needed !== 'redis' && names.includes(needed) && !services.includes(needed)) {
          problems.push(`--services: ${name} needs ${needed} ({{${needed}.url}} in ${where} of ${loaded.shown}); add ${needed}, or leave --services out`);
        }
      }
    }
  }
  for (const d of disable) {
    const sw = def.switches?.[d];
    if (sw && !services.includes(sw.service)) problems.push(`--disable ${d}: switches services.${sw.service}, which --services leaves out`);
  }
  if (problems.length > before) return undefined;
  const keep = <T>(record: Readonly<Record<string, T>> | undefined) => (record ? Object.fromEntries(Object.entries(record).filter(([k]) => services.includes(k))) : undefined);
  const switches = def.switches ? Object.fromEntries(Object.entries(def.switches).filter(([, sw]) => services.includes(sw.service))) : undefined;
  const definition: StackDefinition = { ...def, services: keep(def.services)!, ...(switches ? { switches } : {}) };
  return { ...loaded, definition };
}

/** The mix (and classifier override) of a scenario file for the console's background traffic. */
async function trafficScenario(file: string): Promise<ConsoleTraffic> {
  const shown = relative(process.cwd(), resolvePath(file)) || file;
  const value = await importScenarioFile(file);
  const scenario = resolveScenario(value as Scenario, { file: shown });
  return { mix: scenario.mix, label: `mix of ${shown}`, ...(scenario.stack.classify ? { classify: scenario.stack.classify } : {}) };
}

async function up(plan: UpPlan, flags: UpFlags, exit: ExitSlot): Promise<void> {
  if (flags.dashboard) await checkConsolePort(plan.dashboardPort);
  const own = plan.stack;
  const platform = await createPlatform({ platform: 'local', ...(own ? { stack: own } : plan.services ? { services: plan.services } : {}) });
  if (!isAdminControl(platform) || !isStartupTime(platform)) throw new Error(`the ${platform.name} platform serves no admin API`);
  const teardown = new TeardownStack();
  let stop!: (why: string) => void;
  const stopped = new Promise<string>((r) => (stop = r));
  const onSignal = (sig: NodeJS.Signals) => {
    exit.outcome = { kind: 'interrupted' };
    stop(sig);
    void teardown.unwind(); // also undoes a half-finished `up`
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const runId = `stack-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
    const endpoints = await platform.up({ stack: plan.spec, timeScale: plan.timeScale, runId, teardown });
    const info: OwnStackInfo | undefined = own ? { name: own.definition.name, file: own.shown, entry: own.definition.entry } : undefined;
    // The admin API echoes these in GET /status: `stack status` names an own stack and its entry from them.
    const served: UpEndpoints = info ? { ...endpoints, stack: info } : endpoints;
    const admin = await platform.serveAdmin(served, () => stop('stack down'));
    teardown.push('admin server', () => admin.close());
    process.stdout.write(`${info ? `stack ${info.name} (${info.file}) ` : 'stack '}ready in ${Math.round(platform.upMs ?? 0)} ms\n`);
    process.stdout.write(formatStatus(await platform.status()));
    process.stdout.write(`${info ? `entry ${info.entry}` : 'gateway'} ${endpoints.gateway}\nprometheus ${endpoints.prometheus}\nadmin ${admin.url}\n`);
    if (flags.dashboard) {
      const log = (line: string) => process.stdout.write(`console: ${line}\n`);
      const console_ = await startConsole(platform, endpoints, {
        port: plan.dashboardPort,
        log,
        ...(flags.dashboardOut ? { outDir: flags.dashboardOut } : {}),
        ...(own ? { stack: own } : {}),
        ...(plan.traffic ? { traffic: plan.traffic } : {}),
      });
      teardown.push('game-day console', async () => {
        const files = await console_.close();
        process.stdout.write(`game-day reports: ${files.join(' ')}\n`);
      });
      process.stdout.write(`dashboard ${console_.url}\njournal ${console_.outDir}\n`);
    }
    process.stdout.write('press Ctrl-C (or run `peakready stack down`) to stop\n');
    const why = await stopped;
    process.stdout.write(`stopping (${why})\n`);
  } finally {
    const errors = await teardown.unwind();
    for (const e of errors) process.stderr.write(`peakready: ${e.message}\n`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** How long `up --detach` waits for the background stack: a minute, plus the longest start deadline of a stack file's services. */
function detachWaitMs(plan: UpPlan): number {
  const starts = Object.values(plan.stack?.definition.services ?? {}).map((s) => tryParseDuration(s.startTimeout) ?? 0);
  return 60_000 + Math.max(0, ...starts);
}

/**
 * Re-runs `stack up` (without --detach) as a background process and waits for it to be
 * ready. Its input was checked here first (exit 2 before anything starts); a background
 * stack that does not come up in time, or a Ctrl-C while waiting, stops it again.
 */
async function detach(plan: UpPlan, exit: ExitSlot): Promise<void> {
  const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'main.js');
  const args = process.argv.slice(2).filter((a) => a !== '--detach');
  const dir = runStateDir();
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `stack-${Date.now()}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [cli, ...args], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  let interrupted = false;
  const onSignal = () => (interrupted = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const until = Date.now() + detachWaitMs(plan);
    while (Date.now() < until && !interrupted) {
      const mine = listRunStates(dir).find((s) => s.harnessPid === child.pid && s.adminUrl);
      if (mine) {
        const entry = plan.stack ? `entry ${plan.stack.definition.entry}` : 'gateway';
        process.stdout.write(`stack running in the background (pid ${child.pid}, log ${log})\nadmin ${mine.adminUrl}\n${entry} ${mine.gatewayUrl ?? '-'}\n`);
        return;
      }
      if (child.exitCode !== null || !isSameProcess(child.pid!, undefined)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopChild(child);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (interrupted) {
    exit.outcome = { kind: 'interrupted' };
    process.stderr.write(`peakready: interrupted; the background stack was stopped (log ${log})\n`);
    return;
  }
  throw new PeakreadyError('ENVIRONMENT', `the background stack did not come up; see ${log}`, { problems: logTail(log) });
}

/** Stops a background `stack up` that is still starting: SIGTERM (its teardown runs), SIGKILL after 20 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  const running = () => child.exitCode === null && child.signalCode === null && isSameProcess(child.pid!, undefined);
  if (!running()) return;
  child.kill('SIGTERM');
  const until = Date.now() + 20_000;
  while (running() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (running()) child.kill('SIGKILL');
}

/** The last lines of a background stack's log, for the error message. */
function logTail(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trimEnd().split('\n').filter(Boolean).slice(-8);
}

/** The status table `stack up` and `stack status` print. */
export function formatStatus(status: StackStatus): string {
  const rows = status.services.map((s) => [s.name, `${s.ready}/${s.replicas}`, String(s.restarts), s.version ?? '-', s.endpoints.join(' ')]);
  const head = ['service', 'ready', 'restarts', 'version', 'endpoints'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  let out = [line(head), ...rows.map(line)].join('\n') + '\n';
  if (status.breakers && Object.keys(status.breakers).length > 0) out += `breakers: ${Object.entries(status.breakers).map(([k, v]) => `${k}=${v}`).join(' ')}\n`;
  const proxied = status.services.filter((s) => s.proxy !== undefined);
  if (proxied.length > 0) {
    out += `proxy retries (refused connect, re-sent): ${proxied.map((s) => `${s.name}=${s.proxy!.retries}`).join(' ')}\n`;
    out += `proxy failures (replica died mid-request): ${proxied.map((s) => `${s.name}=${s.proxy!.upstreamFailures}`).join(' ')}\n`;
  }
  out += status.activeFaults.length
    ? `active faults:\n${status.activeFaults.map((f) => `  ${f.id}  ${f.kind} on ${f.target}, ${Math.round(f.sinceMs / 1000)} s`).join('\n')}\n`
    : 'active faults: none\n';
  return out;
}
