#!/usr/bin/env node
/**
 * The peakready command line: parses arguments, calls the library, maps the outcome to
 * an exit code (0 pass, 1 SLO failed, 2 invalid input, 3 environment error, 130
 * interrupted). This is the only place that exits the process.
 */
import { Command, CommanderError } from 'commander';
import { invalidInput, PeakreadyError } from '../contract/errors.js';
import { exitCode } from '../contract/exit-code.js';
import { COMMANDS } from './commands/index.js';
import type { ExitSlot } from './commands/types.js';
import { VERSION } from '../contract/version.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('peakready')
    .description('Load, faults and SLO verdicts for AI model-serving stacks, in one run.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // Each command's action stores its outcome here; commander itself only parses.
  const result: ExitSlot = { outcome: { kind: 'done' } };
  for (const register of COMMANDS) register(program, result);
  try {
    await program.parseAsync(argv as string[], { from: 'node' });
    return exitCode(result.outcome);
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return exitCode({ kind: 'done' });
    // An unknown flag or a missing argument is invalid input (commander already printed why).
    return exitCode({ kind: 'error', error: invalidInput(err.message) });
  }
  if (err instanceof PeakreadyError) {
    process.stderr.write(`peakready: ${err.message}\n`);
    for (const p of err.problems) process.stderr.write(`  ${p}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
  } else {
    process.stderr.write(`peakready: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  return exitCode({ kind: 'error', error: err });
}

// A terminal or CI runner that went away (a closed pipe, `peakready run … | head`) must not
// stop the harness from reverting its faults and stopping the stack: output it can no longer
// deliver is dropped instead of becoming an error in every later write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') throw err;
  });
}

const code = await main(process.argv);
// Let stdout/stderr drain before leaving.
process.exitCode = code;
if (code !== 0 || process.env.PEAKREADY_FORCE_EXIT === '1') setImmediate(() => process.exit(code));
