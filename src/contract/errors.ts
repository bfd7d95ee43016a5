/**
 * Typed errors. Their `code` decides the exit code, in contract/exit-code.ts; only the CLI exits.
 * Messages say what was expected; `hint` says what to do next.
 */
export type ErrorCode =
  | 'INVALID_INPUT' // a scenario, flag or manifest is wrong: exit 2
  | 'ENVIRONMENT' // a binary is missing, a cluster unreachable, the stack failed to start: exit 3
  | 'INTERRUPTED' // SIGINT / SIGTERM: exit 130
  | 'INTERNAL';

export class PeakreadyError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** Every problem found, one per line, each naming the file and the dotted path. */
  readonly problems: readonly string[];

  constructor(code: ErrorCode, message: string, opts: { hint?: string; problems?: readonly string[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PeakreadyError';
    this.code = code;
    this.hint = opts.hint;
    this.problems = opts.problems ?? [];
  }
}

/** Invalid user input (exit 2). `problems` lists every problem, not only the first. */
export function invalidInput(message: string, problems: readonly string[] = [], hint?: string): PeakreadyError {
  return new PeakreadyError('INVALID_INPUT', message, { problems, ...(hint ? { hint } : {}) });
}

/** The environment cannot run this (exit 3): say which binary or service, and the command that fixes it. */
export function environmentError(message: string, hint?: string, cause?: unknown): PeakreadyError {
  return new PeakreadyError('ENVIRONMENT', message, { ...(hint ? { hint } : {}), cause });
}

/** Every problem an error carries: an INVALID_INPUT's list, else its one message. */
export function errorProblems(err: unknown): string[] {
  const listed = (err as { problems?: unknown }).problems;
  if (Array.isArray(listed) && listed.length > 0) return listed as string[];
  return [err instanceof Error ? err.message : String(err)];
}
