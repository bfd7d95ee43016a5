/**
 * Scenario validation: every problem at once, each as `<file>: <dotted.path>: expected …, got …`,
 * including cross references (fault kinds, SLO endpoints, windows naming faults, events and phases).
 */
import { invalidInput, type PeakreadyError } from '../contract/errors.js';
import { FAULT_KINDS } from './fault-spec.js';
import { tryParseDuration } from './duration.js';

const SLO_METRIC_KINDS = [
  'latency', 'error-rate', 'throughput', 'dropped', 'fallback-share', 'cache-hit-ratio', 'version-share',
  'ttft', 'itl', 'tpot', 'output-tokens-per-second', 'goodput',
  'breaker-state', 'replicas', 'rollout-phase', 'model-accuracy', 'drift', 'restarts', 'promql',
] as const;
const COMPARATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'] as const;
const HALT_METRICS = ['error-rate', 'dropped-rate', 'p99-latency-ms'] as const;

type Obj = Record<string, unknown>;

function show(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects problems with their dotted paths. */
class Checker {
  readonly problems: string[] = [];
  constructor(private readonly file: string) {}

  fail(path: string, expected: string, got: unknown): void {
    this.problems.push(`${this.file}: ${path}: expected ${expected}, got ${show(got)}`);
  }
  note(path: string, message: string): void {
    this.problems.push(`${this.file}: ${path}: ${message}`);
  }
  object(v: unknown, path: string): v is Obj {
    if (isObj(v)) return true;
    this.fail(path, 'an object', v);
    return false;
  }
  string(v: unknown, path: string, optional = false): v is string {
    if (optional && v === undefined) return false;
    if (typeof v === 'string' && v.length > 0) return true;
    this.fail(path, 'a non-empty string', v);
    return false;
  }
  number(v: unknown, path: string, opts: { min?: number; max?: number; int?: boolean; optional?: boolean; gt?: number } = {}): boolean {
    if (opts.optional && v === undefined) return false;
    const kind = opts.int ? 'an integer' : 'a number';
    const bounds = [
      opts.gt !== undefined ? `> ${opts.gt}` : opts.min !== undefined ? `>= ${opts.min}` : '',
      opts.max !== undefined ? `<= ${opts.max}` : '',
    ].filter(Boolean).join(' and ');
    const expected = bounds ? `${kind} ${bounds}` : kind;
    const ok =
      typeof v === 'number' && Number.isFinite(v) && (!opts.int || Number.isInteger(v)) &&
      (opts.min === undefined || v >= opts.min) && (opts.gt === undefined || v > opts.gt) &&
      (opts.max === undefined || v <= opts.max);
    if (!ok) this.fail(path, expected, v);
    return ok;
  }
  duration(v: unknown, path: string, optional = false): number | undefined {
    if (optional && v === undefined) return undefined;
    const ms = tryParseDuration(v);
    if (ms === undefined) this.fail(path, 'a duration like "90s", "2m" or "1m30s"', v);
    return ms;
  }
  oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string, what: string, optional = false): v is T {
    if (optional && v === undefined) return false;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return true;
    if (typeof v === 'string') this.note(path, `unknown ${what} '${v}', expected one of ${allowed.join(', ')}`);
    else this.fail(path, `one of ${allowed.join(', ')}`, v);
    return false;
  }
  array(v: unknown, path: string, optional = true): v is unknown[] {
    if (optional && v === undefined) return false;
    if (Array.isArray(v)) return true;
    this.fail(path, 'an array', v);
    return false;
  }
}

/** Names other parts of the scenario refer to. */
interface Names {
  endpoints: Set<string>;
  phases: Set<string>;
  faults: Set<string>;
  events: Set<string>;
}

