/**
 * The local platform: the reference stack as real processes on loopback (the embedded
 * default, no cluster). Redis and Prometheus from Debian's binaries, each service's replicas
 * under the supervisor behind a service proxy, an HPA per autoscaled service, a canary
 * rollout controller per versioned service, and the local fault back ends.
 */
import { PlatformEventHub } from '../event-hub.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentError, invalidInput, PeakreadyError } from '../../contract/errors.js';
import type { ResolvedFault } from '../../scenario/fault-spec.js';
import { parseDuration } from '../../scenario/duration.js';
import type { TeardownStack } from '../../contract/teardown.js';
import type { Platform, PlatformEvent, Revert, ServiceStatus, StackEndpoints, StackStatus, UpOptions } from '../platform.js';
import type { AdminControl, AdminServer, FaultRequest, ManualFaults, MetricSample, MetricsQuery, StackServices, StartupTime } from '../capabilities.js';
import type { LocalFaultTarget } from '../../faults/fault.js';
import { ActiveFaults } from '../../faults/active-faults.js';
import { localFault } from '../../faults/registry.js';
import { startAdminServer } from './admin-server.js';
import { modelAccuracyCheck } from './analysis.js';
import { Autoscaler } from './autoscaler.js';
import { requireBinary } from './binaries.js';
import { spawnHelperProcess } from './helper-process.js';
import { promQuery } from './prometheus-client.js';
import { startPrometheus, type RunningPrometheus } from './prometheus-runner.js';
import { startRedis, type RunningBinary } from './redis-runner.js';
import { serviceEntry, serviceNodeArgs } from './repo-root.js';
import { RolloutController } from './rollout-controller.js';
import { RunState } from './run-state.js';
import { ServiceProxy } from './service-proxy.js';
import { APP_SERVICES, DEFAULT_REPLICAS, gatewayOptionFlags, serviceArgs, VERSIONED_SERVICES } from './stack-layout.js';
import { REFERENCE_STACK } from '../../scenario/reference-stack.js';
import { Supervisor } from './supervisor.js';
import { TcpProxy } from './tcp-proxy.js';
import { injectTimed, resolveFaultRequest } from './timed-fault.js';
import { stableVersion, type LoadedStack, type StackAutoscaling, type StackBreaker } from '../../scenario/stack-definition.js';
import type { StackSpec } from '../../scenario/types.js';
import { definedAnalysis, definedMetricsPath, definedServiceSpec, definedStartTimeoutMs } from './defined-stack.js';

/** Breaker states by their value in the reference gateway's encoding (0 closed, 1 half-open, 2 open). */
const BREAKER_STATES: readonly string[] = ['closed', 'half-open', 'open'];

/** One service's HPA: the scenario's `stack.autoscaling` entry or a stack definition's. */
type AutoscalingSpec = NonNullable<StackSpec['autoscaling']>[string] & Partial<Pick<StackAutoscaling, 'cpuRequest' | 'metric'>>;

export interface LocalPlatformOptions {
  /** Services to run (default all five); tests run a reduced stack. */
  readonly services?: readonly string[];
  /** Replaces `node dist/stack/<svc>/main.js` (tests use a fixture service). */
  readonly command?: (service: string) => { readonly command: string; readonly args: readonly string[] };
  /** Arguments added to a service's command line, before the platform's own (e.g. a simulator's `--profile`). */
  readonly extraArgs?: (service: string) => readonly string[];
  /** Folder of run-state files (default <repo>/.peakready/run-state). */
  readonly stateDir?: string;
  readonly startTimeoutMs?: number;
  readonly autoscalerSyncMs?: number;
  /** A team's own stack (`defineStack`) instead of the reference stack (defined-stack.ts). */
  readonly stack?: LoadedStack;
}

/** Creates the local platform (nothing starts until `up`). */
export function createLocalPlatform(opts: LocalPlatformOptions = {}): LocalPlatform {
  return new LocalPlatform(opts);
}

