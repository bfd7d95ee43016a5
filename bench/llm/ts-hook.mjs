// Runs the TypeScript files of bench/llm directly, without a build step or tsx (not a
// dependency here; node 20 cannot strip types itself):
//   node --import ./bench/llm/ts-hook.mjs bench/llm/crosscheck.ts
// A module-loader hook that transpiles each .ts file with esbuild (already a dependency, the
// one scripts/build.mjs uses) as node loads it, and maps NodeNext-style `./x.js` imports to
// `./x.ts` when only the .ts exists. Type-checking is tsc's job (`npm run typecheck`).
import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// With --import, this file first runs on the main thread: register itself as the hooks module
// (node then loads it again on its loader thread, where the exports below serve as the hooks).
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && context.parentURL?.endsWith('.ts') && (specifier.startsWith('.') || specifier.startsWith('file:'))) {
    const js = new URL(specifier, context.parentURL);
    if (!existsSync(fileURLToPath(js))) {
      const ts = new URL(js.href.replace(/\.js$/, '.ts'));
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, format: 'module', shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const { transform } = await import('esbuild');
  const file = fileURLToPath(url);
  const { code } = await transform(readFileSync(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: file,
    sourcemap: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
