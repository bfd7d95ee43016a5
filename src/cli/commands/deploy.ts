/**
 * `peakready deploy --overlay kind|gke`: renders deploy/overlays/<overlay> and applies it
 * server-side into an opted-in namespace of the named context, then waits until ready.
 * `--dry-run` prints the rendered YAML and needs no cluster.
 */
import { kubernetesTools } from '../../platforms/factory.js';
import { toYaml } from '../../contract/k8s-objects.js';
import { parseDuration } from '../../scenario/duration.js';
import type { RegisterCommand } from './types.js';

interface DeployFlags {
  overlay: string;
  context?: string;
  namespace: string;
  dryRun?: boolean;
  forceConflicts?: boolean;
  wait: boolean;
  readyTimeout: string;
}

export const register: RegisterCommand = (program, exit) => {
  program
    .command('deploy')
    .description('Deploy the reference stack to Kubernetes (kind or GKE overlay) with server-side apply')
    .requiredOption('--overlay <name|dir>', 'kind | gke | a folder with an own kustomization.yaml')
    .option('--context <name>', 'kubeconfig context to act in (required unless --dry-run)')
    .option('--namespace <name>', 'target namespace (must carry peakready.io/chaos=enabled)', 'peakready')
    .option('--dry-run', 'print the rendered manifests instead of applying them')
    .option('--force-conflicts', 'take over fields another field manager owns')
    .option('--no-wait', 'do not wait for the workloads to become ready')
    .option('--ready-timeout <duration>', 'how long to wait for readiness', '5m')
    .action(async (flags: DeployFlags) => {
      const { applyObjects, pinContext, renderStack, requireOptIn, waitForReady } = await kubernetesTools();
      const objects = renderStack({ overlay: flags.overlay, namespace: flags.namespace });
      if (flags.dryRun) {
        process.stdout.write(toYaml(objects));
        exit.outcome = { kind: 'done' };
        return;
      }
      const timeoutMs = parseDuration(flags.readyTimeout, '--ready-timeout');
      const kc = pinContext(flags.context);
      await requireOptIn(kc, flags.namespace, objects);
      await applyObjects(kc, objects, { force: flags.forceConflicts ?? false });
      process.stderr.write(`applied ${objects.length} objects to ${flags.namespace} (context ${flags.context})\n`);
      if (flags.wait) {
        await waitForReady(kc, objects, { timeoutMs });
        process.stderr.write('all workloads ready\n');
      }
      exit.outcome = { kind: 'done' };
    });
};