export class LocalPlatform implements Platform, ManualFaults, AdminControl, StackServices, StartupTime, MetricsQuery {
  readonly name = 'local' as const;
  /** Milliseconds from `up` to every service ready (the last run). */
  upMs: number | undefined = undefined;
  runState: RunState | undefined;
  supervisor: Supervisor | undefined;
  readonly proxies = new Map<string, ServiceProxy>();
  readonly autoscalers = new Map<string, Autoscaler>();
  readonly rollouts = new Map<string, RolloutController>();
  private readonly eventHub = new PlatformEventHub();
  private readonly faults = new ActiveFaults((edge, f, t, note) =>
    this.emit({ t, type: 'fault', id: f.id, kind: f.kind, target: f.target, edge, ...(note ? { note } : {}) }),
  );
  private readonly helpers = new Set<() => Promise<void>>();
  private redis: RunningBinary | undefined;
  private redisProxy: TcpProxy | undefined;
  private prometheus: RunningPrometheus | undefined;
  private teardown: TeardownStack | undefined;
  private endpoints: StackEndpoints | undefined;
  private tmp: string | undefined;
  private downing: Promise<void> | undefined;
  private up_: UpOptions | undefined;

  constructor(private readonly opts: LocalPlatformOptions) {}

  get services(): readonly string[] {
    return this.opts.stack ? Object.keys(this.opts.stack.definition.services) : (this.opts.services ?? APP_SERVICES);
  }

  /** Whether this stack has a Redis (the reference stack always; a definition when it says so). */
  private get hasRedis(): boolean {
    return this.opts.stack ? this.opts.stack.definition.redis === true : true;
  }

  async up(up: UpOptions): Promise<StackEndpoints> {
    if (this.up_) throw new Error('local platform is already up');
    this.up_ = up;
    this.teardown = up.teardown;
    up.teardown.push('local platform', () => this.down());
    const t0 = performance.now();
    if (this.hasRedis) requireBinary('redis-server');
    requireBinary('prometheus');
    requireBinary('setpriv');
    if (!this.opts.command && !this.opts.stack) {
      for (const s of this.services) {
        if (!existsSync(serviceEntry(s))) throw environmentError(`stack service ${s} is not built (${serviceEntry(s)} missing)`, 'run `npm run build` first');
      }
    }
    const runState = new RunState(up.runId, this.opts.stateDir);
    this.runState = runState;
    this.tmp = mkdtempSync(join(tmpdir(), 'peakready-local-'));
    runState.trackTempDir(this.tmp);

    for (const s of this.services) {
      const proxy = new ServiceProxy(s, (id) => this.supervisor?.all().find((r) => r.id === id)?.process.running() ?? false);
      await proxy.start();
      this.proxies.set(s, proxy);
    }
    // Redis behind a TCP proxy (where its faults act), for a stack that has one.
    if (this.hasRedis) {
      this.redisProxy = new TcpProxy(() => this.redis?.port ?? 1);
      await this.redisProxy.start();
    }
    const urls = Object.fromEntries([...this.proxies].map(([s, p]) => [s, p.url]));
    const redisUrl = this.redisProxy ? `redis://127.0.0.1:${this.redisProxy.port}` : undefined;
    // The services' and Redis's addresses, for a definition's {{name.url}} templates.
    const addresses = { ...urls, ...(redisUrl ? { redis: redisUrl } : {}) };
    const defined = this.opts.stack;
    const layout = { urls, redisUrl: redisUrl ?? '', gatewayFlags: defined ? [] : gatewayOptionFlags(up.stack.gateway, this.tmp, up.stack.disable) };

    const supervisor = new Supervisor({
      runState,
      emit: (e) => this.emit(e),
      startTimeoutMs: this.opts.startTimeoutMs ?? (defined ? definedStartTimeoutMs(defined) : 20_000),
      specFor: (service, version) => {
        if (defined) return definedServiceSpec(defined, service, addresses, up.stack.disable ?? [], version);
        const cmd = this.opts.command?.(service) ?? { command: process.execPath, args: serviceNodeArgs(service) };
        return {
          command: cmd.command,
          args: [...cmd.args, ...(this.opts.extraArgs?.(service) ?? []), '--port', '0', ...serviceArgs(service, version, layout)],
          deathLink: 'lifeline',
          ready: { path: '/ready' },
        };
      },
    });
    this.supervisor = supervisor;
    supervisor.onChange(() => this.syncRouting());

    const starts: Promise<unknown>[] = [
      ...(this.hasRedis ? [startRedis(runState).then((r) => (this.redis = r))] : []),
      startPrometheus(runState).then((p) => {
        this.prometheus = p;
        this.syncRouting();
      }),
    ];
    for (const s of this.services) {
      for (let i = 0; i < this.initialReplicas(s); i++) starts.push(supervisor.addReplica(s, this.initialVersion(s)));
    }
    const results = await Promise.allSettled(starts);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const reason = failed.reason as unknown;
      if (reason instanceof PeakreadyError) throw reason;
      throw environmentError(`the local stack failed to start: ${reason instanceof Error ? reason.message : String(reason)}`, 'see the service output above; `peakready clean` removes leftovers', reason);
    }
    this.upMs = performance.now() - t0;
    if (up.signal?.aborted) throw new PeakreadyError('INTERRUPTED', 'interrupted while the local stack was starting');

