/**
 * The scenario file as one ES module for the load runners' ConfigMap. Everything it
 * imports is inlined except peakready itself, which stays the bare import `peakready`:
 * the runner's `peakready load` maps that onto its own running copy, so the scenario and
 * the runner share one set of harness modules (as with a local run).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { invalidInput } from '../../contract/errors.js';

/** A ConfigMap holds at most 1 MiB; leave room for the object around the data. */
const MAX_BUNDLE_BYTES = 900 * 1024;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `peakready`, and the repository's own src/index or dist/index by path, stay external as `peakready`. */
function peakreadyExternal(): Plugin {
  const entries = new Set(['src/index', 'dist/index'].map((p) => join(REPO_ROOT, p)));
  return {
    name: 'peakready-external',
    setup(b) {
      b.onResolve({ filter: /^peakready$/ }, () => ({ path: 'peakready', external: true }));
      b.onResolve({ filter: /(^|\/)index(\.[cm]?[jt]s)?$/ }, (args) => {
        if (!args.path.startsWith('.') && !isAbsolute(args.path)) return undefined;
        const target = resolve(args.resolveDir, args.path).replace(/\.[cm]?[jt]s$/, '');
        return entries.has(target) ? { path: 'peakready', external: true } : undefined;
      });
    },
  };
}

/** Bundles `file` (a scenario .ts or .js) to the text of one ES module. */
export async function bundleScenario(file: string): Promise<string> {
  let text: string;
  try {
    const out = await build({ entryPoints: [resolve(file)], bundle: true, write: false, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent', plugins: [peakreadyExternal()] });
    text = out.outputFiles[0]?.text ?? '';
  } catch (err) {
    const errors = (err as { errors?: { text: string }[] }).errors;
    throw invalidInput(`${file}: cannot bundle the scenario for the load runners`, errors?.map((e) => `${file}: ${e.text}`) ?? [String(err)]);
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_BUNDLE_BYTES) throw invalidInput(`${file}: the bundled scenario is ${Math.round(bytes / 1024)} KiB, expected at most ${MAX_BUNDLE_BYTES / 1024} KiB (it goes into a ConfigMap)`);
  return text;
}