function checkTraffic(c: Checker, t: unknown, names: Names): void {
  if (!c.object(t, 'traffic')) return;
  if (!c.oneOf(t.executor, ['arrival-rate', 'vus'] as const, 'traffic.executor', 'executor')) return;
  c.duration(t.timeout, 'traffic.timeout', true);
  if (t.executor === 'vus') {
    c.number(t.vus, 'traffic.vus', { int: true, min: 1 });
    c.duration(t.duration, 'traffic.duration');
    if (t.thinkTime !== undefined && c.object(t.thinkTime, 'traffic.thinkTime')) {
      const min = c.duration(t.thinkTime.min, 'traffic.thinkTime.min');
      const max = c.duration(t.thinkTime.max, 'traffic.thinkTime.max');
      if (min !== undefined && max !== undefined && min > max) c.fail('traffic.thinkTime.max', `a duration >= thinkTime.min (${String(t.thinkTime.min)})`, t.thinkTime.max);
    }
    return;
  }
  const unit = c.duration(t.timeUnit, 'traffic.timeUnit', true);
  if (unit === 0) c.fail('traffic.timeUnit', 'a duration > 0', t.timeUnit);
  c.number(t.startRate, 'traffic.startRate', { min: 0, optional: true });
  c.number(t.preAllocated, 'traffic.preAllocated', { int: true, min: 1, optional: true });
  c.number(t.maxInFlight, 'traffic.maxInFlight', { int: true, min: 1, optional: true });
  if (typeof t.preAllocated === 'number' && typeof t.maxInFlight === 'number' && t.preAllocated > t.maxInFlight) {
    c.fail('traffic.maxInFlight', `an integer >= preAllocated (${t.preAllocated})`, t.maxInFlight);
  }
  if (!c.array(t.stages, 'traffic.stages', false)) return;
  if (t.stages.length === 0) c.fail('traffic.stages', 'at least one stage', t.stages);
  t.stages.forEach((s, i) => {
    const p = `traffic.stages[${i}]`;
    if (!c.object(s, p)) return;
    const ms = c.duration(s.duration, `${p}.duration`);
    if (ms === 0) c.fail(`${p}.duration`, 'a duration > 0', s.duration);
    c.number(s.rate, `${p}.rate`, { min: 0 });
    c.oneOf(s.shape, ['constant', 'ramp'] as const, `${p}.shape`, 'stage shape', true);
    if (c.string(s.name, `${p}.name`, true)) names.phases.add(s.name as string);
  });
}

function checkMix(c: Checker, mix: unknown, names: Names): void {
  if (!c.object(mix, 'mix')) return;
  const entries = Object.entries(mix);
  if (entries.length === 0) c.fail('mix', 'at least one entry', mix);
  for (const [name, e] of entries) {
    names.endpoints.add(name);
    const p = `mix.${name}`;
    if (!c.object(e, p)) continue;
    c.number(e.weight, `${p}.weight`, { gt: 0 });
    if (typeof e.request !== 'function') c.fail(`${p}.request`, 'a function (ctx) => ({ method, path, body })', e.request);
  }
}

function checkFaultsAndEvents(c: Checker, s: Obj, names: Names): void {
  if (c.array(s.faults, 'faults')) {
    s.faults.forEach((f, i) => {
      const p = `faults[${i}]`;
      if (!c.object(f, p)) return;
      c.oneOf(f.kind, FAULT_KINDS, `${p}.kind`, 'fault kind');
      c.string(f.target, `${p}.target`);
      c.duration(f.at, `${p}.at`);
      c.duration(f.for, `${p}.for`, true);
      c.string(f.id, `${p}.id`, true);
      const id = typeof f.id === 'string' ? f.id : `${String(f.kind)}-${String(f.target)}`;
      if (names.faults.has(id)) c.note(`${p}.id`, `duplicate fault id '${id}', give each fault a distinct id`);
      names.faults.add(id);
      if (f.params === undefined || !c.object(f.params, `${p}.params`)) return;
      const params = f.params;
      c.duration(params.latency, `${p}.params.latency`, true);
      c.duration(params.jitter, `${p}.params.jitter`, true);
      c.number(params.status, `${p}.params.status`, { int: true, min: 100, max: 599, optional: true });
      c.number(params.fraction, `${p}.params.fraction`, { min: 0, max: 1, optional: true });
      c.number(params.rate, `${p}.params.rate`, { gt: 0, optional: true });
      c.number(params.workers, `${p}.params.workers`, { int: true, min: 1, optional: true });
      c.number(params.load, `${p}.params.load`, { min: 1, max: 100, optional: true });
      c.number(params.count, `${p}.params.count`, { int: true, min: 1, optional: true });
    });
  }
  if (c.array(s.events, 'events')) {
    s.events.forEach((e, i) => {
      const p = `events[${i}]`;
      if (!c.object(e, p)) return;
      c.oneOf(e.kind, ['deploy'] as const, `${p}.kind`, 'event kind');
      c.duration(e.at, `${p}.at`);
      c.string(e.service, `${p}.service`);
      c.string(e.version, `${p}.version`);
      c.string(e.id, `${p}.id`, true);
      const id = typeof e.id === 'string' ? e.id : `deploy-${String(e.service)}-${String(e.version)}`;
      if (names.events.has(id)) c.note(`${p}.id`, `duplicate event id '${id}', give each event a distinct id`);
      names.events.add(id);
    });
  }
}

