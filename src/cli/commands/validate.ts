/**
 * `peakready validate <paths...>`: checks manifests (kustomizations under deploy/, chaos
 * templates, any Kubernetes YAML) against the Kubernetes schemas and the CRDs offline, and
 * scenario and stack files through the scenario loader. Exit 2 on any problem, 3 when the schemas
 * cannot be had.
 */
import { join } from 'node:path';
import { Option } from 'commander';
import { invalidInput } from '../../contract/errors.js';
import { REPO_ROOT, validatePaths } from '../../platforms/factory.js';
import type { RegisterCommand } from './types.js';


/** Checks a stack file, or a scenario on its own and against `platform` and its stack (fault targets, stack.*), every problem at once. */
async function validateScenario(file: string, platform: 'local' | 'kubernetes' = 'local', stack?: string): Promise<void> {
  // Imported lazily: the scenario loader compiles TypeScript, which manifests do not need.
  const { validateTypeScriptFile } = await import('../../runner/preflight.js');
  await validateTypeScriptFile(file, platform, stack);
}

export const register: RegisterCommand = (program, exit) => {
  program
    .command('validate')
    .description('Validate manifests (deploy/, chaos/), Kubernetes YAML, scenario and stack files offline')
    .argument('[paths...]', "files or folders (default: peakready's own deploy/ and chaos/)")
    .addOption(new Option('--platform <name>', 'check scenarios against this platform (fault targets differ)').choices(['local', 'kubernetes']).default('local'))
    .option('--stack <file>', 'check scenarios against this stack file (defineStack) instead of their own stack or the reference stack')
    .action(async (given: string[], flags: { platform: 'local' | 'kubernetes'; stack?: string }) => {
      const paths = given.length > 0 ? given : [join(REPO_ROOT, 'deploy'), join(REPO_ROOT, 'chaos')];
      const report = await validatePaths(paths, { validateScenario: (file) => validateScenario(file, flags.platform, flags.stack) });
      if (report.problems.length > 0) {
        throw invalidInput(`${report.problems.length} problem(s) in ${paths.join(' ')}`, report.problems);
      }
      for (const c of report.checked) process.stdout.write(`ok  ${c.what}${c.objects > 0 ? ` (${c.objects} objects)` : ''}\n`);
      exit.outcome = { kind: 'done' };
    });
};
