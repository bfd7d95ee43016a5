/**
 * `peakready capacity <scenario> --service <name>`: steps the arrival rate at fixed replicas
 * until an SLO breaks, bisects to the breaking point, and reports the sustainable rate per
 * replica, the knee of the latency curve and, with --peak, the replicas and HPA target for
 * the forecast peak; of a reference stack's service, or of a team's own stack (`--stack`
 * or the scenario's `stack.definition`). The option table and one library call
 * (`capacityOfScenario`), which finds every input problem before anything starts (exit 2).
 */
import { Option } from 'commander';
import { capacityOfScenario, type CapacityInput } from '../../capacity/capacity-input.js';
import { capacityHeadline } from '../../capacity/capacity-markdown.js';
import { CAPACITY_SERVICES } from '../../capacity/service-traffic.js';
import { PROFILED_SERVICES } from '../../capacity/capacity-platform.js';
import type { RegisterCommand } from './types.js';

interface Flags extends CapacityInput {
  quiet?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const register: RegisterCommand = (program, exit) => {
  program
    .command('capacity')
    .description('find the highest rate per replica a service sustains within SLOs, the latency knee, and replicas/HPA targets for a peak')
    .argument('<scenario>', 'scenario file (its mix entries that reach the service are the traffic; with a stack file, its whole mix to the entry service)')
    .option('--service <name>', `service to measure: ${CAPACITY_SERVICES.join(', ')}, or a service of the stack file`)
    .option('--stack <file>', "a team's own stack file (defineStack) instead of the reference stack or the scenario's stack.definition")
    .addOption(new Option('--disable <mechanism>', "switch a mechanism off during the search, e.g. the stack's fallback (repeatable; the autoscaler is always off)").argParser(collect).default([], 'none'))
    .addOption(new Option('--slo <expr>', 'SLO each step must meet, e.g. "p99<250ms", "errors<1%" (repeatable)').argParser(collect).default([], 'p99<250ms and errors<1%'))
    .option('--replicas <n>', 'fixed replica count of the service during the search', '1')
    .option('--peak <rate>', 'forecast peak for the whole service, e.g. 1500rps: recommends replicas')
    .option('--headroom <share>', 'spare capacity to keep above the peak, e.g. 30%', '30%')
    .addOption(new Option('--platform <name>', 'where the stack runs').choices(['local', 'kubernetes']).default('local'))
    .option('--out <dir>', 'output folder (default reports/<scenario>-capacity-<service>-<UTC timestamp>)')
    .option('--step-duration <dur>', 'measured window of each step (whole seconds)', '10s')
    .option('--warmup <dur>', 'warm-up before each measured window (whole seconds)', '2s')
    .option('--start-rate <rate>', 'first rate tried, requests/s', '10')
    .option('--max-rate <rate>', 'stop doubling here', '10000')
    .option('--precision <share>', 'bisect until last good and first bad are this close', '5%')
    .option('--repeats <n>', 'runs the last good and first bad rate must each agree on (1 = no confirmation)', '3')
    .option('--seed <n>', 'seed of the traffic generator', '1')
    .option('--profile <file|name>', `local: simulator profile for ${PROFILED_SERVICES.join('/')} (a file, or a bundled name like capacity-triton-4x50ms)`)
    .option('--context <name>', 'kubernetes: the only kubeconfig context peakready may act in')
    .option('--namespace <name>', 'kubernetes: namespace of the stack (must carry peakready.io/chaos=enabled)')
    .option('--prometheus-url <url>', "kubernetes, with a stack file: the Prometheus that scrapes the stack, when the file names none")
    .option('--overlay <name|dir>', 'kubernetes: overlay to apply (kind, gke, or a folder with an own kustomization.yaml)', 'kind')
    .option('--quiet', 'no progress lines')
    .action(async (file: string, flags: Flags) => {
      const outcome = await capacityOfScenario(file, { ...flags, ...(flags.quiet ? {} : { log: (line: string) => process.stderr.write(`peakready: ${line}\n`) }) });
      const r = outcome.result;
      process.stdout.write(`\n${capacityHeadline(r)}\n`);
      if (r.stack) process.stdout.write(`  stack ${r.stack.name} (${r.stack.file}): traffic to its entry service ${r.stack.entry}; switched off: ${r.disabled?.length ? r.disabled.join(', ') : 'nothing'}\n`);
      if (r.breakingRps !== null) process.stdout.write(`  breaking point ${r.breakingRps} rps: ${r.breakingReason ?? ''}\n`);
      if (r.knee) process.stdout.write(`  knee of the p99 curve at ${r.knee.rate} rps (p99 ${r.knee.p99.toFixed(1)}ms)\n`);
      if (r.recommendation) process.stdout.write(`  replicas for ${r.recommendation.peakRps} rps + ${Math.round(r.recommendation.headroom * 100)}% headroom: ${r.recommendation.replicas}\n`);
      if (r.hpa) process.stdout.write(`  HPA: ${r.hpa.metric} averageValue ${r.hpa.averageValue}${r.hpa.maxReplicas === undefined ? '' : `, maxReplicas >= ${r.hpa.maxReplicas}`}\n`);
      process.stdout.write(`reports: ${outcome.outDir}/{capacity.md,capacity.html,capacity.json}\n`);
      exit.outcome = { kind: 'capacity', outcome: outcome.result.outcome };
    });
};
