/**
 * Renders the Chaos Mesh templates under chaos/ (one YAML file per fault shape). Values are
 * substituted on the parsed tree, not in the text: a scalar that is exactly "${X}" becomes
 * the value itself (numbers stay numbers), and "${X}" inside a longer string is
 * interpolated. A placeholder with no value is an error, so nothing is applied half-filled.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidInput } from '../../contract/errors.js';
import { asK8sObject, readYamlDocuments, type K8sObject } from '../../contract/k8s-objects.js';

/** Values a template may reference (strings or numbers). */
export type TemplateValues = Readonly<Record<string, string | number>>;

/** The chaos/ folder: PEAKREADY_CHAOS_DIR, else the repository's chaos/ (two levels above src/ or dist/). */
export function chaosDir(): string {
  const override = process.env.PEAKREADY_CHAOS_DIR;
  if (override) return override;
  return fileURLToPath(new URL('../../../chaos/', import.meta.url));
}

const WHOLE = /^\$\{([A-Z_]+)\}$/;
const ANY = /\$\{([A-Z_]+)\}/g;

function substitute(value: unknown, values: TemplateValues, file: string, path: string, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = values[whole[1]!];
      if (v === undefined) missing.add(whole[1]!);
      return v ?? value;
    }
    return value.replace(ANY, (m, name: string) => {
      const v = values[name];
      if (v === undefined) missing.add(name);
      return v === undefined ? m : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, values, file, `${path}[${i}]`, missing));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values, file, path ? `${path}.${k}` : k, missing)]));
  }
  return value;
}

/** Placeholders a template uses, e.g. ["DURATION", "NAMESPACE", ...]. */
export function templatePlaceholders(file: string): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(ANY)) found.add(m[1]!);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  readYamlDocuments(file).forEach(walk);
  return [...found].sort();
}

/** Renders one template file (by path, or by name under chaos/) with `values`. */
export function renderChaosTemplate(nameOrPath: string, values: TemplateValues): K8sObject {
  const file = nameOrPath.includes('/') ? nameOrPath : join(chaosDir(), `${nameOrPath}.yaml`);
  if (!existsSync(file)) throw invalidInput(`chaos template ${file} does not exist`);
  const docs = readYamlDocuments(file);
  if (docs.length !== 1) throw invalidInput(`${file}: expected exactly one chaos object, got ${docs.length}`);
  const missing = new Set<string>();
  const rendered = substitute(docs[0], values, file, '', missing);
  if (missing.size > 0) throw invalidInput(`${file}: no value for ${[...missing].map((m) => '${' + m + '}').join(', ')}`);
  return asK8sObject(rendered, file, 0);
}
