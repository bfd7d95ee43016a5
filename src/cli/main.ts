#!/usr/bin/env node
/**
 * The peakready command line: parses arguments, calls the library, maps the outcome to
 * an exit code (0 pass, 1 SLO failed, 2 invalid input, 3 environment error, 130
 * interrupted). This is the only place that exits the process.
 */
import { Command, CommanderError } from 'commander';
import { PeakreadyError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import { VERSION } from '../version.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('peakready')
    .description('Load, faults and SLO verdicts for AI model-serving stacks, in one run.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // Each command's action stores its exit code here; commander itself only parses.
  const result: { code: number } = { code: 0 };
  for (const register of COMMANDS) register(program, result);
  try {
    await program.parseAsync(argv as string[], { from: 'node' });
    return result.code;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with exit code 0.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    return 2; // unknown flag, missing argument: invalid input (commander already printed why)
  }
  if (err instanceof PeakreadyError) {
    process.stderr.write(`peakready: ${err.message}\n`);
    for (const p of err.problems) process.stderr.write(`  ${p}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  process.stderr.write(`peakready: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
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
