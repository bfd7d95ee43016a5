/**
 * Reads a simulator profile (JSON or YAML) and checks its fields, naming the file and the
 * dotted field path in every error: a wrong profile fails at start, never mid-run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, isObject } from './http-kit.js';

/** Path of a profile shipped with the stack (src/stack/profiles, copied to dist/stack/profiles). */
export function bundledProfile(name: string): string {
  return fileURLToPath(new URL(`../profiles/${name}`, import.meta.url));
}

/** Typed access to one profile's fields; every error names the file and the field path. */
export class ProfileReader {
  constructor(readonly file: string, private readonly root: Record<string, unknown>) {}

  static load(file: string): ProfileReader {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`${file}: cannot read profile: ${(err as Error).message}`);
    }
    let data: unknown;
    try {
      data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
    } catch (err) {
      throw new Error(`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
    }
    if (!isObject(data)) throw new Error(`${file}: expected an object at the top level, got ${describe(data)}`);
    return new ProfileReader(file, data);
  }

  private get(path: string): unknown {
    let v: unknown = this.root;
    for (const part of path.split('.')) v = Array.isArray(v) ? v[Number(part)] : isObject(v) ? v[part] : undefined;
    return v;
  }

  private fail(path: string, expected: string, got: unknown): never {
    throw new Error(`${this.file}: ${path}: expected ${expected}, got ${got === undefined ? 'nothing' : describe(got)}`);
  }

  /** A number in [min, max]; `fallback` when absent (required when no fallback). */
  number(path: string, opts: { min?: number; max?: number; int?: boolean; fallback?: number } = {}): number {
    const v = this.get(path);
    if (v === undefined && opts.fallback !== undefined) return opts.fallback;
    const min = opts.min ?? -Infinity;
    const max = opts.max ?? Infinity;
    const what = `${opts.int ? 'an integer' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}`;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (opts.int && !Number.isInteger(v))) this.fail(path, what, v);
    return v;
  }

  string(path: string, fallback?: string): string {
    const v = this.get(path);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v === '') this.fail(path, 'a non-empty string', v);
    return v;
  }

  numberList(path: string, opts: { min?: number; int?: boolean; fallback?: number[] } = {}): number[] {
    const v = this.get(path);
    if (v === undefined && opts.fallback) return opts.fallback;
    if (!Array.isArray(v)) this.fail(path, 'an array of numbers', v);
    return v.map((_x, i) => this.number(`${path}.${i}`, { min: opts.min, int: opts.int }));
  }

  /** The profile must say where its numbers come from. */
  sources(): string[] {
    const v = this.get('sources');
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' || isObject(s))) {
      this.fail('sources', 'a non-empty array citing where the numbers come from', v);
    }
    return v.map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
  }
}
