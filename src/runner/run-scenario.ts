/**
 * runScenario: the run order, after Chaos Toolkit.
 *
 *   platform up → steady state before (a gate) → load + fault timeline + events, with
 *   safeguards → faults reverted → steady state after → SLO evaluation → journal → reporters
 *
 * Every setup registers its undo on the teardown stack before it acts; the stack unwinds
 * on success, failure, abort and SIGINT/SIGTERM. The journal is the single result.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import type { Journal, ProbeResult, RunStatus, SloResult, TimelineEvent, TimelineFault } from '../contract/journal.js';
import { runLoad, type RunLoadOptions } from '../load/run-load.js';
import type { LoadResult } from '../load/load-result.js';
import { liveSamples, type LiveSecond } from '../load/live.js';
import { waitUntilEpoch } from '../load/start-at.js';
import type { Platform, PlatformEvent, StackEndpoints } from '../platforms/platform.js';
import type { Reporter } from '../report/reporter.js';
import type { RunEvent } from '../contract/run-event.js';
import { ReporterMultiplexer } from '../report/multiplexer.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { breakerQuery } from '../scenario/stack-definition.js';
import { evaluateSlos } from '../slo/evaluate.js';
import { VERSION } from '../contract/version.js';
import { computeFindings } from './findings.js';
import { FaultTimeline, type TimelineRecord } from './fault-timeline.js';
import { Safeguards } from './safeguards.js';
import { SeriesSampler } from './series-sampler.js';
import { guardSignals, sleep } from './signals.js';
import { checkSteadyState, DEFAULT_PROBES, definedStackProbes } from './steady-state.js';
import { TeardownStack } from '../contract/teardown.js';
import { buildJournal } from '../contract/verdict.js';
import { exitCode } from '../contract/exit-code.js';
import type { LoadRunner, ScheduledLoad, ScheduledLoadRunner } from '../load/load-runner.js';
import { withBaseline, type BaselineOptions } from '../baseline/baseline-options.js';
import { isScheduledLoadRunners } from '../platforms/capabilities.js';
import { createPlatform } from '../platforms/factory.js';
import { REPORTERS, type ReporterName } from '../report/write-reports.js';
import type { Scenario } from '../scenario/types.js';
import { checkRunInput, type RunInput } from './run-input.js';

export type { LoadRunner, ScheduledLoad, ScheduledLoadRunner } from '../load/load-runner.js';

export interface RunOptions {
  readonly scenario: ResolvedScenario;
  readonly platform: Platform;
  /** Output folder; created when missing. */
  readonly outDir: string;
  readonly seed: number;
  /** Reporters to feed (the runner adds nothing itself); report/write-reports.ts names them. */
  readonly reporters: readonly Reporter[];
  readonly signal?: AbortSignal;
  /** Progress lines for a human (stderr in the CLI). */
  readonly log?: (line: string) => void;
  /** Live stats once a second (the CLI's TTY line). */
  readonly onSecond?: (s: LiveSecond) => void;
  /** Pause after traffic ends before the steady-state check, so recovery can settle (ms, default 2000 × time scale, min 500). */
  readonly settleMs?: number;
  /** Last change to the journal before reporters see it (e.g. the baseline comparison of `--baseline`). */
  readonly finalize?: (journal: Journal) => Journal;
  /** Drives the traffic instead of the local engine (`--load-runners N`: an Indexed Job in the cluster). */
  readonly loadRunner?: LoadRunner;
}

export interface RunOutcome {
  readonly journal: Journal;
  readonly outDir: string;
  /** contract/exit-code.ts's code of the journal: 0 pass; 1 an SLO, the steady state or a regression failed, or a halt; 3 a fault not injected or an environment error; 130 interrupted. */
  readonly exitCode: number;
}

/** What `runScenario` needs besides the scenario: the run's input as a user gives it, and where its output goes. */
export interface ScenarioRunOptions extends RunInput {
  /** Output folder (default reports/<scenario>-<UTC timestamp>). */
  readonly outDir?: string;
  /** Reporters by name, or made elsewhere (default: every one, the events log included). */
  readonly reporters?: readonly (ReporterName | Reporter)[];
  readonly signal?: AbortSignal;
  /** Progress lines for a human. */
  readonly log?: (line: string) => void;
  /** Live stats once a second. */
  readonly onSecond?: (s: LiveSecond) => void;
  /** Pause after traffic before the steady-state check (ms). */
  readonly settleMs?: number;
}

/** The reporters of a run when none are named: the live events log, then every final report. */
export const RUN_REPORTERS: readonly ReporterName[] = ['ndjson', 'json', 'junit', 'markdown', 'html'];

