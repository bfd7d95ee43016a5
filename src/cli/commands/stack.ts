/**
 * `peakready stack up|status|down`: the local reference stack for game days.
 * `up` runs in the foreground until Ctrl-C (or `stack down`), serving a loopback admin API
 * recorded in its run-state file; `up --detach` starts that same foreground process in the
 * background, waits until it is ready, and returns.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError, invalidInput } from '../../contract/errors.js';
import type { StackSpec } from '../../scenario/types.js';
import { TeardownStack } from '../../contract/teardown.js';
import type { StackStatus } from '../../platforms/platform.js';
import { isAdminControl, isStartupTime } from '../../platforms/capabilities.js';
import { adminCall, APP_SERVICES, createPlatform, findLiveStack, isSameProcess, listRunStates, runStateDir } from '../../platforms/factory.js';
import { checkConsolePort, startConsole } from '../../console/start-console.js';
import type { ExitSlot, RegisterCommand } from './types.js';

interface UpFlags {
  detach?: boolean;
  replicas?: string;
  autoscale?: string;
  services?: string;
  timeScale: string;
  fallback: boolean;
  breaker: boolean;
  cache: boolean;
  dashboard?: boolean;
  dashboardPort?: string;
  dashboardOut?: string;
}

export const register: RegisterCommand = (program, exit) => {
  const stack = program.command('stack').description('run the reference model stack locally (game days)');
  stack
    .command('up')
    .description('start the local stack; runs until Ctrl-C or `peakready stack down`')
    .option('--detach', 'start in the background and return once ready')
    .option('--replicas <list>', 'replicas per service, e.g. tabular=3,gateway=2')
    .option('--autoscale <list>', 'HPA per service as min:max[:targetRps], e.g. tabular=1:4:100')
    .option('--services <list>', 'run only these services (comma-separated)')
    .option('--time-scale <f>', 'multiplies rollout pauses and HPA windows', '1')
    .option('--no-fallback', 'gateway without its fallback model (broken on purpose)')
    .option('--no-breaker', 'gateway without circuit breakers (broken on purpose)')
    .option('--no-cache', 'gateway without the Redis prediction cache')
    .option('--dashboard', 'serve the game-day console (live charts, faults, halt) on 127.0.0.1')
    .option('--dashboard-port <n>', 'port of the console (default: a free one)')
    .option('--dashboard-out <dir>', 'game-day journal and reports (default reports/game-day-<UTC timestamp>/)')
    .action(async (flags: UpFlags) => {
      if (flags.detach) await detach(exit);
      else await up(flags, exit);
    });
  stack
    .command('status')
    .description('services, replicas and ports, breaker states, active faults')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const live = findLiveStack();
      const status = await adminCall<StackStatus & { upMs?: number }>(live.adminUrl, 'GET', '/status');
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
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

function parseList(text: string | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) throw invalidInput(`${flag}: expected service=value[,service=value], got ${JSON.stringify(text)}`);
    out[k.trim()] = v.trim();
  }
  return out;
}

function stackSpec(flags: UpFlags): StackSpec {
  const replicas = Object.fromEntries(
    Object.entries(parseList(flags.replicas, '--replicas')).map(([k, v]) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw invalidInput(`--replicas.${k}: expected a whole number >= 1, got ${JSON.stringify(v)}`);
      return [k, n];
    }),
  );
  const autoscaling = Object.fromEntries(
    Object.entries(parseList(flags.autoscale, '--autoscale')).map(([k, v]) => {
      const [min, max, rps] = v.split(':').map(Number);
      if (!(Number.isInteger(min) && Number.isInteger(max) && min! >= 1 && max! >= min!)) throw invalidInput(`--autoscale.${k}: expected min:max[:targetRps], got ${JSON.stringify(v)}`);
      return [k, { min: min!, max: max!, ...(rps ? { targetRps: rps } : {}) }];
    }),
  );
  const gateway = { ...(flags.fallback ? {} : { fallback: false }), ...(flags.breaker ? {} : { breaker: false }), ...(flags.cache ? {} : { cache: false }) };
  return { replicas, autoscaling, gateway };
}

async function up(flags: UpFlags, exit: ExitSlot): Promise<void> {
  const timeScale = Number(flags.timeScale);
  if (!(timeScale > 0)) throw invalidInput(`--time-scale: expected a positive number, got ${JSON.stringify(flags.timeScale)}`);
  const spec = stackSpec(flags);
  const services = flags.services?.split(',').filter(Boolean);
  const unknown = services?.filter((s) => !(APP_SERVICES as readonly string[]).includes(s)) ?? [];
  if (unknown.length) throw invalidInput(`--services: expected some of ${APP_SERVICES.join(', ')}, got ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
  const dashboardPort = flags.dashboardPort === undefined ? 0 : Number(flags.dashboardPort);
  if (!(Number.isInteger(dashboardPort) && dashboardPort >= 0 && dashboardPort < 65536)) throw invalidInput(`--dashboard-port: expected a port number 0..65535, got ${JSON.stringify(flags.dashboardPort)}`);
  if (flags.dashboard) await checkConsolePort(dashboardPort);
  const platform = await createPlatform({ platform: 'local', ...(services ? { services } : {}) });
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
    const endpoints = await platform.up({ stack: spec, timeScale, runId, teardown });
    const admin = await platform.serveAdmin(endpoints, () => stop('stack down'));
    teardown.push('admin server', () => admin.close());
    process.stdout.write(`stack ready in ${Math.round(platform.upMs ?? 0)} ms\n`);
    process.stdout.write(formatStatus(await platform.status()));
    process.stdout.write(`gateway ${endpoints.gateway}\nprometheus ${endpoints.prometheus}\nadmin ${admin.url}\n`);
    if (flags.dashboard) {
      const log = (line: string) => process.stdout.write(`console: ${line}\n`);
      const console_ = await startConsole(platform, endpoints, { port: dashboardPort, log, ...(flags.dashboardOut ? { outDir: flags.dashboardOut } : {}) });
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

/** Re-runs `stack up` (without --detach) as a background process and waits for it to be ready. */
async function detach(exit: ExitSlot): Promise<void> {
  const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'main.js');
  const args = process.argv.slice(2).filter((a) => a !== '--detach');
  const dir = runStateDir();
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `stack-${Date.now()}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [cli, ...args], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const mine = listRunStates(dir).find((s) => s.harnessPid === child.pid && s.adminUrl);
    if (mine) {
      process.stdout.write(`stack running in the background (pid ${child.pid}, log ${log})\nadmin ${mine.adminUrl}\ngateway ${mine.gatewayUrl ?? '-'}\n`);
      return;
    }
    if (child.exitCode !== null || !isSameProcess(child.pid!, undefined)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw environmentError(`the background stack did not come up; see ${log}`);
}

/** The status table `stack up` and `stack status` print. */
export function formatStatus(status: StackStatus): string {
  const rows = status.services.map((s) => [s.name, `${s.ready}/${s.replicas}`, String(s.restarts), s.version ?? '-', s.endpoints.join(' ')]);
  const head = ['service', 'ready', 'restarts', 'version', 'endpoints'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  let out = [line(head), ...rows.map(line)].join('\n') + '\n';
  if (status.breakers) out += `breakers: ${Object.entries(status.breakers).map(([k, v]) => `${k}=${v}`).join(' ')}\n`;
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
