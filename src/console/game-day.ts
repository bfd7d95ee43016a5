/**
 * A game day as a journal: everything the operator does from the console (inject, clear,
 * halt, traffic start/stop), every fault edge, the live seconds of the background traffic
 * and the server-side series go into `events.ndjson` as they happen; a halt and the end
 * of `stack up` render the same reports a scripted run leaves (journal.json, junit.xml,
 * summary.md, report.html).
 *
 * The game day's clock starts when the console starts ("traffic-start" is that instant),
 * so faults injected before any traffic still sit on the timeline.
 *
 * On a team's own stack (`stack up --stack`) the traffic goes to its entry service and is
 * classified by its classifier; the gateway's Prometheus view (gateway_* metrics) exists
 * only on the reference stack and is not sampled there.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Journal, TimelineEvent, TimelineFault } from '../contract/journal.js';
import { buildJournal } from '../contract/verdict.js';
import type { LiveSecond } from '../load/live.js';
import type { Platform, PlatformEvent, Revert, StackEndpoints } from '../platforms/platform.js';
import { isManualFaults, isMetricsQuery, type FaultRequest, type ManualFaults, type MetricsQuery } from '../platforms/capabilities.js';
import { NdjsonWriter } from '../report/ndjson-writer.js';
import { readPartialJournal } from '../report/partial-journal.js';
import { writeReports } from '../report/write-reports.js';
import { SeriesSampler } from '../runner/series-sampler.js';
import { VERSION } from '../contract/version.js';
import { BackgroundTraffic, type TrafficState } from './background-traffic.js';
import { liveSamples } from '../load/live.js';
import { livePoint, type LivePoint } from './live-samples.js';
import { mergeEndpointResults } from './endpoint-totals.js';
import { GatewayView } from './gateway-view.js';
import { invalidInput, PeakreadyError } from '../contract/errors.js';
import type { AnswerClassifier } from '../scenario/stack-definition.js';
import type { MixEntry } from '../scenario/types.js';

/** How many live seconds the page can ask for. */
const KEEP_POINTS = 600;
const KEEP_ACTIONS = 50;

/** What a game day needs of its platform: faults by hand, and queries of the stack's Prometheus. */
export type GameDayPlatform = Platform & ManualFaults & MetricsQuery;

export function isGameDayPlatform(platform: Platform): platform is GameDayPlatform {
  return isManualFaults(platform) && isMetricsQuery(platform);
}

export interface GameDayOptions {
  readonly platform: GameDayPlatform;
  readonly endpoints: StackEndpoints;
  /** Output folder (events.ndjson now, the reports at halt and at the end). */
  readonly outDir: string;
  readonly seed?: number;
  /** One line per action for the operator's terminal. */
  readonly log?: (line: string) => void;
  /** A team's own stack (its traffic goes to `endpoints.gateway`, its entry); default the reference stack. */
  readonly stack?: { readonly name: string; readonly file: string; readonly entry: string };
  /** The background traffic's mix (default the seed mix) and its name in messages. */
  readonly mix?: Readonly<Record<string, MixEntry>>;
  readonly mixLabel?: string;
  /** How the background traffic's answers are classified (default the reference headers). */
  readonly classify?: AnswerClassifier;
}

