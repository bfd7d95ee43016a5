/**
 * `peakready run [scenario]`: the main job. Validates everything first (scenario, flags,
 * SLO strings) so bad input exits 2 with nothing started, then runs the scenario and maps
 * the verdict to the exit code.
 */
import { Option, type Command } from 'commander';
import { exitAfterComparison, parseBaselineFlags, withBaseline, type BaselineOptions } from '../../baseline/baseline-options.js';
import { describeComparison } from '../../baseline/describe-comparison.js';
import { invalidInput } from '../../errors.js';
import { parseDuration } from '../../scenario/duration.js';
import type { Journal } from '../../journal.js';
import type { Platform } from '../../platforms/platform.js';
import { REPORTERS, type ReporterName } from '../../report/write-reports.js';
import { formatLiveLine } from '../../load/live.js';
import { defaultOutDir, runScenario } from '../../runner/run-scenario.js';
import { loadCheckedScenario } from '../../runner/preflight.js';
import { STACK_MECHANISMS, type ResolvedScenario, type StackMechanism } from '../../scenario/types.js';
import type { SloSpec } from '../../scenario/slo-spec.js';
import { parseSlo } from '../../slo/parse.js';
import { formatSlo } from '../../slo/format.js';
import type { RegisterCommand } from './types.js';

interface RunFlags {
  platform: 'local' | 'kubernetes';
  out?: string;
  seed: string;
  timeScale: string;
  rateScale: string;
  slo: string[];
  disable: string[];
  context?: string;
  namespace?: string;
  overlay: string;
  quiet?: boolean;
  baseline?: string;
  tolerance: string[];
  failOnRegression?: boolean;
  loadRunners?: string;
  loadRunnerLead: string;
  gatewayUrl?: string;
  prometheusUrl?: string;
}

export const DEFAULT_SCENARIO = 'scenarios/holiday-peak.ts';
const RUN_REPORTERS: readonly ReporterName[] = ['ndjson', 'json', 'junit', 'markdown', 'html'];

export const register: RegisterCommand = (program, exit) => {
  program
    .command('run')
    .description('run a readiness scenario end to end: stack up, steady state, load + faults, SLO verdict, reports')
    .argument('[scenario]', 'scenario file', DEFAULT_SCENARIO)
    .addOption(new Option('--platform <name>', 'where the stack runs').choices(['local', 'kubernetes']).default('local'))
    .option('--out <dir>', 'output folder (default reports/<scenario>-<UTC timestamp>)')
    .option('--seed <n>', 'seed of the traffic generator (same seed, same traffic)', '1')
    .option('--time-scale <f>', 'multiply every duration of the scenario by f (e.g. 0.25 for a quick run)', '1')
    .option('--rate-scale <f>', 'multiply every arrival rate by f', '1')
    .option('--slo <expr>', 'an extra SLO, e.g. "p99(predict) < 250ms" (repeatable)', collect, [])
    .option('--disable <mechanism>', `switch a resilience mechanism off to prove the SLOs notice (${STACK_MECHANISMS.join(', ')}; repeatable)`, collect, [])
    .option('--context <name>', 'kubernetes: the only kubeconfig context peakready may act in')
    .option('--namespace <name>', 'kubernetes: namespace of the stack (must carry peakready.io/chaos=enabled)')
    .option('--overlay <name|dir>', 'kubernetes: overlay to apply (kind, gke, or a folder with an own kustomization.yaml)', 'kind')
    .option('--quiet', 'no live progress line')
    .option('--baseline <journal>', 'compare with an earlier run (its journal.json or run folder); regressions show in every report')
    .option('--tolerance <figure=value>', 'allowed worsening vs the baseline, e.g. p99=10%, throughput=5%, fallback-share=2pp, rollback-time=10s, error-rate=0.5pp (repeatable)', collect, [])
    .option('--fail-on-regression', 'exit 1 when a figure regressed beyond its tolerance (needs --baseline)')
    .option('--gateway-url <url>', "kubernetes: send the traffic here instead of the gateway Service (default: its ClusterIP or NodePort when reachable, else a port-forward)")
    .option('--prometheus-url <url>', "kubernetes: query this Prometheus instead of the stack's prometheus Service")
    .option('--load-runner-lead <duration>', 'kubernetes: how far ahead the runners\' common start is set (time to schedule the Job\'s pods and pull the image)', '30s')
    .option('--load-runners <n>', 'kubernetes: drive the traffic from N runner pods (an Indexed Job) whose histograms are merged')
    .action(async (file: string, flags: RunFlags) => {
      const { scenario, seed, baseline, loadRunners, loadRunnerLeadMs } = await prepare(file, flags);
      const platform = await createPlatform(flags);
      const loadRunner = loadRunners === undefined ? undefined : await (platform as import('../../platforms/kubernetes/kubernetes-platform.js').KubernetesPlatform).loadRunner(loadRunners, file, { timeScale: Number(flags.timeScale), rateScale: Number(flags.rateScale), leadMs: loadRunnerLeadMs });
      const outDir = flags.out ?? defaultOutDir(scenario.name);
      const live = process.stderr.isTTY && !flags.quiet;
      const outcome = await runScenario({
        scenario,
        platform,
        outDir,
        seed,
        reporters: RUN_REPORTERS.map((n) => REPORTERS[n](outDir)),
        log: flags.quiet ? undefined : (line) => process.stderr.write(`${live ? '\r\x1b[2K' : ''}peakready: ${line}\n`),
        onSecond: live ? (s) => process.stderr.write(`\r\x1b[2K${formatLiveLine(s)}`) : undefined,
        ...(baseline ? { finalize: (j: Journal) => compareSafely(j, baseline) } : {}),
        ...(loadRunner ? { loadRunner } : {}),
      });
      if (live) process.stderr.write('\r\x1b[2K');
      printVerdict(outcome.journal, outDir);
      exit.code = exitAfterComparison(outcome.exitCode, outcome.journal);
    });
};

