/**
 * Where the repository (or installed package) lives, so the platform can start
 * `dist/stack/<service>/main.js` whether the harness runs from src/ (tests) or dist/.
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { referenceEntryFile } from '../../scenario/reference-stack.js';
import { serviceNodeFlags } from '../../stack/node-flags.js';

/** Repository root: this file sits at <root>/{src,dist}/platforms/local/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Entry file of a stack service as built by scripts/build.mjs. */
export function serviceEntry(service: string, root = REPO_ROOT): string {
  return referenceEntryFile(service, root);
}

/** `node` arguments that start a stack service: its runtime flags, then its entry file. */
export function serviceNodeArgs(service: string, root = REPO_ROOT): string[] {
  return [...serviceNodeFlags(service), serviceEntry(service, root)];
}