export class GameDay {
  readonly outDir: string;
  readonly runId = `game-day-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  readonly startedAt = new Date();
  private readonly t0Perf = performance.now();
  private readonly writer: NdjsonWriter;
  private readonly traffic: BackgroundTraffic;
  private readonly sampler: SeriesSampler;
  /** The reference gateway as Prometheus sees it; undefined on a team's own stack. */
  private readonly gateway: GatewayView | undefined;
  private readonly points: LivePoint[] = [];
  private readonly actions: TimelineEvent[] = [];
  private readonly faults = new Map<string, TimelineFault>();
  private readonly reverts = new Map<string, Revert>();
  private readonly unsubscribe: () => void;
  private finished: Promise<string[]> | undefined;
  /** Set just before the final reports: nothing more goes into events.ndjson. */
  private closed = false;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: GameDayOptions) {
    this.outDir = resolve(opts.outDir);
    this.log = opts.log ?? (() => {});
    this.writer = new NdjsonWriter(this.outDir);
    const seed = opts.seed ?? 1;
    this.writer.onBegin({
      type: 'begin',
      schema: 'peakready.events/v1',
      runId: this.runId,
      scenario: {
        name: 'game-day',
        description: opts.stack
          ? `A game day on the stack ${opts.stack.name} (${opts.stack.file}) run from the peakready console (\`stack up --stack ${opts.stack.file} --dashboard\`).`
          : 'A game day run from the peakready console (`stack up --dashboard`).',
        file: undefined,
      },
      platform: opts.platform.name,
      seed,
      timeScale: 1,
      startedAt: this.startedAt.toISOString(),
      tool: { name: 'peakready', version: VERSION },
    });
    this.writer.write({ type: 'traffic-start', epochMs: this.startedAt.getTime() });
    this.traffic = new BackgroundTraffic({
      target: opts.endpoints.gateway,
      seed,
      onSecond: (s, loadStart) => this.onSecond(s, loadStart),
      onError: (err) => this.record('traffic-error', `background traffic failed: ${err instanceof Error ? err.message : String(err)}`),
      ...(opts.mix ? { mix: opts.mix } : {}),
      ...(opts.classify ? { classify: opts.classify } : {}),
    });
    this.sampler = new SeriesSampler(opts.platform, this.t0Perf, 1000, (name, unit, t, value) => this.writer.write({ type: 'series', name, unit, t, value }));
    this.sampler.start();
    // The gateway_* metrics are the reference gateway's: an own stack's entry is not read from Prometheus.
    this.gateway = opts.stack
      ? undefined
      : new GatewayView((promql, timeoutMs) => opts.platform.queryMetrics(promql, timeoutMs), () => this.rel() / 1000, (p) => {
          if (this.closed) return;
          for (const k of ['rate', 'p99', 'fallbacks'] as const) {
            const v = p[k];
            if (v !== undefined) this.writer.write({ type: 'series', name: `gateway-prometheus:${k}`, unit: k === 'p99' ? 'ms' : 'per second', t: p.t, value: v });
          }
        });
    this.gateway?.start();
    this.unsubscribe = opts.platform.onEvent((e) => this.onPlatformEvent(e));
  }

  /** ms since the game day started. */
  private rel(epochMs = Date.now()): number {
    return epochMs - this.startedAt.getTime();
  }

  /** Records an operator action (or a notable happening) on the timeline. */
  record(type: string, message: string, data?: Record<string, unknown>): TimelineEvent {
    const event: TimelineEvent = { atMs: this.rel(), type, message, ...(data ? { data } : {}) };
    this.actions.push(event);
    if (this.actions.length > KEEP_ACTIONS) this.actions.shift();
    if (!this.closed) this.writer.write({ type: 'event', event });
    this.log(message);
    return event;
  }

  private onSecond(s: LiveSecond, loadStartEpochMs: number): void {
    // The engine's `t` is the end of the interval, from its own start: shift onto the game day's clock.
    const t = Math.max(0, Math.round(this.rel(loadStartEpochMs) / 1000) + Math.round(s.t) - 1);
    this.points.push(livePoint(s, t));
    if (this.points.length > KEEP_POINTS) this.points.shift();
    if (this.closed) return;
    for (const sample of liveSamples(s, t)) this.writer.write({ type: 'second', sample });
  }

  private onPlatformEvent(e: PlatformEvent): void {
    if (this.closed) return;
    if (e.type === 'fault') {
      const known = this.faults.get(e.id);
      const at = this.rel(e.t);
      const fault: TimelineFault =
        e.edge === 'start'
          ? { id: e.id, kind: e.kind, target: e.target, startMs: at, endMs: at + Number(known?.params['durationMs'] ?? 0), params: known?.params ?? {} }
          : { ...(known ?? { id: e.id, kind: e.kind, target: e.target, startMs: at, params: {} }), endMs: at };
      this.faults.set(e.id, fault);
      if (e.edge === 'end') this.reverts.delete(e.id);
      this.writer.write({ type: 'fault', edge: e.edge, fault });
    } else if (e.type === 'replicas') {
      this.record('replicas', `${e.service} scaled ${e.from} → ${e.to} (${e.reason})`, { service: e.service, from: e.from, to: e.to });
    } else if (e.type === 'restart') {
      this.record('restart', `${e.service} replica ${e.replica} restarted (${e.restarts} restarts)`, { service: e.service });
    }
  }

  /** Injects a fault from the catalogue (INVALID_INPUT for a bad kind, target or parameter). */
  async inject(req: FaultRequest): Promise<{ id: string; durationMs: number }> {
    // A second latency on triton later in the day gets its own id, so both sit on the timeline.
    let id = req.id;
    if (id === undefined) {
      const base = `${req.kind}-${req.target}`;
      id = base;
      for (let n = 2; this.faults.has(id) && !this.reverts.has(id); n++) id = `${base}-${n}`;
    }
    const fault = this.opts.platform.resolveFaultRequest({ ...req, id });
    // Known before the platform emits the start edge, so the timeline carries the parameters.
    this.faults.set(fault.id, { id: fault.id, kind: fault.kind, target: fault.target, startMs: this.rel(), endMs: this.rel(), params: { ...fault.params, ...(fault.durationMs ? { durationMs: fault.durationMs } : {}) } });
    try {
      this.reverts.set(fault.id, await this.opts.platform.injectTimed(fault));
    } catch (err) {
      if (!this.reverts.has(fault.id)) this.faults.delete(fault.id);
      if (!(err instanceof PeakreadyError && err.code === 'INVALID_INPUT')) {
        this.record('inject-error', `${fault.kind} on ${fault.target} failed to start: ${err instanceof Error ? err.message : String(err)}`, { id: fault.id });
      }
      throw err;
    }
    const params = Object.entries(fault.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    this.record('inject', `injected ${fault.kind} on ${fault.target}${params ? ` (${params})` : ''}${fault.durationMs ? ` for ${fault.durationMs / 1000} s` : ''}`, { id: fault.id, kind: fault.kind, target: fault.target });
    return { id: fault.id, durationMs: fault.durationMs };
  }

  /** Reverts one fault injected from this console, or every active fault when `id` is undefined. */
  async clear(id?: string): Promise<string[]> {
    if (id === undefined) {
      const ids = (await this.opts.platform.status()).activeFaults.map((f) => f.id);
      await this.opts.platform.clearFaults();
      this.reverts.clear();
      this.record('clear', ids.length ? `cleared ${ids.join(', ')}` : 'cleared faults (none active)', { ids });
      return ids;
    }
    const revert = this.reverts.get(id);
    if (!revert) throw invalidInput(`fault id: expected an active fault injected from this console, got ${JSON.stringify(id)}`);
    await revert();
    this.reverts.delete(id);
    this.record('clear', `cleared ${id}`, { ids: [id] });
    return [id];
  }

  async startTraffic(rate: number): Promise<TrafficState> {
    if (!(Number.isFinite(rate) && rate > 0 && rate <= 5000)) throw invalidInput(`traffic.rate: expected requests per second between 1 and 5000, got ${JSON.stringify(rate)}`);
    const state = await this.traffic.start(rate);
    const where = this.opts.stack ? ` against ${this.opts.stack.entry}` : '';
    this.record('traffic', `background traffic started at ${rate} req/s (${this.opts.mixLabel ?? 'seed mix'})${where}`, { rate });
    return state;
  }

  async stopTraffic(): Promise<void> {
    const was = await this.traffic.stop();
    if (was) this.record('traffic', `background traffic stopped (was ${was.rate} req/s)`, { rate: 0 });
  }

  /** The halt button: every fault reverted, background traffic stopped, reports written. */
  async halt(): Promise<{ cleared: string[]; files: string[] }> {
    this.record('halt', 'halt pressed: reverting every fault and stopping traffic');
    const [cleared] = await Promise.all([this.clear(), this.stopTraffic()]);
    const files = await this.writeReports(false);
    return { cleared, files };
  }

  /** What the page shows. */
  async snapshot(): Promise<Record<string, unknown>> {
    const status = await this.opts.platform.status();
    const traffic = this.traffic.state;
    return {
      runId: this.runId,
      t: Math.round(this.rel() / 100) / 10,
      outDir: this.outDir,
      status,
      traffic: traffic ? { rate: traffic.rate, sinceS: Math.round(this.rel(traffic.sinceEpochMs) / 1000) } : null,
      points: this.points.slice(-120),
      gateway: this.gateway?.points.slice(-120) ?? [],
      actions: this.actions.slice(-15),
      faultTimeline: [...this.faults.values()],
    };
  }

  /** Ends the game day (stack up is stopping): traffic stopped, faults reverted, reports written. Idempotent. */
  finish(): Promise<string[]> {
    this.finished ??= (async () => {
      this.record('end', 'game day ended: stopping traffic, reverting faults');
      await this.stopTraffic().catch(() => undefined);
      await this.opts.platform.clearFaults().catch(() => undefined);
      this.sampler.stop();
      this.gateway?.stop();
      this.unsubscribe();
      this.closed = true;
      return this.writeReports(true);
    })();
    return this.finished;
  }

  private async writeReports(final: boolean): Promise<string[]> {
    const journal = this.journal();
    if (final) this.writer.onEnd(journal);
    const { files, failures } = await writeReports(journal, this.outDir);
    for (const f of failures) this.log(`reporter ${f.reporter} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    this.log(`game-day reports in ${this.outDir}`);
    return final ? [this.writer.file, ...files] : files;
  }

  /**
   * The journal so far, rebuilt from events.ndjson (one source of truth) and built by the one
   * journal builder. A game day has no SLOs: it completes with verdict "pass" and score 100
   * unless a fault failed to start.
   */
  journal(): Journal {
    const partial = readPartialJournal(this.outDir);
    const { schema: _schema, verdict: _verdict, reason: _reason, resilienceScore: _score, errorCode: _code, ...rest } = partial;
    return buildJournal({
      ...rest,
      endedAt: new Date().toISOString(),
      status: 'completed',
      endpoints: mergeEndpointResults(this.traffic.finished),
      failures: partial.events.filter((e) => e.type === 'inject-error').map((e) => e.message),
    });
  }

}
