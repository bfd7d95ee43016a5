/**
 * Validates Kubernetes objects offline against their schemas (schema-registry.ts) and
 * reports every problem as `<file>: <Kind>/<name>: <dotted.path>: <what is wrong>`.
 */
import type { ErrorObject } from 'ajv';
import { objectRef, type SourcedObject } from '../../contract/k8s-objects.js';
import type { SchemaRegistry } from './schema-registry.js';

/** "/spec/template/spec/containers/0/name" → "spec.template.spec.containers[0].name". */
export function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function describe(e: ErrorObject): { path: string; message: string } {
  const base = dottedPath(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const field = String((e.params as { additionalProperty: string }).additionalProperty);
    return { path: base ? `${base}.${field}` : field, message: 'unknown field' };
  }
  if (e.keyword === 'required') {
    const field = String((e.params as { missingProperty: string }).missingProperty);
    return { path: base ? `${base}.${field}` : field, message: 'required field is missing' };
  }
  if (e.keyword === 'enum') return { path: base, message: `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}` };
  return { path: base, message: e.message ?? e.keyword };
}

/** Every problem of one object; [] when it is valid. */
export function validateObject(registry: SchemaRegistry, item: SourcedObject): string[] {
  const { object, source } = item;
  const where = `${source}: ${objectRef(object)}`;
  const fn = registry.validator(object.apiVersion, object.kind);
  if (!fn) return [`${where}: apiVersion/kind: no schema for ${object.apiVersion} ${object.kind} (not a Kubernetes core kind, no CRD for it)`];
  const errors: ErrorObject[] = [];
  if (!fn(object)) errors.push(...(fn.errors ?? []));
  if (registry.isCustom(object.apiVersion, object.kind)) {
    const meta = registry.metadataValidator();
    if (!meta(object.metadata)) errors.push(...(meta.errors ?? []).map((e) => ({ ...e, instancePath: `/metadata${e.instancePath}` })));
  }
  // oneOf/anyOf failures repeat the branch errors underneath; the branches say more.
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  const shown = specific.length > 0 ? specific : errors;
  const lines = shown.map((e) => {
    const d = describe(e);
    return `${where}: ${d.path || '(root)'}: ${d.message}`;
  });
  return [...new Set(lines)];
}

/** Every problem of every object, in input order. */
export function validateObjects(registry: SchemaRegistry, items: readonly SourcedObject[]): string[] {
  return items.flatMap((i) => validateObject(registry, i));
}