function checkRef(c: Checker, v: unknown, set: Set<string>, path: string, what: string): void {
  if (!c.string(v, path)) return;
  if (!set.has(v)) {
    const known = [...set];
    c.note(path, `unknown ${what} '${v}', expected one of ${known.length ? known.join(', ') : `(none: the scenario defines no ${what}s)`}`);
  }
}

function checkSlos(c: Checker, slos: unknown, names: Names): void {
  if (!c.array(slos, 'slos')) return;
  slos.forEach((s, i) => {
    const p = `slos[${i}]`;
    if (!c.object(s, p)) return;
    if (c.object(s.metric, `${p}.metric`) && c.oneOf(s.metric.kind, SLO_METRIC_KINDS, `${p}.metric.kind`, 'SLO metric')) {
      const m = s.metric;
      if (m.endpoint !== undefined) checkRef(c, m.endpoint, names.endpoints, `${p}.metric.endpoint`, 'endpoint');
      if (m.kind === 'latency' || m.kind === 'ttft' || m.kind === 'itl' || m.kind === 'tpot') c.number(m.percentile, `${p}.metric.percentile`, { gt: 0, max: 100 });
      if (m.kind === 'goodput') {
        c.number(m.ttftMs, `${p}.metric.ttftMs`, { gt: 0 });
        c.number(m.itlMs, `${p}.metric.itlMs`, { gt: 0 });
      }
      if (m.kind === 'version-share') c.string(m.version, `${p}.metric.version`);
      if (m.kind === 'breaker-state') c.string(m.upstream, `${p}.metric.upstream`);
      if (m.kind === 'replicas' || m.kind === 'rollout-phase' || m.kind === 'restarts') c.string(m.service, `${p}.metric.service`);
      if (m.kind === 'promql') c.string(m.query, `${p}.metric.query`);
    }
    c.oneOf(s.op, COMPARATORS, `${p}.op`, 'comparator');
    if (!(typeof s.threshold === 'string' || (typeof s.threshold === 'number' && Number.isFinite(s.threshold)))) {
      c.fail(`${p}.threshold`, 'a number or a phase name', s.threshold);
    }
    c.number(s.weight, `${p}.weight`, { min: 0, optional: true });
    if (s.window !== undefined && c.object(s.window, `${p}.window`)) {
      const w = s.window;
      const wp = `${p}.window`;
      if (c.oneOf(w.kind, ['run', 'phase', 'during-fault', 'after-event', 'after-fault'] as const, `${wp}.kind`, 'window kind')) {
        if (w.kind === 'phase') checkRef(c, w.phase, names.phases, `${wp}.phase`, 'phase');
        if (w.kind === 'during-fault' || w.kind === 'after-fault') checkRef(c, w.fault, names.faults, `${wp}.fault`, 'fault');
        if (w.kind === 'after-event') checkRef(c, w.event, names.events, `${wp}.event`, 'event');
        if (w.kind === 'after-event' || w.kind === 'after-fault') c.duration(w.for, `${wp}.for`);
      }
    }
    if (s.timing !== undefined && c.object(s.timing, `${p}.timing`)) {
      const t = s.timing;
      c.duration(t.within, `${p}.timing.within`);
      if (t.for !== undefined) c.duration(t.for, `${p}.timing.for`, true);
      if (c.object(t.anchor, `${p}.timing.anchor`)) {
        const a = t.anchor;
        const ap = `${p}.timing.anchor`;
        if (a.fault !== undefined) checkRef(c, a.fault, names.faults, `${ap}.fault`, 'fault');
        else if (a.event !== undefined) checkRef(c, a.event, names.events, `${ap}.event`, 'event');
        else if (a.phase !== undefined) checkRef(c, a.phase, names.phases, `${ap}.phase`, 'phase');
        else c.fail(ap, 'an anchor with fault, event or phase', a);
        if (a.event === undefined) c.oneOf(a.edge, ['start', 'end'] as const, `${ap}.edge`, 'edge');
      }
    }
  });
}

