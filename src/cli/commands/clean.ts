/**
 * `peakready clean`: reaps what a crashed run left. Local: every run-state file whose harness
 * is gone (all of them with --force) — its processes (only PIDs whose start time still
 * matches), temp dirs and the file. Kubernetes: the label sweep of Chaos Mesh resources.
 */
import { invalidInput } from '../../contract/errors.js';
import { kubernetesTools, listRunStates, reapRunState } from '../../platforms/factory.js';
import type { RegisterCommand } from './types.js';

interface CleanFlags {
  platform: string;
  force?: boolean;
  context?: string;
  namespace?: string;
  runId?: string;
}

export const register: RegisterCommand = (program) => {
  program
    .command('clean')
    .description('reap processes, ports, temp dirs (local) or chaos resources (kubernetes) a crashed run left')
    .option('--platform <name>', 'local or kubernetes', 'local')
    .option('--force', 'local: also stop stacks whose harness is still running')
    .option('--context <name>', 'kubernetes: kubeconfig context')
    .option('--namespace <ns>', 'kubernetes: only this namespace')
    .option('--run-id <id>', 'only this run')
    .action(async (flags: CleanFlags) => {
      if (flags.platform === 'kubernetes') return cleanKubernetes(flags);
      if (flags.platform !== 'local') throw invalidInput(`--platform: expected local or kubernetes, got ${JSON.stringify(flags.platform)}`);
      const states = listRunStates().filter((s) => (flags.force || !s.live) && (!flags.runId || s.runId === flags.runId));
      const skipped = listRunStates().filter((s) => s.live && !flags.force).length;
      if (states.length === 0) process.stdout.write('nothing to clean\n');
      for (const s of states) {
        const r = await reapRunState(s);
        process.stdout.write(`reaped run ${s.runId}: ${r.killed.length} process(es)${r.killed.length ? ` [${r.killed.join(', ')}]` : ''}, ${r.removedDirs.length} temp dir(s)\n`);
      }
      if (skipped > 0) process.stdout.write(`${skipped} running stack(s) left alone (use --force to stop them too)\n`);
    });
};

async function cleanKubernetes(flags: CleanFlags): Promise<void> {
  // Loaded on demand: the local path must not pay for the Kubernetes client.
  const { pinContext, sweepChaos } = await kubernetesTools();
  const kc = pinContext(flags.context);
  const deleted = await sweepChaos(kc, { ...(flags.namespace ? { namespace: flags.namespace } : {}), ...(flags.runId ? { runId: flags.runId } : {}) });
  process.stdout.write(deleted.length ? `deleted ${deleted.join(', ')}\n` : 'nothing to clean\n');
}
