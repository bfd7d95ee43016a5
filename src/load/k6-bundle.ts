/**
 * `peakready bundle`: the scenario's mix as a k6 script. esbuild bundles the scenario file
 * with a small driver (seeded mix picker, request context, drift) into one ES module that
 * imports only k6 modules; anything else the scenario's module graph imports (Node built-ins,
 * npm packages of the harness) is tree-shaken away, and the build fails if it is not.
 */
import { build, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { extname, relative, resolve as resolvePath } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { k6Options, type K6Options, type SkippedSlo } from './k6-options.js';

export interface K6Bundle {
  /** The k6 script (ES module). */
  readonly script: string;
  readonly options: K6Options;
  /** SLOs k6 cannot evaluate (peakready still does). */
  readonly skipped: readonly SkippedSlo[];
}

export interface K6BundleOptions {
  /** Default base URL (the script reads BASE_URL from the environment first). */
  readonly baseUrl: string;
  readonly seed: number;
}

const STUB_NS = 'peakready-k6-unavailable';
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
/** The harness's own library entry (src/ under vitest, dist/ when installed). */
const SELF_INDEX = here(`../index${extname(fileURLToPath(import.meta.url))}`);

/**
 * Imports k6 cannot satisfy become side-effect-free stubs, so unused ones vanish; the
 * harness's own modules are marked side-effect free too, so only what the mix uses stays.
 */
const stubNonK6 = (scenarioPath: string): Plugin => ({
  name: 'k6-only',
  setup(b) {
    b.onResolve({ filter: /^[./]/ }, async (args) => {
      if (args.pluginData === 'k6-only' || args.kind === 'entry-point') return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'k6-only' });
      if (r.errors.length > 0 || r.path === scenarioPath) return r.errors.length > 0 ? { errors: r.errors } : undefined;
      return { path: r.path, sideEffects: false };
    });
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path === 'k6' || args.path.startsWith('k6/')) return { path: args.path, external: true };
      if (args.kind === 'entry-point') return undefined;
      // A scenario in a user's project imports the installed package by name: bundle it like
      // the repository's own relative import, so only the parts the mix uses stay.
      if (args.path === 'peakready') return { path: SELF_INDEX, sideEffects: false };
      return { path: args.path, namespace: STUB_NS, sideEffects: false };
    });
    b.onLoad({ filter: /.*/, namespace: STUB_NS }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
});

function driver(scenarioPath: string, s: ResolvedScenario, options: K6Options, o: K6BundleOptions): string {
  const imp = (p: string): string => JSON.stringify(p.replace(/\\/g, '/'));
  const think = s.traffic.executor === 'vus' ? s.traffic.thinkTimeMs : { min: 0, max: 0 };
  return `
import http from 'k6/http';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { SeededRandom } from ${imp(here('./random.js'))};
import { MixPicker } from ${imp(here('./mix-picker.js'))};
import { driftAt } from ${imp(here('./request-source.js'))};
import scenario from ${imp(scenarioPath)};

export const options = ${JSON.stringify(options, null, 2)};

const BASE_URL = String(__ENV.BASE_URL || ${JSON.stringify(o.baseUrl)}).replace(/\\/+$/, '');
const SEED = Number(__ENV.SEED || ${o.seed});
const DRIFT = ${JSON.stringify(s.drift ?? null)};
const THINK = ${JSON.stringify(think)};
const TIMEOUT = ${JSON.stringify(`${s.traffic.timeoutMs}ms`)};
const names = Object.keys(scenario.mix);
const entries = names.map((n) => scenario.mix[n]);
const picker = new MixPicker(entries.map((e) => e.weight));
let rng;
let iteration = 0;

export default function () {
  // One reproducible stream per VU.
  if (!rng) rng = new SeededRandom((SEED + __VU * 7919) >>> 0);
  const elapsedMs = Date.now() - exec.scenario.startTime;
  const drift = driftAt(DRIFT || undefined, elapsedMs);
  const ctx = {
    rng,
    iteration: iteration++,
    elapsedMs,
    drift,
    features(n) {
      const out = [];
      for (let i = 0; i < n; i++) out.push(rng.next() + drift);
      return out;
    },
  };
  const i = picker.pick(rng);
  const req = entries[i].request(ctx);
  const json = req.body !== undefined && typeof req.body !== 'string';
  const body = req.body === undefined ? null : json ? JSON.stringify(req.body) : req.body;
  const headers = Object.assign(json ? { 'Content-Type': 'application/json' } : {}, req.headers || {});
  http.request(req.method || (body === null ? 'GET' : 'POST'), BASE_URL + req.path, body, { headers, tags: { endpoint: names[i] }, timeout: TIMEOUT });
  if (THINK.max > 0) sleep((THINK.min + rng.next() * (THINK.max - THINK.min)) / 1000);
}
`;
}

/** Bundles a resolved scenario (loaded from `s.file`) into a k6 script. */
export async function bundleK6(s: ResolvedScenario, o: K6BundleOptions): Promise<K6Bundle> {
  if (!s.file) throw invalidInput('bundle: the scenario must come from a file');
  const scenarioPath = resolvePath(s.file);
  const { options, skipped } = k6Options(s);
  const result = await build({
    stdin: { contents: driver(scenarioPath, s, options, o), resolveDir: process.cwd(), sourcefile: 'peakready-k6-driver.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    mainFields: ['module', 'main'],
    plugins: [stubNonK6(scenarioPath)],
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((err: { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }) => {
    if (!err.errors) throw err;
    throw invalidInput(`${s.file}: the scenario does not bundle for k6`, err.errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text)));
  });
  const script = (result.outputFiles[0] as { text: string }).text;
  // esbuild names each module it kept in a comment: a stub still there is still used.
  const leftovers = [...script.matchAll(new RegExp(`// ${STUB_NS}:(\\S+)`, 'g'))].map((m) => m[1] as string);
  if (leftovers.length > 0) {
    throw invalidInput(`${s.file}: the mix uses modules k6 cannot load`, [...new Set(leftovers)].map((m) => `${relative(process.cwd(), scenarioPath)}: imports '${m}' at run time; k6 scripts may import only k6 modules`));
  }
  return { script: `// Generated by peakready bundle from ${s.file}; scenario '${s.name}'.\n${script}`, options, skipped };
}