function checkRest(c: Checker, s: Obj): void {
  if (s.drift !== undefined && c.object(s.drift, 'drift')) {
    c.duration(s.drift.startAt, 'drift.startAt');
    c.duration(s.drift.rampFor, 'drift.rampFor', true);
    c.number(s.drift.shift, 'drift.shift');
  }
  if (c.array(s.steadyState, 'steadyState')) {
    s.steadyState.forEach((probe, i) => {
      const p = `steadyState[${i}]`;
      if (!c.object(probe, p)) return;
      c.string(probe.name, `${p}.name`);
      if (probe.http === undefined && probe.promql === undefined) c.fail(p, 'an http or a promql probe', probe);
      if (probe.http !== undefined && c.object(probe.http, `${p}.http`)) {
        if (typeof probe.http.path !== 'string' || !probe.http.path.startsWith('/')) c.fail(`${p}.http.path`, 'a path starting with "/"', probe.http.path);
        c.oneOf(probe.http.method, HTTP_METHODS, `${p}.http.method`, 'HTTP method', true);
        c.number(probe.http.expectStatus, `${p}.http.expectStatus`, { int: true, min: 100, max: 599, optional: true });
        c.duration(probe.http.maxLatency, `${p}.http.maxLatency`, true);
      }
      if (probe.promql !== undefined && c.object(probe.promql, `${p}.promql`)) {
        c.string(probe.promql.query, `${p}.promql.query`);
        c.oneOf(probe.promql.op, ['<', '<=', '>', '>=', '=='] as const, `${p}.promql.op`, 'comparator');
        c.number(probe.promql.threshold, `${p}.promql.threshold`);
      }
    });
  }
  if (s.safety !== undefined && c.object(s.safety, 'safety')) {
    if (s.safety.allowRemoteTarget !== undefined && typeof s.safety.allowRemoteTarget !== 'boolean') {
      c.fail('safety.allowRemoteTarget', 'true or false', s.safety.allowRemoteTarget);
    }
    if (c.array(s.safety.halt, 'safety.halt')) {
      s.safety.halt.forEach((h, i) => {
        const p = `safety.halt[${i}]`;
        if (!c.object(h, p)) return;
        c.oneOf(h.metric, HALT_METRICS, `${p}.metric`, 'halt metric');
        c.number(h.above, `${p}.above`);
        c.duration(h.for, `${p}.for`);
      });
    }
  }
  if (s.stack !== undefined && c.object(s.stack, 'stack') && c.array(s.stack.disable, 'stack.disable')) {
    // Which names are valid depends on the stack (preflight.ts): the reference stack's STACK_MECHANISMS or a definition's switches.
    s.stack.disable.forEach((m, i) => c.string(m, `stack.disable[${i}]`));
  }
}

/** Every problem in `scenario` (empty when valid), each naming `file` and the dotted path. */
export function scenarioProblems(scenario: unknown, file: string): string[] {
  const c = new Checker(file);
  if (!c.object(scenario, '(default export)')) return c.problems;
  const s = scenario;
  c.string(s.name, 'name');
  c.string(s.description, 'description', true);
  c.string(s.target, 'target', true);
  const names: Names = { endpoints: new Set(), phases: new Set(), faults: new Set(), events: new Set() };
  checkTraffic(c, s.traffic, names);
  checkMix(c, s.mix, names);
  checkFaultsAndEvents(c, s, names);
  checkSlos(c, s.slos, names);
  checkRest(c, s);
  return c.problems;
}

/** Throws one INVALID_INPUT error listing every problem; returns when the scenario is valid. */
export function validateScenario(scenario: unknown, file: string): void {
  const problems = scenarioProblems(scenario, file);
  if (problems.length > 0) throw scenarioError(file, problems);
}

function scenarioError(file: string, problems: string[]): PeakreadyError {
  const n = problems.length;
  return invalidInput(`${file}: ${n} problem${n === 1 ? '' : 's'} in the scenario`, problems, 'fix every listed field and run again');
}
