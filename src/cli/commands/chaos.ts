/**
 * `peakready chaos inject|list|clear`: faults against a running `peakready stack up`, the
 * reference stack or a team's own (`stack up --stack`). The running stack's admin API checks
 * the target (its services, and redis when it has one) before anything changes; a wrong one
 * is exit 2 naming the targets.
 */
import { invalidInput } from '../../contract/errors.js';
import { FAULT_KINDS, type FaultParams } from '../../scenario/fault-spec.js';
import { LOCAL_FAULTS } from '../../faults/registry.js';
import { adminCall, findLiveStack } from '../../platforms/factory.js';
import type { StackStatus } from '../../platforms/platform.js';
import { APP_TARGETS } from '../../faults/catalogue.js';
import type { RegisterCommand } from './types.js';

interface InjectFlags {
  target: string;
  for?: string;
  id?: string;
  latency?: string;
  jitter?: string;
  status?: string;
  fraction?: string;
  rate?: string;
  workers?: string;
  load?: string;
  count?: string;
}

export const register: RegisterCommand = (program) => {
  const chaos = program.command('chaos').description('inject faults into the running local stack');
  chaos
    .command('inject')
    .description(`inject a fault: ${FAULT_KINDS.join(', ')}`)
    .argument('<kind>', 'fault kind')
    .requiredOption('--target <service>', `service to hit: a service of the running stack, or redis (reference stack: ${APP_TARGETS.join(', ')})`)
    .option('--for <duration>', 'revert automatically after this long, e.g. 2m')
    .option('--id <id>', 'fault id (default <kind>-<target>)')
    .option('--latency <duration>', 'latency: added delay, e.g. 300ms')
    .option('--jitter <duration>', 'latency: +/- jitter')
    .option('--status <code>', 'errors: HTTP status (default 503)')
    .option('--fraction <0..1>', 'share of requests affected (default 1)')
    .option('--rate <bytes/s>', 'bandwidth: bytes per second')
    .option('--workers <n>', 'cpu-stress: busy workers')
    .option('--load <percent>', 'cpu-stress: load percent')
    .option('--count <n>', 'kill-replica: replicas to kill')
    .action(async (kind: string, flags: InjectFlags) => {
      if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw invalidInput(`<kind>: expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
      const params: Record<string, string | number> = {};
      for (const k of ['latency', 'jitter'] as const) if (flags[k]) params[k] = flags[k]!;
      for (const k of ['status', 'fraction', 'rate', 'workers', 'load', 'count'] as const) {
        if (flags[k] === undefined) continue;
        const n = Number(flags[k]);
        if (!Number.isFinite(n)) throw invalidInput(`--${k}: expected a number, got ${JSON.stringify(flags[k])}`);
        params[k] = n;
      }
      const live = findLiveStack();
      const body = { kind, target: flags.target, ...(flags.for ? { for: flags.for } : {}), ...(flags.id ? { id: flags.id } : {}), params: params as FaultParams };
      const out = await adminCall<{ id: string; durationMs: number }>(live.adminUrl, 'POST', '/faults', body);
      process.stdout.write(`injected ${out.id}${out.durationMs ? ` for ${out.durationMs} ms` : ''}\n`);
    });
  chaos
    .command('list')
    .description('active faults (and, with --kinds, every fault kind)')
    .option('--kinds', 'list the fault vocabulary')
    .option('--json', 'print JSON')
    .action(async (flags: { kinds?: boolean; json?: boolean }) => {
      if (flags.kinds) {
        for (const f of Object.values(LOCAL_FAULTS)) process.stdout.write(`${f.kind.padEnd(13)} ${f.description}\n`);
        return;
      }
      const live = findLiveStack();
      const faults = await adminCall<StackStatus['activeFaults']>(live.adminUrl, 'GET', '/faults');
      if (flags.json) process.stdout.write(`${JSON.stringify(faults)}\n`);
      else if (faults.length === 0) process.stdout.write('no active faults\n');
      else for (const f of faults) process.stdout.write(`${f.id}  ${f.kind} on ${f.target}, ${Math.round(f.sinceMs / 1000)} s\n`);
    });
  chaos
    .command('clear')
    .description('revert every active fault')
    .action(async () => {
      const live = findLiveStack();
      const out = await adminCall<{ cleared: string[] }>(live.adminUrl, 'DELETE', '/faults');
      process.stdout.write(out.cleared.length ? `reverted ${out.cleared.join(', ')}\n` : 'no active faults\n');
    });
};

