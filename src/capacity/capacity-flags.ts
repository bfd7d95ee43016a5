/**
 * The capacity command's flags, checked all at once: every problem is returned (each naming
 * the flag, what was expected and what was given), so bad input exits 2 with the full list
 * and nothing started.
 */
import { mechanismProblems } from '../runner/preflight.js';
import { tryParseDuration } from '../scenario/duration.js';
import { stackPlatformProblems, type LoadedStack } from '../scenario/stack-definition.js';
import { defaultCapacitySlos, parseCapacitySlos, type CapacitySlo } from './capacity-slo.js';
import { PROFILED_SERVICES } from './capacity-platform.js';
import { CAPACITY_SERVICES } from './service-traffic.js';
import type { CapacitySettings } from './types.js';

/** The flags as commander hands them over (strings). */
export interface RawCapacityFlags {
  readonly service?: string;
  readonly slo: readonly string[];
  readonly replicas: string;
  readonly peak?: string;
  readonly headroom: string;
  readonly platform: 'local' | 'kubernetes';
  readonly stepDuration: string;
  readonly warmup: string;
  readonly startRate: string;
  readonly maxRate: string;
  readonly precision: string;
  readonly repeats: string;
  readonly seed: string;
  readonly profile?: string;
  /** Mechanisms to switch off during the search (repeatable `--disable`), checked against the stack's. */
  readonly disable?: readonly string[];
  /** kubernetes, with a stack file: the Prometheus that scrapes the stack, when its file names none. */
  readonly prometheusUrl?: string;
}

/**
 * The stack the flags are checked against: the reference stack (nothing given), a stack
 * definition, or one that was named but could not be loaded (its problems are listed
 * elsewhere; service names and switches cannot be checked against it).
 */
export type CapacityStackChoice = { readonly kind: 'reference' } | { readonly kind: 'defined'; readonly stack: LoadedStack } | { readonly kind: 'unreadable'; readonly shown: string };

export interface CapacityFlags {
  /** One of CAPACITY_SERVICES on the reference stack, else a service of the stack definition. */
  readonly service: string;
  readonly slos: readonly CapacitySlo[];
  readonly sloTexts: readonly string[];
  readonly settings: CapacitySettings;
  readonly peakRps?: number;
  readonly headroom: number;
  readonly profile?: string;
  /** The mechanisms `--disable` named (each one the stack has). */
  readonly disable: readonly string[];
}

const q = (v: unknown): string => JSON.stringify(v);

/** The breaking rate is reported as known when the repeats pin it to ±10%. */
export const CAPACITY_TOLERANCE = 0.1;

/** "1500", "1500rps", "1500/s" → 1500; undefined when not a positive rate. */
export function parseRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(rps|\/s|req\/s)?\s*$/i.exec(text);
  const v = m ? Number(m[1]) : NaN;
  return v > 0 && Number.isFinite(v) ? v : undefined;
}

/** "30%" → 0.3, "0.3" → 0.3; undefined when not a share. */
export function parseShare(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/.exec(text);
  if (!m) return undefined;
  const v = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  return Number.isFinite(v) ? v : undefined;
}

function wholeSeconds(flag: string, text: string, min: number, problems: string[]): number {
  const ms = tryParseDuration(text);
  if (ms === undefined || ms % 1000 !== 0 || ms < min) {
    problems.push(`${flag}: expected whole seconds${min > 0 ? ` of at least ${min / 1000}s` : ''} like "10s" (measurements have one-second resolution), got ${q(text)}`);
    return min;
  }
  return ms;
}

/**
 * Validates every flag; `problems` lists each one wrong. `repoProfile` resolves --profile
 * (a file, or a bundled profile name) and returns undefined when it does not exist. With a
 * stack definition (`stack`), --service names one of its services, --disable one of its
 * mechanisms (none on Kubernetes, where the stack's own manifests hold them), and --profile is
 * refused; on Kubernetes the file must say where the stack lives.
 */
