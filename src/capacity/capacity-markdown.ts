/**
 * capacity.md: the capacity search's answer first (rate per replica, breaking point, knee,
 * replicas for the peak, HPA target), then every step, then how it was measured. Every
 * string from the scenario or the run is escaped.
 */
import type { CapacityResult, HpaSuggestion } from './types.js';
import { REFERENCE_ROLES, referenceWorkloadKind } from '../scenario/reference-stack.js';
import { escapeMarkdownCell, escapeMarkdownText } from '../report/escape.js';
import { fmtDuration, fmtMs, fmtPercent } from '../report/report-format.js';

/** A code span: shown verbatim by Markdown, so only backticks, pipes and newlines need care. */
const code = (v: unknown): string => `\`${String(v ?? '').replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}\``;

const rps = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${Number(v.toFixed(v < 100 ? 1 : 0))} rps`);

/** How well the breaking rate is known, in words: "breaking rate 480–520 rps, ±4.0%, every repeat agreed". */
export function spreadText(r: CapacityResult): string {
  const sp = r.spread;
  if (!sp) return '';
  const range = `breaking rate ${rps(sp.low).replace(' rps', '')}–${rps(sp.high)}, ±${fmtPercent(sp.relative, 1)}`;
  return sp.verdict === 'confirmed'
    ? `${range}, each boundary rate agreed on ${r.settings.repeats} runs`
    : `too noisy to tell: repeats disagreed between ${rps(sp.low)} and ${rps(sp.high)} (±${fmtPercent(sp.relative, 1)}, more than the ±${fmtPercent(r.settings.tolerance, 0)} asked)`;
}

/** The one-line answer, also the HTML's headline. */
export function capacityHeadline(r: CapacityResult): string {
  switch (r.outcome) {
    case 'found':
      return `${r.service}: ${rps(r.sustainablePerReplica)} per replica within the SLOs${r.spread ? ` (${spreadText(r)})` : ''}`;
    case 'no-break':
      return `${r.service}: at least ${rps(r.sustainablePerReplica)} per replica (no SLO broke up to ${rps(r.settings.maxRate)})`;
    case 'none-sustainable':
      return `${r.service}: no sustainable rate — the SLOs broke even at ${rps(r.breakingRps)}`;
    case 'interrupted':
      return `${r.service}: interrupted${r.sustainablePerReplica === null ? '' : ` (so far ${rps(r.sustainablePerReplica)} per replica held)`}`;
  }
}

/**
 * The HPA snippet for the service (autoscaling/v2, the seed's pods metric, like
 * deploy/base/hpa.yaml). `reference` false: a service of a team's own stack, whose workload
 * kind and metric names peakready does not know (a Deployment, its rate mapped to the metric).
 */
export function hpaYaml(service: string, hpa: HpaSuggestion, minReplicas: number, reference = true): string {
  const rollout = reference && referenceWorkloadKind(service) === 'Rollout';
  return [
    ...(reference && REFERENCE_ROLES[service]?.seedMetric ? [] : [`# ${service} exports its server's own metric names: map a per-pod request rate to ${hpa.metric} in the metrics adapter.`]),
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    `  name: ${service}`,
    'spec:',
    '  scaleTargetRef:',
    `    apiVersion: ${rollout ? 'argoproj.io/v1alpha1' : 'apps/v1'}`,
    `    kind: ${rollout ? 'Rollout' : 'Deployment'}`,
    `    name: ${service}`,
    `  minReplicas: ${minReplicas}`,
    `  maxReplicas: ${Math.max(minReplicas, hpa.maxReplicas ?? minReplicas)}`,
    '  metrics:',
    '    - type: Pods',
    '      pods:',
    '        metric:',
    `          name: ${hpa.metric}`,
    '        target:',
    '          type: AverageValue',
    `          averageValue: "${hpa.averageValue}"`,
  ].join('\n');
}

