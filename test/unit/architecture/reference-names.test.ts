/**
 * Issue 17: the reference stack is one stack definition (src/scenario/reference-stack.ts),
 * and nothing else in the harness knows its service names. This scans every string the
 * harness's code spells (literals and template text, not comments) for the names of the
 * reference stack's model servers. Only the definition itself and the reference stack's own
 * implementation (src/stack/) may spell them.
 *
 * "gateway" and "fallback" are left out of the scan: they are also words of the harness's
 * own vocabulary (the `--gateway-url` flag and a capacity route mode; the fallback mechanism
 * of `--disable fallback` and the model type an answer reports).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REFERENCE_STACK } from '../../../src/scenario/reference-stack.js';
import { sourceFiles } from './deps-rules.js';

const SRC = resolve('src');
const ALLOWED = (file: string) => file.startsWith('stack/') || file === 'scenario/reference-stack.ts';
const NAMES = Object.keys(REFERENCE_STACK.services).filter((n) => n !== 'gateway' && n !== 'fallback');

/** Every string the code of `text` spells (string literals, template text) that names one of `names` as a word, and every identifier that is one (`{ tabular: 2 }`), with its line. */
function namesSpelled(text: string, names: readonly string[]): { line: number; text: string }[] {
  // A word of its own: not part of a longer name such as tabular-nums or capacity-triton-4x50ms.
  const word = new RegExp(`(?<![\\w-])(${names.join('|')})(?![\\w-])`);
  const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    const spelled = ((ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) && word.test(node.text)) || (ts.isIdentifier(node) && names.includes(node.text));
    if (spelled) {
      found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the reference stack\'s service names', () => {
  it('are the definition\'s model servers (the scan knows what to look for)', () => {
    expect(NAMES).toEqual(['tabular', 'triton', 'generative']);
  });

  it('appear in no module of the harness but the definition and the reference stack itself', () => {
    const files = sourceFiles(SRC).filter((f) => !ALLOWED(f));
    expect(files.length).toBeGreaterThan(200);
    const offenders = files.flatMap((f) => namesSpelled(readFileSync(join(SRC, f), 'utf8'), NAMES).map((h) => `src/${f}:${h.line}: ${JSON.stringify(h.text)}`));
    expect(offenders).toEqual([]);
  });

  it('the scan finds a name in a literal or a template, or as a key, and not in a comment or a longer word', () => {
    const text = [
      "// tabular in a comment",
      "/** triton in a doc comment */",
      "const a = 'tabular';",
      'const b = `--${x}-url ${y} generative`;',
      "const c = 'tabularish';",
      "const d = { tabular: 1 };",
      "const e = 'font-variant-numeric:tabular-nums';",
    ].join('\n');
    expect(namesSpelled(text, NAMES)).toEqual([
      { line: 3, text: 'tabular' },
      { line: 4, text: ' generative' },
      { line: 6, text: 'tabular' },
    ]);
  });
});