/**
 * peakready's main job as a library call: checks every input first (the scenario on its own
 * and on the platform, flags, SLO strings, baseline; INVALID_INPUT listing every problem,
 * nothing started), creates the platform through the factory, picks the reporters, runs,
 * compares with a baseline when one is given, and returns the journal and its exit code.
 */
export async function runScenario(fileOrScenario: string | Scenario, options: ScenarioRunOptions = {}): Promise<RunOutcome> {
  const checked = await checkRunInput(fileOrScenario, options);
  const platform = await createPlatform(checked.platform);
  let loadRunner: LoadRunner | undefined;
  if (checked.loadRunners) {
    if (!isScheduledLoadRunners(platform)) throw invalidInput(`--load-runners: needs a platform that schedules load runners, got --platform ${platform.name}`);
    const { count, ...scales } = checked.loadRunners;
    loadRunner = await platform.loadRunner(count, checked.file!, scales);
  }
  const outDir = options.outDir ?? defaultOutDir(checked.scenario.name);
  const baseline = checked.baseline;
  const log = options.log;
  return runResolved({
    scenario: checked.scenario,
    platform,
    outDir,
    seed: checked.seed,
    reporters: (options.reporters ?? RUN_REPORTERS).map((r) => (typeof r === 'string' ? REPORTERS[r](outDir) : r)),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(log ? { log } : {}),
    ...(options.onSecond ? { onSecond: options.onSecond } : {}),
    ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
    ...(baseline ? { finalize: (j: Journal) => compareSafely(j, baseline, log) } : {}),
    ...(loadRunner ? { loadRunner } : {}),
  });
}

/** The comparison must never cost the run its reports: on a surprise, report without it. */
function compareSafely(j: Journal, baseline: BaselineOptions, log: ((line: string) => void) | undefined): Journal {
  try {
    return withBaseline(j, baseline);
  } catch (err) {
    log?.(`comparison with ${baseline.file} failed, reports are written without it: ${err instanceof Error ? err.message : String(err)}`);
    return j;
  }
}

/**
 * Runs a scenario already checked and resolved on a platform already made (what
 * `runScenario` does after its checks, and what tests drive directly); never throws for SLO
 * failures. Refuses a scenario with nothing to verify.
 */
