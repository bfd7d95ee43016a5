/**
 * `peakready bundle <scenario> --out DIR`: the scenario as a k6 script plus a k6-operator
 * ConfigMap and TestRun, for running the same traffic from inside a cluster.
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { invalidInput } from '../../contract/errors.js';
import { bundleK6 } from '../../load/k6-bundle.js';
import { k6Manifests, k8sName, testRunProblems } from '../../load/k6-testrun.js';
import { loadScenarioFile } from '../../scenario/load-file.js';
import { crdsDir } from '../../platforms/factory.js';
import type { ExitSlot, RegisterCommand } from './types.js';

interface BundleFlags {
  out: string;
  baseUrl: string;
  seed: string;
  namespace?: string;
  parallelism: string;
  crd?: string;
  rateScale?: string;
  timeScale?: string;
}

/** The k6-operator's TestRun CRD vendored with peakready (deploy/crds, or PEAKREADY_CRDS_DIR). */
const defaultCrd = (): string => join(crdsDir(), 'k6-operator', 'testruns.yaml');

function positive(flag: string, v: string | undefined, int: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) {
    throw invalidInput(`--${flag}: expected ${int ? 'an integer' : 'a number'} > 0, got ${JSON.stringify(v)}`);
  }
  return n;
}

async function action(scenarioPath: string, f: BundleFlags, exit: ExitSlot): Promise<void> {
  const seed = Number(f.seed);
  if (!Number.isInteger(seed) || seed < 0) throw invalidInput(`--seed: expected an integer >= 0, got ${JSON.stringify(f.seed)}`);
  const parallelism = positive('parallelism', f.parallelism, true) as number;
  const timeScale = positive('time-scale', f.timeScale, false);
  const rateScale = positive('rate-scale', f.rateScale, false);
  const scenario = await loadScenarioFile(scenarioPath, { ...(timeScale ? { timeScale } : {}), ...(rateScale ? { rateScale } : {}) });
  const bundle = await bundleK6(scenario, { baseUrl: f.baseUrl, seed });
  const scriptFile = `${k8sName(scenario.name)}.k6.js`;
  const { configMap, testRun } = k6Manifests({
    scenario: scenario.name,
    scriptFile,
    script: bundle.script,
    parallelism,
    baseUrl: f.baseUrl,
    seed,
    ...(f.namespace ? { namespace: f.namespace } : {}),
  });
  const crd = f.crd ?? defaultCrd();
  if (!existsSync(crd)) throw invalidInput(`--crd: ${crd}: no such file`, [], 'pass the k6-operator TestRun CRD (k6.io_testruns.yaml)');
  const problems = testRunProblems(testRun, crd);
  if (problems.length > 0) throw invalidInput('the generated TestRun does not match the k6-operator CRD', problems);
  mkdirSync(f.out, { recursive: true });
  writeFileSync(join(f.out, scriptFile), bundle.script);
  writeFileSync(join(f.out, 'configmap.yaml'), stringify(configMap));
  writeFileSync(join(f.out, 'testrun.yaml'), stringify(testRun));
  const out = process.stdout;
  out.write(`k6 script: ${join(f.out, scriptFile)}\n`);
  out.write(`TestRun:   ${join(f.out, 'testrun.yaml')} (valid against the k6-operator CRD)\n`);
  out.write(`ConfigMap: ${join(f.out, 'configmap.yaml')}\n`);
  out.write(`apply:     kubectl apply -f ${join(f.out, 'configmap.yaml')} -f ${join(f.out, 'testrun.yaml')}\n`);
  const thresholds = Object.entries(bundle.options.thresholds);
  if (thresholds.length > 0) out.write(`thresholds: ${thresholds.map(([m, t]) => `${m} ${t.join(', ')}`).join('; ')}\n`);
  for (const s of bundle.skipped) out.write(`not a k6 threshold: ${s.slo}: ${s.reason}\n`);
  exit.outcome = { kind: 'done' };
}

export const register: RegisterCommand = (program: Command, exit) => {
  program
    .command('bundle <scenario>')
    .description('bundle a scenario into a k6 script and a k6-operator TestRun')
    .requiredOption('--out <dir>', 'folder for the script, configmap.yaml and testrun.yaml')
    .option('--base-url <url>', 'where the runners send traffic (BASE_URL in the script)', 'http://gateway:8080')
    .option('--seed <n>', 'random seed of the mix', '1')
    .option('--namespace <ns>', 'namespace of the ConfigMap and TestRun')
    .option('--parallelism <n>', 'number of k6 runner pods', '1')
    .option('--crd <file>', 'TestRun CRD to validate against (default: the copy vendored in deploy/crds/k6-operator)')
    .option('--rate-scale <f>', 'multiply every arrival rate')
    .option('--time-scale <f>', 'multiply every duration of the profile')
    .action(async (scenario: string, flags: BundleFlags) => action(scenario, flags, exit));
};
