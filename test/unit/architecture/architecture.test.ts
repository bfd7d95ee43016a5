/**
 * The one-way architecture, enforced (issue 16): src/DEPS.list is the allow list per part,
 * and every import in src/ must follow it. No exceptions are listed anywhere.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRules, checkTree, importsOf, parseRules, partOf, sourceFiles } from './deps-rules.js';

const SRC = resolve('src');
const rules = parseRules(readFileSync(join(SRC, 'DEPS.list'), 'utf8'), 'src/DEPS.list');

describe('src/DEPS.list', () => {
  it('names only real parts and files, and its parts form no cycle', () => {
    expect(checkRules(SRC, rules)).toEqual([]);
  });

  it('every import in src/ goes the way DEPS.list allows, and every file belongs to a part', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(200);
    const violations = checkTree(SRC, rules).map((v) => `src/${v.file}: ${v.message}`);
    expect(violations).toEqual([]);
  });

  it('the stack and the contract import nothing of the harness; report reads the contract only', () => {
    expect(rules.allow.get('stack')).toEqual([]);
    expect(rules.allow.get('contract')).toEqual([]);
    expect(rules.allow.get('report')).toEqual(['contract']);
  });

  it('cli, console and capacity reach the platform implementations only through the factory', () => {
    const offenders = sourceFiles(SRC)
      .filter((f) => /^(cli|console|capacity)\//.test(f))
      .flatMap((f) => importsOf(SRC, f).filter((i) => /^platforms\/(local|kubernetes)\//.test(i.target)).map((i) => `src/${f} imports ${i.target}`));
    expect(offenders).toEqual([]);
  });
});

describe('the checker itself', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tree = (files: Record<string, string>) => {
    const d = mkdtempSync(join(tmpdir(), 'peakready-deps-'));
    dirs.push(d);
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(d, f)), { recursive: true });
      writeFileSync(join(d, f), text);
    }
    return d;
  };
  const small = parseRules('[low]\n[mid]\nlow\n[mid/inner]\nlow\n[high]\nmid\nlow/one.ts\n');

  it('flags an import against the direction, naming the file and both parts', () => {
    const d = tree({
      'low/one.ts': "import { x } from '../mid/a.js';\nexport const one = x;\n",
      'mid/a.ts': "export const x = 1;\nexport async function later() { return import('../high/h.js'); }\n",
      'mid/inner/b.ts': "import type { y } from '../a.js';\nexport type B = typeof y;\n",
      'high/h.ts': "export { one } from '../low/one.js';\nimport '../low/two.js';\nconst w = new URL('../mid/a.js', import.meta.url);\n",
      'low/two.ts': 'export {};\n',
      'stray/s.ts': 'export {};\n',
    });
    const v = checkTree(d, small).map((x) => `${x.file}: ${x.message}`);
    expect(v).toEqual([
      'high/h.ts: [high] imports low/two.ts of [low], which DEPS.list does not allow',
      'low/one.ts: [low] imports mid/a.ts of [mid], which DEPS.list does not allow',
      'mid/a.ts: [mid] imports high/h.ts of [high], which DEPS.list does not allow',
      'mid/inner/b.ts: [mid/inner] imports mid/a.ts of [mid], which DEPS.list does not allow',
      'stray/s.ts: belongs to no part of DEPS.list: add a section for its folder',
    ]);
    expect(partOf(small, 'mid/inner/b.ts')).toBe('mid/inner');
  });

  it('finds a cycle in the rules and an entry that names nothing', () => {
    const d = tree({ 'a/x.ts': 'export {};\n', 'b/y.ts': 'export {};\n' });
    const problems = checkRules(d, parseRules('[a]\nb\n[b]\na\nnowhere\n'));
    expect(problems).toContain('[b] allows "nowhere", which is neither a part nor a file of src/');
    expect(problems.some((p) => p.startsWith('cycle: a → b → a'))).toBe(true);
  });
});

describe('docs/architecture.md', () => {
  it("its table of parts names every part of DEPS.list and, for each, exactly what DEPS.list lets it import", () => {
    const doc = readFileSync(resolve('docs', 'architecture.md'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const line of doc.split('\n')) {
      const cells = line.split(' | ');
      const part = /^\| `([^`]+?)\/?`$/.exec(cells[0]!.trim())?.[1];
      if (!part || cells.length < 3) continue;
      const last = cells[cells.length - 1]!.replace(/\|\s*$/, '');
      rows.set(part, last.trim() === 'nothing' ? [] : [...last.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\/$/, '')));
    }
    expect([...rows.keys()].sort()).toEqual([...rules.allow.keys()].sort());
    for (const [part, allowed] of rules.allow) expect([part, [...rows.get(part)!].sort()]).toEqual([part, [...allowed].sort()]);
  });
});