/** The comparison must never cost the run its reports: on a surprise, report without it. */
function compareSafely(j: Journal, baseline: BaselineOptions): Journal {
  try {
    return withBaseline(j, baseline);
  } catch (err) {
    process.stderr.write(`peakready: comparison with ${baseline.file} failed, reports are written without it: ${err instanceof Error ? err.message : String(err)}\n`);
    return j;
  }
}

/** --load-runners N: an integer 1..100, and only where there is a cluster to run the Job in. */
function parseLoadRunners(flags: RunFlags, problems: string[]): number | undefined {
  if (flags.loadRunners === undefined) return undefined;
  const n = Number(flags.loadRunners);
  if (!Number.isInteger(n) || n < 1 || n > 100) problems.push(`--load-runners: expected an integer 1..100, got ${JSON.stringify(flags.loadRunners)}`);
  else if (flags.platform !== 'kubernetes') problems.push(`--load-runners: needs --platform kubernetes (the runners are pods of an Indexed Job), got --platform ${flags.platform}`);
  else return n;
  return undefined;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Everything that can be wrong with the input is found here, before anything starts. */
async function prepare(file: string, flags: RunFlags): Promise<{ scenario: ResolvedScenario; seed: number; baseline: BaselineOptions | undefined; loadRunners: number | undefined; loadRunnerLeadMs: number }> {
  const problems: string[] = [];
  const loadRunners = parseLoadRunners(flags, problems);
  let loadRunnerLeadMs = 30_000; // replaced by the flag's value (default 30s) below
  try {
    loadRunnerLeadMs = parseDuration(flags.loadRunnerLead, '--load-runner-lead');
    if (loadRunnerLeadMs < 1000 || loadRunnerLeadMs > 600_000) problems.push(`--load-runner-lead: expected a duration from 1s to 10m, got ${JSON.stringify(flags.loadRunnerLead)}`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const seed = Number(flags.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) problems.push(`--seed: expected a whole number >= 0, got ${JSON.stringify(flags.seed)}`);
  const timeScale = Number(flags.timeScale);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) problems.push(`--time-scale: expected a number > 0, got ${JSON.stringify(flags.timeScale)}`);
  const rateScale = Number(flags.rateScale);
  if (!(rateScale > 0) || !Number.isFinite(rateScale)) problems.push(`--rate-scale: expected a number > 0, got ${JSON.stringify(flags.rateScale)}`);
  const disable: StackMechanism[] = [];
  for (const d of flags.disable) {
    if ((STACK_MECHANISMS as readonly string[]).includes(d)) disable.push(d as StackMechanism);
    else problems.push(`--disable: expected one of ${STACK_MECHANISMS.join(', ')}, got ${JSON.stringify(d)}`);
  }
  const baselineFlags = parseBaselineFlags(flags);
  problems.push(...baselineFlags.problems);
  const extra: SloSpec[] = [];
  for (const text of flags.slo) {
    try {
      extra.push(parseSlo(text));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  let scenario: ResolvedScenario | undefined;
  try {
    // Checked against the chosen platform too (fault targets, stack.*): nothing starts on a plan that would fail mid-run.
    scenario = await loadCheckedScenario(file, flags.platform, {
      ...(problems.some((p) => p.startsWith('--time-scale')) ? {} : { timeScale }),
      ...(problems.some((p) => p.startsWith('--rate-scale')) ? {} : { rateScale }),
    });
  } catch (err) {
    if (err instanceof Error && 'problems' in err && Array.isArray((err as { problems: unknown }).problems) && (err as { problems: string[] }).problems.length > 0) {
      problems.push(...(err as { problems: string[] }).problems);
    } else problems.push(err instanceof Error ? err.message : String(err));
  }
  if (scenario) {
    for (const spec of extra) {
      const ep = 'endpoint' in spec.metric ? spec.metric.endpoint : undefined;
      if (ep !== undefined && !(ep in scenario.mix)) {
        problems.push(`--slo "${formatSlo(spec)}": unknown endpoint "${ep}", expected one of ${Object.keys(scenario.mix).join(', ')}`);
      }
    }
  }
  if (scenario && scenario.slos.length + extra.length === 0) {
    problems.push(`${scenario.file ?? file}: slos: nothing to verify: the scenario has no SLOs and no --slo was given, so any run would pass; add slos (or --slo "p99(predict) < 250ms"), or use \`peakready load\` for traffic only`);
  }
  if (problems.length > 0 || !scenario) throw invalidInput(`invalid input, nothing was started (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, problems);
  const stack = disable.length > 0 ? { ...scenario.stack, disable: [...new Set([...(scenario.stack.disable ?? []), ...disable])] } : scenario.stack;
  return { scenario: { ...scenario, slos: [...scenario.slos, ...extra], stack }, seed, baseline: baselineFlags.options, loadRunners, loadRunnerLeadMs };
}

async function createPlatform(flags: RunFlags): Promise<Platform> {
  if (flags.platform === 'kubernetes') {
    const { KubernetesPlatform } = await import('../../platforms/kubernetes/kubernetes-platform.js');
    const url = (flag: string, v: string | undefined): string | undefined => {
      if (v === undefined) return undefined;
      if (!/^https?:\/\/[^/]+/.test(v)) throw invalidInput(`${flag}: expected an http(s) URL such as http://10.0.0.5:8080, got ${JSON.stringify(v)}`);
      return v.replace(/\/+$/, '');
    };
    const gatewayUrl = url('--gateway-url', flags.gatewayUrl);
    const prometheusUrl = url('--prometheus-url', flags.prometheusUrl);
    return new KubernetesPlatform({ context: flags.context, namespace: flags.namespace ?? 'peakready', overlay: flags.overlay, ...(gatewayUrl ? { gatewayUrl } : {}), ...(prometheusUrl ? { prometheusUrl } : {}) });
  }
  const { createLocalPlatform } = await import('../../platforms/local/local-platform.js');
  return createLocalPlatform();
}

function printVerdict(j: import('../../journal.js').Journal, outDir: string): void {
  const out = process.stdout;
  const met = j.slos.filter((s) => s.status === 'pass').length;
  out.write(`\n${j.scenario.name}: ${j.verdict.toUpperCase()} (${j.status}) — ${met}/${j.slos.length} SLOs met, resilience score ${j.resilienceScore.toFixed(0)}%\n`);
  if (j.reason) out.write(`  ${j.reason}\n`);
  for (const s of j.slos) {
    const mark = s.status === 'pass' ? '✓' : s.advisory ? '~' : '✗';
    out.write(`  ${mark} ${s.name}: observed ${s.observed} (threshold ${s.threshold}, ${s.window})${s.status === 'no-data' ? ' — no data' : ''}\n`);
  }
  out.write(`  ${j.totals.requests} requests, ${j.totals.errors} errors, ${j.totals.dropped} dropped, ${j.totals.achievedRps} req/s achieved\n`);
  for (const line of describeComparison(j)) out.write(`${line}\n`);
  out.write(`reports: ${outDir}/{summary.md,report.html,junit.xml,journal.json}\n`);
}
