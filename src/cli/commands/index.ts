import type { RegisterCommand } from './types.js';

/**
 * The command table. One file per command (or command group); add yours here.
 */
export const COMMANDS: RegisterCommand[] = [];