export function parseCapacityFlags(
  raw: RawCapacityFlags,
  resolveProfile: (v: string) => string | undefined,
  stack: CapacityStackChoice = { kind: 'reference' },
): { flags?: CapacityFlags; problems: string[] } {
  const problems: string[] = [];
  const service = raw.service;
  const defined = stack.kind === 'defined' ? stack.stack : undefined;
  const which = defined ? `stack ${defined.definition.name} (${defined.shown})` : stack.kind === 'unreadable' ? `the stack in ${stack.shown}` : '';
  if (defined) {
    const names = Object.keys(defined.definition.services).join(', ');
    const whose = `(the services of stack ${defined.definition.name}, ${defined.shown})`;
    if (service === undefined) problems.push(`--service: required, expected one of ${names} ${whose}`);
    else if (!Object.hasOwn(defined.definition.services, service)) problems.push(`--service: expected one of ${names} ${whose}, got ${q(service)}`);
  } else if (stack.kind === 'reference') {
    if (service === undefined) problems.push(`--service: required, expected one of ${CAPACITY_SERVICES.join(', ')}`);
    else if (!(CAPACITY_SERVICES as readonly string[]).includes(service)) problems.push(`--service: expected one of ${CAPACITY_SERVICES.join(', ')}, got ${q(service)}`);
  } else if (stack.kind === 'unreadable' && service === undefined) problems.push(`--service: required, expected one of the services of the stack in ${stack.shown}`);
  // On Kubernetes a team's stack is where its manifests put it: the file must say where (workloads, labels, the entry's Service, its Prometheus).
  if (defined && raw.platform === 'kubernetes') problems.push(...stackPlatformProblems(defined.definition, 'kubernetes', defined.shown, raw.prometheusUrl ? { prometheusUrl: raw.prometheusUrl } : {}));

  // A stack's service is judged by the plain defaults whatever its name ("generative" means the reference simulator).
  const sloTexts = raw.slo.length > 0 ? raw.slo : defaultCapacitySlos(stack.kind === 'reference' ? service : undefined);
  const { slos, problems: sloProblems } = parseCapacitySlos(sloTexts);
  problems.push(...sloProblems);

  const replicas = Number(raw.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 1000) problems.push(`--replicas: expected a whole number from 1 to 1000, got ${q(raw.replicas)}`);

  let peakRps: number | undefined;
  if (raw.peak !== undefined) {
    peakRps = parseRate(raw.peak);
    if (peakRps === undefined) problems.push(`--peak: expected a rate like "1500rps" or "1500", got ${q(raw.peak)}`);
  }
  const headroom = parseShare(raw.headroom);
  if (headroom === undefined || headroom < 0 || headroom >= 1) problems.push(`--headroom: expected a share from 0% to 99% like "30%" or "0.3", got ${q(raw.headroom)}`);

  const stepMs = wholeSeconds('--step-duration', raw.stepDuration, 1000, problems);
  const warmupMs = wholeSeconds('--warmup', raw.warmup, 0, problems);
  const startRate = parseRate(raw.startRate);
  if (startRate === undefined) problems.push(`--start-rate: expected a rate > 0 like "10" or "10rps", got ${q(raw.startRate)}`);
  const maxRate = parseRate(raw.maxRate);
  if (maxRate === undefined) problems.push(`--max-rate: expected a rate > 0 like "10000", got ${q(raw.maxRate)}`);
  else if (startRate !== undefined && maxRate < startRate) problems.push(`--max-rate: expected at least --start-rate (${startRate}), got ${q(raw.maxRate)}`);
  const precision = parseShare(raw.precision);
  if (precision === undefined || precision < 0.005 || precision > 0.5) problems.push(`--precision: expected a share from 0.5% to 50% like "5%", got ${q(raw.precision)}`);
  const repeats = Number(raw.repeats);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10) problems.push(`--repeats: expected a whole number from 1 to 10, got ${q(raw.repeats)}`);
  const seed = Number(raw.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) problems.push(`--seed: expected a whole number >= 0, got ${q(raw.seed)}`);

  let profile: string | undefined;
  if (raw.profile !== undefined) {
    if (stack.kind !== 'reference') problems.push(`--profile: only for the reference stack's simulators (${PROFILED_SERVICES.join(', ')}); ${which} starts its services from its own commands, got ${q(raw.profile)}`);
    else if (raw.platform !== 'local') problems.push(`--profile: only on the local platform (the cluster runs the images' own configuration), got --platform ${raw.platform}`);
    else if (service !== undefined && !(PROFILED_SERVICES as readonly string[]).includes(service)) problems.push(`--profile: only for ${PROFILED_SERVICES.join(', ')} (the simulators), got --service ${service}`);
    else {
      profile = resolveProfile(raw.profile);
      if (profile === undefined) problems.push(`--profile: expected a profile file or a bundled profile name (e.g. capacity-triton-4x50ms), got ${q(raw.profile)}: not found`);
    }
  }

  const disable: string[] = [];
  for (const d of raw.disable ?? []) {
    // A stack file that failed to load names switches nobody can know yet: nothing to check them against.
    const wrong =
      stack.kind === 'unreadable'
        ? []
        : defined && raw.platform === 'kubernetes'
          ? [`--disable ${d}: on the kubernetes platform peakready does not reconfigure ${which}; switch ${d} off in your own manifests (its HPAs are held at --replicas during the search)`]
          : mechanismProblems(d, '--disable', defined?.definition);
    problems.push(...wrong);
    if (wrong.length === 0 && !disable.includes(d)) disable.push(d);
  }

  if (problems.length > 0) return { problems };
  return {
    problems,
    flags: {
      service: service!,
      slos,
      sloTexts,
      settings: { replicas, startRate: startRate!, maxRate: maxRate!, minRate: Math.min(1, startRate!), precision: precision!, repeats, tolerance: CAPACITY_TOLERANCE, warmupMs, stepMs, seed },
      ...(peakRps === undefined ? {} : { peakRps }),
      headroom: headroom!,
      ...(profile === undefined ? {} : { profile }),
      disable,
    },
  };
}