/** Renders capacity.md. */
export function renderCapacityMarkdown(r: CapacityResult): string {
  const s = r.settings;
  const out: string[] = [];
  out.push(`# Capacity — ${escapeMarkdownText(capacityHeadline(r))}`, '');
  out.push(
    `Scenario **${escapeMarkdownText(r.scenario.name)}** · ${r.stack ? `stack **${escapeMarkdownText(r.stack.name)}** (${code(r.stack.file)}) · ` : ''}${r.platform} platform · ${s.replicas} replica${s.replicas === 1 ? '' : 's'} of ${escapeMarkdownText(r.service)}` +
      `${r.profile ? ` · profile ${escapeMarkdownText(r.profile)}` : ''}`,
    '',
    `Traffic: mix entries ${r.route.endpoints.map(code).join(', ')} ${escapeMarkdownText(r.route.note)}.`,
    '',
    ...(r.disabled ? [`Switched off during the search: ${r.disabled.length > 0 ? r.disabled.map(code).join(', ') : 'nothing'}.`, ''] : []),
    `SLOs per step: ${r.slos.map(code).join(', ')}, and the service must keep up (no growing backlog).`,
    '',
  );
  out.push('| Result | Value |', '| --- | --- |');
  out.push(`| Highest sustainable rate | ${rps(r.sustainableRps)}${s.replicas > 1 ? ` (${rps(r.sustainablePerReplica)} per replica)` : ' per replica'} |`);
  if (r.sustainableConcurrency !== null && r.sustainableConcurrency !== undefined) {
    out.push(`| Requests in flight at that rate | ${r.sustainableConcurrency} (mean; rate × mean latency) |`);
  }
  out.push(`| Breaking point | ${r.breakingRps === null ? 'none up to the max rate' : `${rps(r.breakingRps)}: ${escapeMarkdownCell(r.breakingReason ?? '')}`} |`);
  if (r.spread) {
    const runs = r.spread.runs.map((z) => `${rps(z.rate)}: held ${z.held}/${z.runs}`).join('; ');
    out.push(`| How well the breaking rate is known | ${escapeMarkdownCell(spreadText(r))} (${escapeMarkdownCell(runs)}) |`);
  }
  out.push(`| Knee of the p99 curve | ${r.knee ? `${rps(r.knee.rate)} (p99 ${fmtMs(r.knee.p99)}; ${rps(r.knee.perReplica)} per replica)` : 'not found (fewer than 3 points, or no bend)'} |`);
  if (r.recommendation) {
    const rec = r.recommendation;
    out.push(`| Replicas for a ${rps(rec.peakRps)} peak with ${fmtPercent(rec.headroom, 0)} headroom | **${rec.replicas}** |`);
  }
  if (r.hpa) {
    out.push(
      `| HPA target (${r.hpa.metric}) | averageValue **${r.hpa.averageValue}** per pod (${r.hpa.basis === 'knee' ? 'capped at the knee' : 'sustainable × (1 − headroom)'})${r.hpa.maxReplicas === undefined ? '' : `, maxReplicas ≥ ${r.hpa.maxReplicas}`} |`,
    );
  }
  out.push('');
  out.push('## Steps', '');
  // Streamed generations add their figures (TTFT, ITL, output tokens/s) to each step.
  const tokens = r.steps.some((st) => st.tokens !== undefined);
  out.push(
    `| # | Phase | Rate | Result | Achieved | p50 | p99 | Max | In flight |${tokens ? ' TTFT p95 | ITL p95 | Tokens/s |' : ''} Errors | Backlog | Why it broke |`,
    `| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |${tokens ? ' ---: | ---: | ---: |' : ''} ---: | ---: | --- |`,
  );
  r.steps.forEach((st, i) => {
    const why = st.ok ? '' : [...st.slos.filter((c) => !c.ok).map((c) => c.slo), ...(st.keptUp ? [] : ['backlog grew'])].join(', ');
    const tok = tokens ? ` ${st.tokens ? `${fmtMs(st.tokens.ttftP95)} | ${fmtMs(st.tokens.itlP95)} | ${st.tokens.outputTokensPerSecond.toFixed(0)}` : '– | – | –'} |` : '';
    out.push(
      `| ${i + 1} | ${st.phase} | ${rps(st.rate)} | ${st.ok ? '✓ held' : '✗ broke'} | ${rps(st.achievedRps)} | ${fmtMs(st.p50)} | ${fmtMs(st.p99)} | ${fmtMs(st.max)} | ${st.concurrency ?? '–'} |${tok} ${fmtPercent(st.errorRate)} | +${st.backlogGrowth} / ${st.backlogLimit} | ${escapeMarkdownCell(why)} |`,
    );
  });
  out.push('');
  if (r.hpa) {
    const min = r.recommendation ? Math.max(1, Math.min(r.recommendation.replicas, r.hpa.maxReplicas ?? r.recommendation.replicas)) : s.replicas;
    out.push(
      '## Suggested HPA',
      '',
      r.recommendation
        ? 'For the peak window: minReplicas pre-scales to the recommended count, maxReplicas is what the target reaches at the peak.'
        : `Without --peak, minReplicas is the measured replica count; pass --peak to size it.`,
      '',
      '```yaml', hpaYaml(r.service.replace(/[^a-z0-9-]/g, '-'), r.hpa, min, r.stack === undefined), '```', '');
  }
  out.push(
    '## Method',
    '',
    `Each step offers a constant arrival rate (open model) for ${fmtDuration(s.warmupMs)} of warm-up, then ${fmtDuration(s.stepMs)} measured. ` +
      `A step search doubles the rate from ${rps(s.startRate)} (halving instead when the start already breaks) until a step breaks an SLO, ` +
      `then bisects between the last good and the first bad rate until they are within ${fmtPercent(s.precision, 1)}. ` +
      (s.repeats > 1
        ? `Then the boundary is repeated: the last good rate must hold and the first bad rate must break on each of ${s.repeats} runs, ` +
          `a repeat that disagrees moves the bracket, until the breaking rate is known to ±${fmtPercent(s.tolerance, 0)} or the machine is reported too noisy to tell. `
        : '') +
      'Dropped arrivals count as errors. A step also breaks when the in-flight backlog grows during the measured window by more than ' +
      'max(8, 3% of its arrivals): a service that cannot keep up queues, even before a short step shows it in p99. ' +
      'The knee is the Kneedle point of the p99-vs-rate curve (furthest below the chord of the normalised curve). ' +
      'Replicas = ceil(peak × (1 + headroom) / sustainable per replica); the HPA target is sustainable per replica × (1 − headroom), capped at the knee.',
    '',
  );
  return out.join('\n');
}
