/**
 * `peakready validate <paths...>`: checks manifests (kustomizations under deploy/, chaos
 * templates, any Kubernetes YAML) against the Kubernetes schemas and the CRDs offline, and
 * scenario files through the scenario loader. Exit 2 on any problem, 3 when the schemas
 * cannot be had.
 */
import { fileURLToPath } from 'node:url';
import { invalidInput } from '../../errors.js';
import { validatePaths } from '../../platforms/kubernetes/validate-paths.js';
import type { RegisterCommand } from './types.js';

/** The repository root (three levels above src/cli/commands or dist/cli/commands). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function validateScenario(file: string): Promise<void> {
  // Imported lazily: the scenario loader compiles TypeScript, which manifests do not need.
  const mod = (await import('../../scenario/load.js')) as { loadScenarioFile?: (path: string) => Promise<unknown> };
  if (!mod.loadScenarioFile) throw invalidInput(`${file}: this build has no scenario loader`);
  await mod.loadScenarioFile(file);
}

export const register: RegisterCommand = (program, exit) => {
  program
    .command('validate')
    .description('Validate manifests (deploy/, chaos/), Kubernetes YAML and scenario files offline')
    .argument('<paths...>', 'files or folders')
    .action(async (paths: string[]) => {
      const report = await validatePaths(paths, { repoRoot: REPO_ROOT, validateScenario });
      if (report.problems.length > 0) {
        throw invalidInput(`${report.problems.length} problem(s) in ${paths.join(' ')}`, report.problems);
      }
      for (const c of report.checked) process.stdout.write(`ok  ${c.what}${c.objects > 0 ? ` (${c.objects} objects)` : ''}\n`);
      exit.code = 0;
    });
};
