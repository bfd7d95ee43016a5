import type { Command } from 'commander';

/** Where a command's action stores the exit code the CLI returns. */
export interface ExitSlot {
  code: number;
}

/** Every command file exports one of these; src/cli/commands/index.ts lists them. */
export type RegisterCommand = (program: Command, exit: ExitSlot) => void;
