/**
 * Samples server-side state once a second while traffic runs — replicas per service and
 * breaker state per upstream — into journal series for the timeline charts and SLOs.
 */
import type { Platform } from '../platforms/platform.js';
import type { Series } from '../contract/journal.js';

const BREAKER_VALUE: Readonly<Record<string, number>> = { closed: 0, 'half-open': 1, halfOpen: 1, half_open: 1, open: 2, isolated: 2 };

export class SeriesSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly points = new Map<string, { unit: string; points: [number, number][] }>();
  private busy = false;

  constructor(
    private readonly platform: Platform,
    private readonly t0: number,
    private readonly intervalMs = 1000,
    /** Each point as it is sampled (events.ndjson writes them live). */
    private readonly onPoint?: (name: string, unit: string, t: number, value: number) => void,
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private add(name: string, unit: string, t: number, v: number): void {
    let s = this.points.get(name);
    if (!s) this.points.set(name, (s = { unit, points: [] }));
    s.points.push([t, v]);
    this.onPoint?.(name, unit, t, v);
  }

  private async sample(): Promise<void> {
    if (this.busy) return; // a slow platform must not pile up polls
    this.busy = true;
    try {
      const status = await this.platform.status();
      const t = Math.round((performance.now() - this.t0) / 100) / 10;
      for (const svc of status.services) {
        this.add(`replicas:${svc.name}`, 'replicas', t, svc.ready);
        this.add(`restarts:${svc.name}`, 'restarts', t, svc.restarts);
      }
      for (const [upstream, state] of Object.entries(status.breakers ?? {})) {
        const v = BREAKER_VALUE[state];
        if (v !== undefined) this.add(`breaker:${upstream}`, 'state (0 closed, 1 half-open, 2 open)', t, v);
      }
      this.add('active-faults', 'faults', t, status.activeFaults.length);
    } catch {
      // A missed sample is a gap in a chart, not a reason to fail the run.
    } finally {
      this.busy = false;
    }
  }

  series(): Series[] {
    return [...this.points.entries()].map(([name, s]) => ({ name, unit: s.unit, points: s.points }));
  }
}
