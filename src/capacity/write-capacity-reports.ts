/** Writes capacity.json, capacity.md and capacity.html into the output folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCapacityHtml } from './capacity-html.js';
import { renderCapacityMarkdown } from './capacity-markdown.js';
import type { CapacityResult } from './types.js';

/** The three files; returns their paths. */
export function writeCapacityReports(outDir: string, result: CapacityResult): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: [string, string][] = [
    ['capacity.json', `${JSON.stringify(result, null, 2)}\n`],
    ['capacity.md', renderCapacityMarkdown(result)],
    ['capacity.html', renderCapacityHtml(result)],
  ];
  return files.map(([name, text]) => {
    const path = join(outDir, name);
    writeFileSync(path, text);
    return path;
  });
}
