/**
 * `peakready run [scenario]`: the main job. The option table, one library call
 * (`runScenario`: every input checked before anything starts, the platform, the reporters,
 * the run, the baseline comparison) and the printed verdict; the exit code follows from the
 * journal (contract/exit-code.ts).
 */
import { Option } from 'commander';
import { describeComparison } from '../../baseline/describe-comparison.js';
import type { Journal } from '../../contract/journal.js';
import { formatLiveLine } from '../../load/live.js';
import { runScenario } from '../../runner/run-scenario.js';
import { STACK_MECHANISMS } from '../../scenario/types.js';
import type { RegisterCommand } from './types.js';

interface RunFlags {
  platform: 'local' | 'kubernetes';
  out?: string;
  seed: string;
  timeScale: string;
  rateScale: string;
  slo: string[];
  disable: string[];
  stack?: string;
  context?: string;
  namespace?: string;
  overlay?: string;
  quiet?: boolean;
  baseline?: string;
  tolerance: string[];
  failOnRegression?: boolean;
  loadRunners?: string;
  loadRunnerLead: string;
  runnerImage?: string;
  gatewayUrl?: string;
  prometheusUrl?: string;
}

export const DEFAULT_SCENARIO = 'scenarios/holiday-peak.ts';

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
    .option('--disable <mechanism>', `switch a resilience mechanism off to prove the SLOs notice (${STACK_MECHANISMS.join(', ')}, or a stack file's switches; repeatable)`, collect, [])
    .option('--stack <file>', "run against this stack (a defineStack file, e.g. stacks/mine.ts) instead of the scenario's stack or the reference stack")
    .option('--context <name>', 'kubernetes: the only kubeconfig context peakready may act in')
    .option('--namespace <name>', 'kubernetes: namespace of the stack (must carry peakready.io/chaos=enabled)')
    .option('--overlay <name|dir>', 'kubernetes: overlay to apply (kind, gke, or a folder with an own kustomization.yaml; default kind)')
    .option('--quiet', 'no live progress line')
    .option('--baseline <journal>', 'compare with an earlier run (its journal.json or run folder); regressions show in every report')
    .option('--tolerance <figure=value>', 'allowed worsening vs the baseline, e.g. p99=10%, throughput=5%, fallback-share=2pp, rollback-time=10s, error-rate=0.5pp (repeatable)', collect, [])
    .option('--fail-on-regression', 'exit 1 when a figure regressed beyond its tolerance (needs --baseline)')
    .option('--gateway-url <url>', "kubernetes: send the traffic here instead of the gateway Service (default: its ClusterIP or NodePort when reachable, else a port-forward)")
    .option('--prometheus-url <url>', "kubernetes: query this Prometheus instead of the stack's prometheus Service")
    .option('--load-runner-lead <duration>', 'kubernetes: how far ahead the runners\' common start is set (time to schedule the Job\'s pods and pull the image)', '30s')
    .option('--load-runners <n>', 'kubernetes: drive the traffic from N runner pods (an Indexed Job) whose histograms are merged')
    .option('--runner-image <image>', "kubernetes: the peakready image the runner pods run (default the reference stack's gateway image; needed with a stack file)")
    .action(async (file: string, flags: RunFlags) => {
      const live = process.stderr.isTTY && !flags.quiet;
      // Every check of the input, the platform and the reporters are the library's: one call.
      const outcome = await runScenario(file, {
        ...flags,
        slos: flags.slo,
        log: flags.quiet ? undefined : (line) => process.stderr.write(`${live ? '\r\x1b[2K' : ''}peakready: ${line}\n`),
        onSecond: live ? (s) => process.stderr.write(`\r\x1b[2K${formatLiveLine(s)}`) : undefined,
        outDir: flags.out,
      });
      if (live) process.stderr.write('\r\x1b[2K');
      printVerdict(outcome.journal, outcome.outDir);
      exit.outcome = { kind: 'run', journal: outcome.journal };
    });
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function printVerdict(j: Journal, outDir: string): void {
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