export async function runResolved(opts: RunOptions): Promise<RunOutcome> {
  const { scenario, platform } = opts;
  // A run with nothing to judge would pass whatever happened; refused before anything starts.
  if (scenario.slos.length === 0) throw invalidInput(`${scenario.file ?? scenario.name}: slos: nothing to verify: the scenario has no SLOs; add some, or use \`peakready load\` for traffic only`);
  const log = opts.log ?? (() => {});
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const teardown = new TeardownStack();
  const guard = guardSignals(opts.signal);
  const reporters = new ReporterMultiplexer(opts.reporters, (f) =>
    log(`reporter ${f.reporter} failed in ${f.hook}: ${f.error instanceof Error ? f.error.message : String(f.error)}`),
  );
  const emit = (e: RunEvent) => reporters.onEvent(e);

  const platformEvents: PlatformEvent[] = [];
  const timelineEvents: TimelineEvent[] = [];
  const faults: TimelineFault[] = [];
  let before: ProbeResult[] = [];
  let after: ProbeResult[] = [];
  let status: RunStatus = 'completed';
  let reason: string | undefined;
  /** The run's own stop of the load: a fault not injected, a safeguard. */
  const halt = new AbortController();
  let runError: unknown;
  let load: LoadResult | undefined;
  let trafficStartEpochMs: number | undefined;
  let trafficT0 = 0;
  let sampler: SeriesSampler | undefined;
  let slos: SloResult[] = [];
  let endpoints: StackEndpoints | undefined;

  const relMs = (epochMs: number) => (trafficStartEpochMs === undefined ? epochMs - Date.parse(startedAt) : epochMs - trafficStartEpochMs);
  const addEvent = (type: string, message: string, data?: Record<string, unknown>, atMs?: number) => {
    const ev: TimelineEvent = { atMs: atMs ?? relMs(Date.now()), type, message, ...(data ? { data } : {}) };
    timelineEvents.push(ev);
    void emit({ type: 'event', event: ev });
  };

  await reporters.onBegin({
    type: 'begin',
    schema: 'peakready.events/v1',
    runId,
    scenario: { name: scenario.name, description: scenario.description, file: scenario.file },
    platform: platform.name,
    seed: opts.seed,
    timeScale: scenario.timeScale,
    startedAt,
    tool: { name: 'peakready', version: VERSION },
    targetRps: plannedRps(scenario),
  });

  const unsubscribe = platform.onEvent((e) => {
    platformEvents.push(e);
    const summary = describePlatformEvent(e);
    if (summary) addEvent(e.type, summary, { ...e } as Record<string, unknown>, relMs(e.t));
  });
  teardown.push('platform event subscription', unsubscribe);

  // A stack definition's entry need not have the reference gateway's routes.
  const def = scenario.stackDefinition?.definition;
  const defaultProbes = def ? definedStackProbes(def.entry, def.services[def.entry]!.ready ?? '/') : DEFAULT_PROBES;

  try {
    // 1. Platform up. Its own teardown goes on our stack before it starts anything.
    log(`starting the stack on the ${platform.name} platform…`);
    const upStarted = performance.now();
    endpoints = await platform.up({ stack: scenario.stack, timeScale: scenario.timeScale, runId, teardown, signal: guard.signal, log });
    addEvent('stack-up', `stack ready in ${((performance.now() - upStarted) / 1000).toFixed(1)} s`);
    log(`stack ready in ${((performance.now() - upStarted) / 1000).toFixed(1)} s; gateway ${endpoints.gateway}`);
    throwIfAborted(guard.signal);

    // 2. Steady state before: a gate.
    before = await checkSteadyState(scenario.steadyState, endpoints, defaultProbes);
    for (const probe of before) void emit({ type: 'probe', stage: 'before', probe });
    const failedBefore = before.filter((p) => !p.ok);
    if (failedBefore.length > 0) {
      status = 'steady-state-failed';
      reason = `steady state not met before any fault: ${failedBefore.map((p) => `${p.name} (${p.observed}, expected ${p.expected})`).join('; ')}`;
      log(reason);
    } else {
      // 3. Load + fault timeline + events, with safeguards.
      const target = scenario.target.startsWith('http') ? scenario.target : (endpoints.services[scenario.target] ?? endpoints.gateway);
      const loadSignal = AbortSignal.any([guard.signal, halt.signal]);
      const safeguards = new Safeguards(scenario.safety.halt);
      const timeline = new FaultTimeline(scenario, platform, teardown, {
        onStart: (rec) => {
          const f = toTimelineFault(rec, platformEvents);
          void emit({ type: 'fault', edge: 'start', fault: f });
          log(`${rec.kind} ${rec.id} started at ${(rec.startMs / 1000).toFixed(1)} s`);
        },
        onEnd: (rec) => {
          if (rec.kind === 'fault') void emit({ type: 'fault', edge: 'end', fault: toTimelineFault(rec, platformEvents) });
        },
        // A fault's failure is told once, by onNotInjected below.
        onError: (rec, err) => {
          if (rec.kind === 'event') addEvent('fault-error', `${rec.kind} ${rec.id} failed to start: ${err instanceof Error ? err.message : String(err)}`, { id: rec.id });
        },
        // A planned fault that did not happen makes every verdict of this run meaningless: stop the load now.
        onNotInjected: (rec, why) => {
          const line = `fault ${rec.id} was not injected: ${why}`;
          if (status === 'completed' || status === 'fault-not-injected') {
            status = 'fault-not-injected';
            reason = reason ? `${reason}; ${line}` : line;
          }
          addEvent('fault-not-injected', line, { id: rec.id });
          log(`aborting: ${line}`);
          if (!halt.signal.aborted) halt.abort(new Error(line));
        },
      });
      for (const phase of scenario.phases) void emit({ type: 'phase', phase });

      const loadOptions: RunLoadOptions = {
        target,
        seed: opts.seed,
        signal: loadSignal,
        onSecond: (s) => {
          opts.onSecond?.(s);
          for (const sample of liveSamples(s, Math.max(0, Math.round(s.t) - 1))) void emit({ type: 'second', sample });
          const why = safeguards.observe(Math.max(0, s.t * 1000 - 1000), s);
          if (why && !halt.signal.aborted) {
            status = 'aborted';
            reason = why;
            addEvent('halt', why);
            log(`halting: ${why}`);
            halt.abort(new Error(why));
          }
        },
      };
      // A scheduled runner's traffic starts at the instant it announces: so do the harness's clocks.
      const scheduled = opts.loadRunner && typeof opts.loadRunner !== 'function' ? await startScheduled(opts.loadRunner, scenario, loadOptions, log) : undefined;

      trafficT0 = scheduled ? performance.now() - (Date.now() - scheduled.startsAtEpochMs) : performance.now();
      trafficStartEpochMs = scheduled ? scheduled.startsAtEpochMs : Date.now();
      void emit({ type: 'traffic-start', epochMs: trafficStartEpochMs });
      sampler = new SeriesSampler(platform, trafficT0, 1000, (name, unit, t, value) => void emit({ type: 'series', name, unit, t, value }));
      sampler.start();
      timeline.start(trafficT0);
      log(`traffic started: ${scenario.phases.map((p) => p.name).join(' → ') || 'one stage'} (${(scenario.traffic.durationMs / 1000).toFixed(0)} s)`);
      try {
        load = await (scheduled ? scheduled.done : (typeof opts.loadRunner === 'function' ? opts.loadRunner : runLoad)(scenario, loadOptions));
      } finally {
        // 4. Faults reverted, always (the teardown stack is the backstop if this throws).
        await timeline.stop();
        sampler.stop();
        for (const rec of timeline.records) if (rec.kind === 'fault') faults.push(toTimelineFault(rec, platformEvents));
        for (const rec of timeline.records) {
          if (rec.kind === 'event') {
            const d = rec.detail as { service: string; version: string };
            timelineEvents.push({ atMs: rec.startMs >= 0 ? rec.startMs : rec.requestedMs, type: 'deploy', message: `deploy ${d.service} ${d.version}`, data: { id: rec.id, service: d.service, version: d.version } });
          }
        }
      }
      throwIfAborted(guard.signal);

      // 5. Steady state after, once recovery had a moment.
      await sleep(opts.settleMs ?? Math.max(500, 2000 * scenario.timeScale), guard.signal);
      after = await checkSteadyState(scenario.steadyState, endpoints, defaultProbes);
      for (const probe of after) void emit({ type: 'probe', stage: 'after', probe });

      // 6. SLOs.
      if (load && status === 'completed') {
        slos = await evaluateSlos(scenario.slos, {
          client: load,
          timeline: { phases: scenario.phases, faults, events: timelineEvents },
          platformEvents,
          trafficStartEpochMs,
          prometheus: { url: endpoints.prometheus },
          series: sampler.series(),
          timeScale: scenario.timeScale,
          // A stack definition's breakers are read with its own PromQL (preflight checked the names).
          ...(def?.breakers ? { queries: { 'breaker-state': (m) => breakerQuery(def, m.upstream) ?? '' } } : {}),
        });
        for (const result of slos) void emit({ type: 'slo', result });
      }
    }
  } catch (err) {
    if (guard.received() || (opts.signal?.aborted ?? false)) {
      status = 'interrupted';
      reason = `interrupted by ${guard.received() ?? 'abort'}`;
    } else if (halt.signal.aborted && err === halt.signal.reason) {
      // Load that stops by throwing the halt's reason (load-runner pods) ends as a local halt does:
      // the status and reason the halt set stand.
    } else {
      status = 'error';
      const cause = guard.signal.aborted ? guard.signal.reason : err;
      reason = cause instanceof Error ? cause.message : String(cause);
      runError = err;
      log(`run failed: ${reason}`);
    }
  } finally {
    sampler?.stop();
    const errors = await teardown.unwind();
    for (const e of errors) log(e.message);
    guard.dispose();
  }

  const totals = load
    ? (() => {
        const all = load.window(0, load.durationMs);
        return {
          requests: all?.requests ?? 0,
          errors: all?.errors ?? 0,
          dropped: all?.dropped ?? 0,
          achievedRps: load.durationMs > 0 ? Math.round(((all?.requests ?? 0) / (load.durationMs / 1000)) * 10) / 10 : 0,
          targetRps: plannedRps(scenario),
        };
      })()
    : { requests: 0, errors: 0, dropped: 0, achievedRps: 0, targetRps: plannedRps(scenario) };

  // What each fault did to the traffic, and fallback outside faults: findings, not verdicts.
  const scale = Math.max(0.1, scenario.timeScale);
  const fx = load && status === 'completed' ? computeFindings({ load, faults, phases: scenario.phases }, { recoveryMs: 10_000 * scale, instantWindowMs: 5000 * scale }) : undefined;

  const built = buildJournal({
    runId,
    scenario: { name: scenario.name, description: scenario.description, file: scenario.file },
    platform: platform.name,
    seed: opts.seed,
    timeScale: scenario.timeScale,
    startedAt,
    endedAt: new Date().toISOString(),
    trafficStartEpochMs,
    status,
    ...(reason ? { reason } : {}),
    ...(status === 'error' ? { error: runError } : {}),
    phases: scenario.phases,
    faults,
    events: timelineEvents.sort((a, b) => a.atMs - b.atMs),
    steadyState: { before, after },
    endpoints: load?.endpointResults() ?? [],
    timeline: load?.timeline() ?? [],
    series: sampler?.series() ?? [],
    slos,
    totals,
    ...(fx ? { faultEffects: fx.faultEffects, findings: fx.findings } : {}),
  });
  const journal = opts.finalize ? opts.finalize(built) : built;
  await reporters.onEnd(journal);
  return { journal, outDir, exitCode: exitCode({ kind: 'run', journal }) };
}

