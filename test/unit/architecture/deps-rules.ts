/**
 * Reads src/DEPS.list and checks a source tree's imports against it (issue 16's import
 * rules). Imports are read with TypeScript's own pre-processor: static imports, `export …
 * from`, `import type`, dynamic `import()` and `new URL('./x.js', import.meta.url)`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface Rules {
  /** Part name → what it may import besides itself (part names or single files, relative to src/). */
  readonly allow: ReadonlyMap<string, readonly string[]>;
}

/** Parses a DEPS.list text; throws on an entry that names no part or file, naming the line. */
export function parseRules(text: string, file = 'DEPS.list'): Rules {
  const allow = new Map<string, string[]>();
  let current: string[] | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      if (allow.has(section[1]!)) throw new Error(`${file}:${i + 1}: part [${section[1]}] declared twice`);
      current = [];
      allow.set(section[1]!, current);
      return;
    }
    if (!current) throw new Error(`${file}:${i + 1}: expected a [part] before "${line}"`);
    current.push(line);
  });
  return { allow };
}

/** Every .ts file under `dir`, relative to it, with '/' separators. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** The part a file (relative to src/) belongs to: the longest section that is the file or a folder holding it. */
export function partOf(rules: Rules, file: string): string | undefined {
  let best: string | undefined;
  for (const part of rules.allow.keys()) {
    if (file === part || file.startsWith(`${part}/`)) if (!best || part.length > best.length) best = part;
  }
  return best;
}

/** Relative module specifiers a file uses, each resolved to a path relative to `srcDir`. */
export function importsOf(srcDir: string, file: string): { spec: string; target: string }[] {
  const text = readFileSync(join(srcDir, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const specs = info.importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]+\.m?[jt]s)['"]\s*,\s*import\.meta\.url\s*\)/g)) specs.push(m[1]!);
  return specs
    .filter((s) => s.startsWith('./') || s.startsWith('../'))
    .map((spec) => {
      const abs = resolve(srcDir, dirname(file), spec).replace(/\.js$/, '.ts');
      return { spec, target: relative(srcDir, abs).split(sep).join('/') };
    });
}

export interface Violation {
  readonly file: string;
  readonly message: string;
}

/** Every import in `srcDir` that the rules do not allow, and every file outside any part. */
export function checkTree(srcDir: string, rules: Rules): Violation[] {
  const out: Violation[] = [];
  for (const file of sourceFiles(srcDir)) {
    const from = partOf(rules, file);
    if (!from) {
      out.push({ file, message: `belongs to no part of DEPS.list: add a section for its folder` });
      continue;
    }
    const allowed = rules.allow.get(from)!;
    for (const { spec, target } of importsOf(srcDir, file)) {
      if (target.startsWith('../')) {
        out.push({ file, message: `imports ${spec}, outside src/` });
        continue;
      }
      const to = partOf(rules, target);
      if (to === from) continue;
      if (to === undefined) out.push({ file, message: `imports ${spec} (${target}), which belongs to no part` });
      else if (!allowed.includes(to) && !allowed.includes(target)) out.push({ file, message: `[${from}] imports ${target} of [${to}], which DEPS.list does not allow` });
    }
  }
  return out;
}

/** Entries that name nothing, and cycles between parts (a cycle is two-way traffic). */
export function checkRules(srcDir: string, rules: Rules): string[] {
  const problems: string[] = [];
  const files = new Set(sourceFiles(srcDir));
  for (const [part, list] of rules.allow) {
    const exists = files.has(part) || [...files].some((f) => f.startsWith(`${part}/`));
    if (!exists) problems.push(`[${part}] names no file or folder of src/`);
    for (const e of list) {
      if (e === part) problems.push(`[${part}] lists itself`);
      else if (!rules.allow.has(e) && !files.has(e)) problems.push(`[${part}] allows "${e}", which is neither a part nor a file of src/`);
    }
  }
  // Cycle check on the part graph (file entries count as an edge to the file's part).
  const edges = new Map<string, string[]>();
  for (const [part, list] of rules.allow) edges.set(part, list.map((e) => (rules.allow.has(e) ? e : (partOf(rules, e) ?? e))).filter((e) => e !== part));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (p: string, path: string[]) => {
    if (state.get(p) === 'done') return;
    if (state.get(p) === 'open') {
      problems.push(`cycle: ${[...path.slice(path.indexOf(p)), p].join(' → ')}`);
      return;
    }
    state.set(p, 'open');
    for (const q of edges.get(p) ?? []) visit(q, [...path, p]);
    state.set(p, 'done');
  };
  for (const p of rules.allow.keys()) visit(p, []);
  return problems;
}
