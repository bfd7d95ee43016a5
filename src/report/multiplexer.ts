/**
 * Calls every reporter's hook in turn, each inside try/catch: a reporter that throws (or
 * rejects) breaks neither the run nor the other reporters. Failures are collected and
 * passed to `onError` so the runner can warn about them.
 */
import type { Journal } from '../contract/journal.js';
import type { Reporter, ReporterFailure } from './reporter.js';
import type { RunBegin, RunEvent } from '../contract/run-event.js';

export class ReporterMultiplexer implements Reporter {
  readonly name = 'multiplexer';
  readonly failures: ReporterFailure[] = [];

  constructor(
    private readonly reporters: readonly Reporter[],
    private readonly onError?: (failure: ReporterFailure) => void,
  ) {}

  async onBegin(begin: RunBegin): Promise<void> {
    await this.each('onBegin', (r) => r.onBegin?.(begin));
  }

  async onEvent(event: RunEvent): Promise<void> {
    await this.each('onEvent', (r) => r.onEvent?.(event));
  }

  async onEnd(journal: Journal): Promise<void> {
    await this.each('onEnd', (r) => r.onEnd?.(journal));
  }

  private async each(hook: ReporterFailure['hook'], call: (r: Reporter) => void | Promise<void>): Promise<void> {
    for (const r of this.reporters) {
      try {
        await call(r);
      } catch (error) {
        const failure = { reporter: r.name, hook, error };
        this.failures.push(failure);
        try {
          this.onError?.(failure);
        } catch {
          // a broken error handler must not break the run either
        }
      }
    }
  }
}