/**
 * Starts a scheduled runner and waits for the instant it announced. Its traffic failing
 * before then (a Job refused) ends the wait with that error; an abort ends it too, once the
 * runner has stopped (it cleans up after itself), so nothing it started outlives the run.
 */
async function startScheduled(runner: ScheduledLoadRunner, scenario: ResolvedScenario, loadOptions: RunLoadOptions, log: (line: string) => void): Promise<ScheduledLoad> {
  const scheduled = await runner.start(scenario, loadOptions);
  const signal = loadOptions.signal;
  const inMs = scheduled.startsAtEpochMs - Date.now();
  log(`load runners start the traffic at ${new Date(scheduled.startsAtEpochMs).toISOString()}${inMs > 0 ? ` (in ${(inMs / 1000).toFixed(1)} s)` : ''}`);
  let failed: unknown;
  const settled = scheduled.done.then(
    () => true,
    (err: unknown) => {
      failed = err;
      return true;
    },
  );
  const gate = new AbortController();
  const wait = waitUntilEpoch(scheduled.startsAtEpochMs, signal ? AbortSignal.any([signal, gate.signal]) : gate.signal).then(() => false);
  // The traffic ending before its own start: only an error can do that.
  const endedEarly = await Promise.race([wait, settled]);
  gate.abort();
  if (endedEarly && failed !== undefined) throw failed;
  if (signal?.aborted) {
    await settled;
    throwIfAborted(signal);
  }
  return scheduled;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

function plannedRps(s: ResolvedScenario): number {
  const t = s.traffic;
  if (t.executor !== 'arrival-rate' || t.durationMs <= 0) return 0;
  const total = t.stages.reduce((sum, st) => sum + ((st.fromRate + st.toRate) / 2) * (st.durationMs / 1000), 0);
  return Math.round((total / (t.durationMs / 1000)) * 10) / 10;
}

function toTimelineFault(rec: TimelineRecord, platformEvents: readonly PlatformEvent[]): TimelineFault {
  const note = platformEvents.find((e) => e.type === 'fault' && e.edge === 'start' && e.id === rec.id && e.note !== undefined) as { note?: string } | undefined;
  const d = rec.detail as { kind?: string; target?: string; service?: string; durationMs?: number; params?: Record<string, unknown> };
  const planned = rec.startMs + (d.durationMs ?? 0);
  return {
    id: rec.id,
    kind: d.kind ?? 'deploy',
    target: d.target ?? d.service ?? '',
    // A fault the platform never confirmed has no window: it starts and ends where it was asked for.
    startMs: rec.startMs >= 0 ? rec.startMs : rec.requestedMs,
    endMs: rec.startMs < 0 ? rec.requestedMs : rec.endMs >= 0 ? rec.endMs : planned,
    params: { ...(d.params ?? {}), ...(rec.error ? { error: rec.error } : {}) },
    requestedMs: rec.requestedMs,
    ...(note?.note ? { note: note.note } : {}),
    ...(rec.kind === 'fault' && rec.startMs < 0 ? { notInjected: rec.error ?? 'the platform did not confirm it' } : {}),
  };
}

function describePlatformEvent(e: PlatformEvent): string | undefined {
  switch (e.type) {
    case 'replicas':
      return `${e.service} scaled ${e.from} → ${e.to} (${e.reason})`;
    case 'restart':
      return `${e.service} replica ${e.replica} restarted (${e.restarts} restarts)`;
    case 'rollout':
      return `${e.service} rollout ${e.phase} at weight ${e.weight}% (${e.version})${e.message ? `: ${e.message}` : ''}`;
    case 'analysis':
      return `${e.service} analysis ${e.metric}: ${e.result} (${JSON.stringify(e.value)})`;
    case 'fault':
      return undefined; // the timeline records faults itself
    case 'replica-failed':
      return `${e.service} replica ${e.replica} failed to start: ${e.reason}`;
    case 'ready':
      return undefined; // too chatty for the report; restarts and replicas carry the story
  }
}

/** Default output folder: reports/<scenario>-<UTC timestamp>/. */
export function defaultOutDir(scenarioName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safe = scenarioName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'run';
  return join('reports', `${safe}-${stamp}`);
}
