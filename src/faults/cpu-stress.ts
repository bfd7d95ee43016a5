/**
 * cpu-stress: bounded CPU burn next to the service (StressChaos cpu): `workers` helper
 * processes, each busy `load` percent of every 100 ms, killed on revert (and with the harness).
 */
import { cpus } from 'node:os';
import type { Fault } from './fault.js';
import { once, positive, requireService } from './fault-params.js';

/** Busy-loops `load`% of each 100 ms slice; exits when stdin (its lifeline) closes. */
const BURNER = `
const load = Number(process.argv[1]) / 100;
process.stdin.on('end', () => process.exit(0)).on('close', () => process.exit(0)).resume();
function slice() {
  const t0 = Date.now();
  while (Date.now() - t0 < 100 * load) {}
  setTimeout(slice, 100 * (1 - load));
}
slice();
`;

export const cpuStressFault: Fault = {
  kind: 'cpu-stress',
  description: 'burns CPU next to the service (params: workers=1 up to the core count, load=80 percent)',
  prepare(target, fault) {
    requireService(target, fault);
    const workers = Math.trunc(positive(fault, 'workers', 1, cpus().length));
    const load = positive(fault, 'load', 80, 100);
    const stops: (() => Promise<void>)[] = [];
    let reverted = false;
    return {
      async act() {
        for (let i = 0; i < workers && !reverted; i++) {
          stops.push(await target.spawnHelper(`cpu-stress-${fault.target}-${i}`, ['-e', BURNER, String(load)]));
        }
      },
      revert: once(async () => {
        reverted = true;
        await Promise.all(stops.map((s) => s()));
      }),
    };
  },
};
