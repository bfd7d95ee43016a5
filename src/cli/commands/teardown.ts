/**
 * `peakready teardown`: deletes what `deploy` applied (the rendered overlay, in reverse
 * order) and sweeps every chaos resource and load-runner Job peakready left in the namespace.
 */
import { kubernetesTools } from '../../platforms/factory.js';
import { objectRef } from '../../contract/k8s-objects.js';
import type { RegisterCommand } from './types.js';

interface TeardownFlags {
  overlay: string;
  context?: string;
  namespace: string;
  keepNamespace?: boolean;
}

export const register: RegisterCommand = (program, exit) => {
  program
    .command('teardown')
    .description('Delete the Kubernetes stack deploy created, and any chaos peakready left behind')
    .option('--overlay <name|dir>', 'kind | gke | a folder (the overlay that was deployed)', 'kind')
    .option('--context <name>', 'kubeconfig context to act in (required)')
    .option('--namespace <name>', 'namespace the stack runs in', 'peakready')
    .option('--keep-namespace', 'leave the Namespace object in place')
    .action(async (flags: TeardownFlags) => {
      const { deleteObject, pinContext, renderStack, sweepChaos } = await kubernetesTools();
      const kc = pinContext(flags.context);
      const swept = await sweepChaos(kc, { namespace: flags.namespace });
      for (const s of swept) process.stderr.write(`deleted ${s}\n`);
      const objects = renderStack({ overlay: flags.overlay, namespace: flags.namespace }).reverse();
      let deleted = 0;
      for (const o of objects) {
        if (o.kind === 'Namespace' && flags.keepNamespace) continue;
        if (await deleteObject(kc, o)) {
          deleted += 1;
          process.stderr.write(`deleted ${objectRef(o)}\n`);
        }
      }
      process.stderr.write(`teardown done: ${deleted} stack objects, ${swept.length} chaos/load objects deleted\n`);
      exit.outcome = { kind: 'done' };
    });
};