    const prometheusUrl = this.prometheus!.url;
    for (const [service, a] of Object.entries(this.autoscaling())) {
      if (!this.services.includes(service)) throw invalidInput(`stack.autoscaling.${service}: expected one of ${this.services.join(', ')}`);
      const scaler = new Autoscaler({
        service,
        supervisor,
        prometheusUrl,
        minReplicas: a.min,
        maxReplicas: a.max,
        ...(a.targetRps === undefined ? {} : { targetRps: a.targetRps }),
        ...(a.targetCpu === undefined ? {} : { targetCpu: a.targetCpu }),
        ...(a.cpuRequest === undefined ? {} : { cpuRequestCores: a.cpuRequest }),
        ...(a.metric === undefined ? {} : { metric: { name: a.metric.name ?? 'metric', query: a.metric.query, target: a.metric.target } }),
        timeScale: up.timeScale,
        ...(this.opts.autoscalerSyncMs === undefined ? {} : { syncMs: this.opts.autoscalerSyncMs }),
        version: () => this.rollouts.get(service)?.stableVersion ?? this.initialVersion(service),
        holdWhile: () => this.rollouts.get(service)?.replacingStable ?? false,
        emit: (e) => this.emit(e),
      });
      this.autoscalers.set(service, scaler);
      scaler.start();
    }
    this.endpoints = {
      gateway: this.proxies.get((defined?.definition ?? REFERENCE_STACK).entry)?.url ?? '',
      prometheus: prometheusUrl,
      services: { ...addresses, prometheus: prometheusUrl },
    };
    runState.set({ ...(this.endpoints.gateway ? { gatewayUrl: this.endpoints.gateway } : {}) });
    return this.endpoints;
  }

  private initialReplicas(service: string): number {
    const defaults = this.opts.stack ? this.opts.stack.definition.services[service]?.replicas : DEFAULT_REPLICAS[service];
    const configured = this.up_?.stack.replicas?.[service] ?? defaults ?? 1;
    const a = this.autoscaling()[service];
    return a ? Math.min(a.max, Math.max(a.min, configured)) : configured;
  }

  /** The version a service runs before any deploy: v1, or a stack definition's stable version. */
  private initialVersion(service: string): string {
    return stableVersion(this.opts.stack?.definition ?? REFERENCE_STACK, service);
  }

  /** The HPAs of this run: the scenario's (reference stack) or the stack definition's, none with `disable: ['autoscaler']`. */
  private autoscaling(): Readonly<Record<string, AutoscalingSpec>> {
    const up = this.up_;
    if (!up || up.stack.disable?.includes('autoscaler')) return {};
    if (!this.opts.stack) return up.stack.autoscaling ?? {};
    return Object.fromEntries(Object.entries(this.opts.stack.definition.services).flatMap(([name, s]) => (s.autoscaling ? [[name, s.autoscaling]] : [])));
  }

  /** Ready replicas → proxies; every replica with a port → Prometheus targets. */
  private syncRouting(): void {
    const sup = this.supervisor;
    if (!sup) return;
    for (const [service, proxy] of this.proxies) {
      const backends = (track: 'stable' | 'canary') =>
        sup
          .replicas(service, track)
          .filter((r) => r.process.ready && r.process.port !== undefined)
          .map((r) => ({ id: r.id, version: r.version, port: r.process.port! }));
      proxy.setBackends(backends('stable'), backends('canary'));
    }
    const stack = this.opts.stack;
    this.prometheus?.setTargets(
      sup.all().flatMap((r) => {
        const metricsPath = stack ? definedMetricsPath(stack, r.service) : '/metrics';
        return r.process.port === undefined || metricsPath === undefined ? [] : [{ port: r.process.port, service: r.service, replica: r.id, version: r.version, metricsPath }];
      }),
    );
  }

  async down(): Promise<void> {
    if (!this.up_) return;
    this.downing ??= (async () => {
      for (const a of this.autoscalers.values()) a.stop();
      await Promise.all([...this.rollouts.values()].map((r) => r.abort('platform going down')));
      await this.faults.revertAll();
      await Promise.all([...this.helpers].map((stop) => stop()));
      // Proxies and Prometheus first: their keep-alive connections would otherwise make
      // every replica wait out its drain deadline.
      await Promise.all([...[...this.proxies.values()].map((p) => p.close()), this.redisProxy?.close(), this.prometheus?.stop()]);
      await Promise.all([this.supervisor?.shutdown(), this.redis?.stop()]);
      if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
      this.runState?.remove();
    })();
    return this.downing;
  }

  async status(): Promise<StackStatus> {
    const sup = this.supervisor;
    const services: ServiceStatus[] = this.services.map((name) => {
      const reps = sup?.replicas(name) ?? [];
      const version = this.rollouts.get(name)?.stableVersion ?? this.initialVersion(name);
      return {
        name,
        replicas: reps.length,
        ready: reps.filter((r) => r.process.ready).length,
        restarts: sup?.restarts(name) ?? 0,
        endpoints: reps.flatMap((r) => (r.process.port === undefined ? [] : [`http://127.0.0.1:${r.process.port} (${r.id}${r.track === 'canary' ? ', canary' : ''})`])),
        version,
        ...(this.proxies.get(name) ? { proxy: this.proxies.get(name)!.stats() } : {}),
      };
    });
    for (const [name, b] of [['redis', this.redis], ['prometheus', this.prometheus]] as const) {
      if (!b) continue;
      services.push({ name, replicas: 1, ready: b.process.ready ? 1 : 0, restarts: b.process.restarts, endpoints: [`127.0.0.1:${b.port}`] });
    }
    const activeFaults = this.faults.list();
    const breakers = await this.breakers();
    return { services, activeFaults, ...(breakers ? { breakers } : {}) };
  }

  private async breakers(): Promise<Record<string, string> | undefined> {
    const defined = this.opts.stack?.definition.breakers;
    if (defined) return this.definedBreakers(defined);
    // The reference gateway's /model/status.
    const gw = this.opts.stack ? undefined : this.proxies.get(REFERENCE_STACK.entry);
    if (!gw) return undefined;
    try {
      const res = await fetch(`${gw.url}/model/status`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { breakers?: Record<string, unknown> };
      return Object.fromEntries(Object.entries(body.breakers ?? {}).map(([k, v]) => [k, typeof v === 'number' ? (BREAKER_STATES[v] ?? String(v)) : String(v)]));
    } catch {
      return undefined;
    }
  }

  /** A stack definition's breakers, each by its PromQL; one that Prometheus cannot answer yet is left out. */
  private async definedBreakers(breakers: Readonly<Record<string, StackBreaker>>): Promise<Record<string, string>> {
    const states = await Promise.all(
      Object.entries(breakers).map(async ([name, b]) => {
        const values = await this.queryMetrics(b.query, 1000).catch(() => []);
        const worst = Math.max(...values.map((v) => v.value).filter(Number.isFinite));
        return [name, BREAKER_STATES[worst]] as const;
      }),
    );
    return Object.fromEntries(states.filter((e): e is readonly [string, string] => e[1] !== undefined));
  }

  async replicas(service: string): Promise<number> {
    // Ready replicas, as on Kubernetes (a Deployment's or Rollout's readyReplicas).
    return this.supervisor?.replicas(service).filter((r) => r.process.ready).length ?? 0;
  }

  /** The rollout controller of a service (created on first use). */
  rollout(service: string): RolloutController {
    let rc = this.rollouts.get(service);
    if (!rc) {
      const up = this.requireUp();
      const { pause, analysisInterval } = up.stack.rollout ?? {};
      const pauseMs = (pause ? parseDuration(pause, 'stack.rollout.pause') : 600_000) * up.timeScale;
      // The seed measures twice per pause (5 m interval, 10 m pauses): keep that ratio when
      // only the pause is shortened, so a bad version fails before the last step.
      const intervalMs = analysisInterval
        ? parseDuration(analysisInterval, 'stack.rollout.analysisInterval') * up.timeScale
        : Math.min(300_000 * up.timeScale, pauseMs / 2);
      rc = new RolloutController(
        {
          service,
          supervisor: this.supervisor!,
          proxy: this.proxies.get(service)!,
          prometheusUrl: this.prometheus!.url,
          ...(up.stack.rollout?.steps ? { steps: up.stack.rollout.steps } : {}),
          pauseMs,
          // `disable: ['analysis']` proves the SLOs notice a rollout nobody checks.
          analysis: (v) => (up.stack.disable?.includes('analysis') ? [] : this.opts.stack ? definedAnalysis(this.opts.stack, service, v, intervalMs) : modelAccuracyCheck(v, intervalMs, service)),
          emit: (e) => this.emit(e),
        },
        this.initialVersion(service),
      );
      this.rollouts.set(service, rc);
    }
    return rc;
  }

  async deployVersion(service: string, version: string): Promise<Revert> {
    const versions = this.opts.stack ? Object.keys(this.opts.stack.definition.services[service]?.rollout?.versions ?? {}) : undefined;
    if (versions ? !versions.includes(version) : !VERSIONED_SERVICES.includes(service) || !this.services.includes(service)) {
      throw invalidInput(versions ? `events.deploy: ${service} has versions ${versions.join(', ') || '(none)'}, got ${JSON.stringify(version)}` : `events.deploy.service: expected one of ${VERSIONED_SERVICES.join(', ')}, got ${JSON.stringify(service)}`);
    }
    const rc = this.rollout(service);
    const previous = rc.stableVersion;
    await rc.start(version);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      await rc.abort('reverted');
      if (rc.stableVersion !== previous) await rc.setStable(previous);
    };
  }

  /**
   * Injects a fault through its local back end and resolves once the proxy or supervisor has
   * acknowledged it. Schedules nothing and registers no undo: the caller owns the returned
   * revert (the run's FaultTimeline; `chaos inject` and the console schedule their own).
   * `down` reverts whatever is still active, as a backstop.
   */
  async inject(fault: ResolvedFault): Promise<Revert> {
    this.requireUp();
    return this.faults.inject(fault, () => localFault(fault.kind).prepare(this.faultTarget(), fault));
  }

  /** Reverts every active fault (`chaos clear`, the console's clear and halt). */
  async clearFaults(): Promise<void> {
    await this.faults.revertAll(true);
  }

  /** A fault as `chaos inject` or the console asks for it, resolved. */
  resolveFaultRequest(req: FaultRequest): ResolvedFault {
    return resolveFaultRequest(req);
  }

  /** Injects a fault by hand and schedules its revert after its duration (timed-fault.ts). */
  injectTimed(fault: ResolvedFault): Promise<Revert> {
    return injectTimed(this, fault);
  }

  /** Serves the loopback admin API (admin-server.ts) and records its URL in the run-state file. */
  async serveAdmin(endpoints: StackEndpoints, onDown: () => void): Promise<AdminServer> {
    const admin = await startAdminServer(this, endpoints, onDown);
    try {
      this.runState?.set({ adminUrl: admin.url });
    } catch (err) {
      await admin.close();
      throw err;
    }
    return admin;
  }

  /** An instant query against the stack's Prometheus. */
  async queryMetrics(promql: string, timeoutMs?: number): Promise<MetricSample[]> {
    if (!this.prometheus) throw new Error('local platform is not up');
    return promQuery(this.prometheus.url, promql, timeoutMs);
  }

  onEvent(listener: (event: PlatformEvent) => void): () => void {
    return this.eventHub.on(listener);
  }

  private emit(e: PlatformEvent): void {
    this.eventHub.emit(e);
  }

  private requireUp(): UpOptions {
    if (!this.up_ || !this.supervisor || !this.prometheus) throw new Error('local platform is not up');
    return this.up_;
  }

  private faultTarget(): LocalFaultTarget {
    const sup = this.supervisor!;
    return {
      services: [...this.services, ...(this.hasRedis ? ['redis'] : [])],
      addToxic: (service, id, toxic) => {
        // Redis speaks RESP: its network faults act on the gateway→Redis TCP proxy.
        if (service === 'redis' && this.redisProxy) return this.redisProxy.addToxic(id, toxic);
        const p = this.proxies.get(service);
        if (!p) throw invalidInput(`fault target ${service}: has no proxy`);
        return p.addToxic(id, toxic);
      },
      processes: (service) => (service === 'redis' && this.redis ? [this.redis.process] : sup.replicas(service).map((r) => r.process)),
      setRedisOutage: (on) => this.redisProxy?.setOutage(on),
      spawnHelper: async (label, args) => {
        const { stop } = spawnHelperProcess(label, args, this.runState);
        const tracked = async () => {
          this.helpers.delete(tracked);
          await stop();
        };
        this.helpers.add(tracked);
        return tracked;
      },
    };
  }
}
