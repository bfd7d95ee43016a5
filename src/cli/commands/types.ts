import type { Command } from 'commander';
import type { Outcome } from '../../contract/exit-code.js';

/** Where a command's action stores its outcome; the CLI turns it into the exit code (contract/exit-code.ts). */
export interface ExitSlot {
  outcome: Outcome;
}

/** Every command file exports one of these; src/cli/commands/index.ts lists them. */
export type RegisterCommand = (program: Command, exit: ExitSlot) => void;
