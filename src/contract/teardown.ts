/**
 * The teardown stack. Every action that changes the world pushes its undo *before* it
 * acts, so a setup that throws half-way is still undone. Undos run in reverse order,
 * each at most once, and one failing undo does not stop the others.
 */
export type Undo = () => Promise<void> | void;

export interface TeardownEntry {
  readonly label: string;
  readonly undo: Undo;
}

export class TeardownStack {
  private entries: TeardownEntry[] = [];
  private running: Promise<TeardownError[]> | undefined;

  /** Registers an undo; returns a function that runs it now and removes it from the stack. */
  push(label: string, undo: Undo): () => Promise<void> {
    const entry: TeardownEntry = { label, undo };
    this.entries.push(entry);
    return async () => {
      const i = this.entries.indexOf(entry);
      if (i < 0) return; // already run by unwind()
      this.entries.splice(i, 1);
      await entry.undo();
    };
  }

  get size(): number {
    return this.entries.length;
  }

  labels(): string[] {
    return this.entries.map((e) => e.label);
  }

  /** Runs every undo in reverse order. Concurrent callers share one unwind. */
  unwind(): Promise<TeardownError[]> {
    this.running ??= (async () => {
      const errors: TeardownError[] = [];
      while (this.entries.length > 0) {
        const entry = this.entries.pop()!;
        try {
          await entry.undo();
        } catch (err) {
          errors.push(new TeardownError(entry.label, err));
        }
      }
      return errors;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}

export class TeardownError extends Error {
  constructor(readonly label: string, cause: unknown) {
    super(`teardown "${label}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TeardownError';
  }
}
