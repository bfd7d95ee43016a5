/**
 * Loads a scenario file: esbuild bundles the TypeScript (so `scenarios/*.ts` runs without a
 * compile step), the bundle is imported, and its default export is validated and resolved.
 */
import { build, type Message, type Plugin } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidInput, PeakreadyError } from '../contract/errors.js';
import { resolveScenario } from './resolve.js';
import type { ResolvedScenario } from './types.js';

export interface LoadScenarioOptions {
  /** Multiplies every timeline duration. Default 1. */
  readonly timeScale?: number;
  /** Multiplies every arrival rate. Default 1. */
  readonly rateScale?: number;
}

function formatMessage(m: Message, cwd: string): string {
  const loc = m.location;
  return loc ? `${loc.file}:${loc.line}:${loc.column + 1}: ${m.text}` : `${relative(cwd, m.text)}`;
}

function checkScale(name: string, v: number | undefined): string[] {
  return v === undefined || (Number.isFinite(v) && v > 0) ? [] : [`--${name}: expected a number > 0, got ${String(v)}`];
}

// The harness's own library entry, as this very process loaded it (src/ under vitest, dist/ otherwise).
const SELF_INDEX = new URL(`../index${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
const SELF_ROOT = resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A scenario imports `defineScenario`, `slo`… either as the package `peakready` or by path
 * (`../src/index.js` in this repository). Both become an import of the running harness's
 * own entry: the scenario shares this process's modules, and a scenario file kept anywhere
 * (outside this repository, in /tmp) still finds peakready's dependencies.
 */
function useRunningPeakready(): Plugin {
  const entries = new Set(['src/index', 'dist/index'].map((p) => join(SELF_ROOT, p)));
  return {
    name: 'peakready-self',
    setup(b) {
      b.onResolve({ filter: /^peakready$/ }, () => ({ path: SELF_INDEX.href, external: true }));
      b.onResolve({ filter: /(^|\/)index(\.[cm]?[jt]s)?$/ }, (args) => {
        if (!args.path.startsWith('.') && !isAbsolute(args.path)) return undefined;
        const target = resolvePath(args.resolveDir, args.path).replace(/\.[cm]?[jt]s$/, '');
        return entries.has(target) ? { path: SELF_INDEX.href, external: true } : undefined;
      });
    },
  };
}

/** Imports a scenario file's default export (the value the user wrote, not yet validated). */
export function importScenarioFile(path: string): Promise<unknown> {
  return importDefaultExport(path, 'scenario', 'pass the path of a scenario .ts file, e.g. scenarios/holiday-peak.ts', 'defineScenario');
}

/** Imports a stack file's default export (`export default defineStack({...})`), not yet validated. */
export function importStackFile(path: string): Promise<unknown> {
  return importDefaultExport(path, 'stack', 'pass the path of a stack .ts file, e.g. stacks/reference.ts', 'defineStack');
}

async function importDefaultExport(path: string, what: string, hint: string, definer: string): Promise<unknown> {
  const abs = resolvePath(path);
  const shown = relative(process.cwd(), abs) || abs;
  if (!existsSync(abs)) throw invalidInput(`${shown}: ${what} file not found`, [], hint);
  // The bundle sits next to the source so its package imports resolve from the same node_modules.
  const out = join(dirname(abs), `.${basename(abs)}.${randomBytes(4).toString('hex')}.peakready.mjs`);
  try {
    try {
      await build({
        entryPoints: [abs],
        outfile: out,
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
        absWorkingDir: process.cwd(),
        plugins: [useRunningPeakready()],
      });
    } catch (err) {
      const errors = (err as { errors?: Message[] }).errors;
      if (!errors) throw err;
      throw invalidInput(`${shown}: the ${what} does not compile`, errors.map((m) => formatMessage(m, process.cwd())));
    }
    const mod = (await import(pathToFileURL(out).href)) as { default?: unknown };
    if (mod.default === undefined) {
      throw invalidInput(`${shown}: expected a default export (export default ${definer}({...})), got none`);
    }
    return mod.default;
  } catch (err) {
    if (err instanceof PeakreadyError) throw err;
    throw invalidInput(`${shown}: the ${what} failed to load: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    rmSync(out, { force: true });
  }
}

/** Loads, validates (every problem at once) and resolves a scenario file. */
export async function loadScenarioFile(path: string, opts: LoadScenarioOptions = {}): Promise<ResolvedScenario> {
  const scaleProblems = [...checkScale('time-scale', opts.timeScale), ...checkScale('rate-scale', opts.rateScale)];
  if (scaleProblems.length > 0) throw invalidInput('invalid scale', scaleProblems);
  const value = await importScenarioFile(path);
  const shown = relative(process.cwd(), resolvePath(path)) || path;
  return resolveScenario(value as never, { ...opts, file: shown });
}
