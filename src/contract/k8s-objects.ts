/**
 * Kubernetes objects as plain data, plus the YAML reading and writing the renderer,
 * validator and platform share. Each object remembers the file it came from so errors
 * can name it.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { invalidInput } from './errors.js';

/** A manifest object. `source` (not sent to the API) is the file it was read from. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [field: string]: unknown;
}

/** An object with the file it came from (for error messages). */
export interface SourcedObject {
  readonly object: K8sObject;
  readonly source: string;
}

/** Kinds that live outside namespaces (the renderer must not set metadata.namespace on them). */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ClusterAnalysisTemplate',
]);

/** "Deployment/gateway", what errors and logs call an object. */
export function objectRef(o: { kind?: unknown; metadata?: { name?: unknown } }): string {
  return `${String(o.kind ?? '?')}/${String(o.metadata?.name ?? '?')}`;
}

/** Reads every YAML document of a file; empty documents are skipped. */
export function readYamlDocuments(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalidInput(`${file}: cannot read (${(err as Error).message})`);
  }
  return parseYamlDocuments(text, file);
}

/** Parses a multi-document YAML string; `file` names it in errors. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw invalidInput(`${file}: invalid YAML`, doc.errors.map((e) => `${file}: ${e.message}`));
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** Checks the minimal shape every object needs (apiVersion, kind, metadata.name). */
export function asK8sObject(value: unknown, file: string, index: number): K8sObject {
  const v = value as Partial<K8sObject> | null;
  const where = `${file}: document ${index + 1}`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidInput(`${where}: expected a Kubernetes object, got ${typeof v}`);
  const problems: string[] = [];
  if (typeof v.apiVersion !== 'string') problems.push(`${where}: apiVersion: expected a string, got ${JSON.stringify(v.apiVersion)}`);
  if (typeof v.kind !== 'string') problems.push(`${where}: kind: expected a string, got ${JSON.stringify(v.kind)}`);
  if (typeof v.metadata?.name !== 'string') problems.push(`${where}: metadata.name: expected a string, got ${JSON.stringify(v.metadata?.name)}`);
  if (problems.length > 0) throw invalidInput(`${file}: not a Kubernetes object`, problems);
  return v as K8sObject;
}

/** Renders objects as one multi-document YAML stream with stable key order. */
export function toYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** Deep copy of plain JSON data. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
