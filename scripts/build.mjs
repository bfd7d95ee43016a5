// Transpiles src/ to dist/ file by file (no bundling): fast (well under a second) and
// keeps one output file per source file so child processes can start any service entry.
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

// Files are overwritten in place, not removed first: test runs and stacks started from
// dist/ keep working while a rebuild happens. `--clean` starts from an empty dist/.
if (process.argv.includes('--clean')) rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: walk('src').filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')),
  outdir: 'dist',
  outbase: 'src',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// A module whose source is gone (moved or deleted) goes too: a stale dist/x.js would let
// an import of the old path keep working here while a clean clone fails.
for (const out of walk('dist')) {
  const m = /^dist[\\/](.+)\.js(\.map)?$/.exec(out);
  if (m && !existsSync(join('src', `${m[1]}.ts`))) rmSync(out);
}
// Non-TypeScript assets (simulator profiles, trained-model data) travel with the code.
for (const asset of ['stack/profiles', 'report/assets']) {
  if (existsSync(join('src', asset))) cpSync(join('src', asset), join('dist', asset), { recursive: true });
}
