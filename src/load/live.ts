/**
 * Live statistics, once a second while traffic runs: what the TTY line shows and what the
 * runner's halt conditions and live series read. Counted by completion time.
 */
import type { Counters, LatencySummary, SecondSample } from '../contract/journal.js';
import { MutableCounters } from './counters.js';
import { newHistogram, percentileMs, type Histogram } from './histogram.js';

export interface LiveEndpoint extends Counters {
  readonly p50: number;
  readonly p99: number;
}

export interface LiveSecond {
  /** Seconds since traffic start (end of the interval). */
  readonly t: number;
  /** Completed requests per second over the interval. */
  readonly rate: number;
  /** Arrival rate the profile asks for now (open model), or undefined. */
  readonly targetRate: number | undefined;
  /** Latency percentiles in ms over the interval, all endpoints. */
  readonly p50: number;
  readonly p99: number;
  /** Same as `p99` (the name the runner's halt conditions read). */
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly inFlight: number;
  readonly endpoints: Readonly<Record<string, LiveEndpoint>>;
}

/** Builds a LiveSecond from one interval's accumulators. */
export function liveSecond(
  endpoints: readonly string[],
  taken: { hists: Histogram[]; counters: MutableCounters[] },
  intervalMs: number,
  t: number,
  targetRate: number | undefined,
  inFlight: number,
): LiveSecond {
  const allHist = newHistogram();
  const all = new MutableCounters();
  const per: Record<string, LiveEndpoint> = {};
  endpoints.forEach((name, i) => {
    const h = taken.hists[i] as Histogram;
    const c = taken.counters[i] as MutableCounters;
    allHist.add(h);
    all.add(c);
    per[name] = { ...c.snapshot(), p50: percentileMs(h, 50), p99: percentileMs(h, 99) };
  });
  const secs = intervalMs / 1000;
  const p99 = percentileMs(allHist, 99);
  return {
    t,
    rate: secs > 0 ? Math.round((all.requests / secs) * 10) / 10 : 0,
    targetRate,
    p50: percentileMs(allHist, 50),
    p99,
    p99Ms: p99,
    requests: all.requests,
    errors: all.errors,
    dropped: all.dropped,
    inFlight,
    endpoints: per,
  };
}

/** One line for a terminal: rate, p50, p99, errors, dropped. */
export function formatLiveLine(s: LiveSecond): string {
  const target = s.targetRate !== undefined ? `/${Math.round(s.targetRate)}` : '';
  return `t=${s.t.toFixed(0)}s  rate ${s.rate.toFixed(0)}${target} req/s  p50 ${s.p50.toFixed(1)}ms  p99 ${s.p99.toFixed(1)}ms  errors ${s.errors}  dropped ${s.dropped}  in-flight ${s.inFlight}`;
}

/**
 * One live second as the journal's per-second samples (per endpoint plus "*"), at second `t`:
 * what events.ndjson stores while a run goes, so a crash still leaves the traffic. Live
 * seconds are counted by completion time and carry p50/p99 only; p90/p95/p99.9 are filled
 * with p99 (an upper bound). The finished run's timeline comes from LoadResult, exact.
 */
export function liveSamples(s: LiveSecond, t: number): SecondSample[] {
  const latency = (count: number, p50: number, p99: number): LatencySummary => ({ count, min: p50, mean: p50, p50, p90: p99, p95: p99, p99, p999: p99, max: p99 });
  const all = new MutableCounters();
  const out: SecondSample[] = [];
  for (const [endpoint, e] of Object.entries(s.endpoints)) {
    const counters = new MutableCounters().add(e).snapshot();
    out.push({ t, endpoint, ...counters, latency: latency(e.requests, e.p50, e.p99) });
    all.add(e);
  }
  out.push({ t, endpoint: '*', ...all.snapshot(), latency: latency(all.requests, s.p50, s.p99) });
  return out;
}
