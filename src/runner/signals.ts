/**
 * SIGINT / SIGTERM during a run: the first signal aborts the run (faults are reverted and
 * the stack torn down by the teardown stack, exit 130); a second one is left to the default
 * handler so a stuck teardown can still be killed by the user.
 */
export interface SignalGuard {
  readonly signal: AbortSignal;
  /** The signal that interrupted the run, if any. */
  readonly received: () => NodeJS.Signals | undefined;
  dispose(): void;
}

export function guardSignals(parent?: AbortSignal): SignalGuard {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (received) {
      // Second signal: stop intercepting so the next one terminates the process.
      dispose();
      return;
    }
    received = sig;
    // Abort first: telling the user must never be what stops the run from cleaning up.
    controller.abort(new Error(`interrupted by ${sig}`));
    tell(`\npeakready: ${sig} received, reverting faults and stopping the stack…\n`);
  };
  const onParentAbort = () => controller.abort(parent?.reason);
  // A stray rejection or exception in any part (a platform timer, a reporter) must not kill
  // the harness with faults still injected: it aborts the run, and the teardown stack unwinds.
  const onCrash = (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    // A write to a terminal that went away is no reason to abort, and reporting it would fail the same way.
    if (isBrokenPipe(e)) return;
    if (!controller.signal.aborted) controller.abort(e);
    tell(`\npeakready: unexpected error, aborting the run: ${e.message}\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  function dispose() {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    parent?.removeEventListener('abort', onParentAbort);
  }
  return { signal: controller.signal, received: () => received, dispose };
}

function isBrokenPipe(e: Error): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED';
}

/** Writes to stderr when it still has a reader; a failed write is dropped. */
function tell(text: string): void {
  try {
    if (process.stderr.writable) process.stderr.write(text, () => undefined);
  } catch {
    // the terminal is gone; the run still cleans up
  }
}

/** Resolves after `ms`, or rejects early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
