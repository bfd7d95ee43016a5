/**
 * JSON schemas for Kubernetes objects, offline: core kinds from the Kubernetes OpenAPI v3
 * spec files (see openapi-cache.ts), custom resources from the CRDs under
 * deploy/crds (vendored copies, each served version's `openAPIV3Schema`). Both are tightened the way the
 * API server's strict field validation behaves: an object schema that lists properties
 * rejects any other field unless it says `x-kubernetes-preserve-unknown-fields`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

/** The CRD folder: PEAKREADY_CRDS_DIR, else the copies vendored under deploy/crds (three levels above src/ or dist/platforms/kubernetes, in a clone and in the installed package alike). */
export function crdsDir(): string {
  return process.env.PEAKREADY_CRDS_DIR ?? fileURLToPath(new URL('../../../deploy/crds', import.meta.url));
}

/** Rewrites OpenAPI/Kubernetes extensions into plain JSON-schema Ajv understands. */
export function tighten(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tighten);
  if (typeof schema !== 'object' || schema === null) return schema;
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // Descriptions and defaults are big and irrelevant to validity.
    if (k === 'description' || k === 'default' || k === 'example') continue;
    s[k] = k === 'properties' || k === 'patternProperties' ? Object.fromEntries(Object.entries(v as object).map(([p, x]) => [p, tighten(x)])) : tighten(v);
  }
  if (s['x-kubernetes-int-or-string'] === true) {
    delete s.type;
    s.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable === true && typeof s.type === 'string') s.type = [s.type, 'null'];
  delete s.nullable;
  if (s.properties && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) s.additionalProperties = false;
  return s;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Resolves `apiVersion`+`kind` to a compiled validator; null when no schema is known. */
export class SchemaRegistry {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, allowUnionTypes: true });
  private readonly loadedSpecs = new Map<string, Map<string, string>>(); // file → "group/version/kind" → ref
  private readonly crds = new Map<string, unknown>(); // "group/version/kind" → schema
  private readonly compiled = new Map<string, ValidateFunction | null>();
  private objectMeta: ValidateFunction | undefined;

  constructor(private readonly openApiDir: string, crdDir: string) {
    if (existsSync(crdDir)) for (const file of walkYaml(crdDir)) this.addCrdFile(file);
  }

  /** Kinds with a CRD schema, e.g. "chaos-mesh.org/v1alpha1/PodChaos". */
  customKinds(): string[] {
    return [...this.crds.keys()];
  }

  private addCrdFile(file: string): void {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: unknown } }[] } };
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const v of crd.spec.versions) {
        if (v.served === false || !v.schema?.openAPIV3Schema) continue;
        this.crds.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
      }
    }
  }

  /** True when the kind is a custom resource (its metadata is checked separately). */
  isCustom(apiVersion: string, kind: string): boolean {
    const { group, version } = splitApiVersion(apiVersion);
    return this.crds.has(`${group}/${version}/${kind}`);
  }

  /** The validator for a kind, or null when neither the core specs nor the CRDs know it. */
  validator(apiVersion: string, kind: string): ValidateFunction | null {
    const key = `${apiVersion}/${kind}`;
    if (this.compiled.has(key)) return this.compiled.get(key)!;
    const { group, version } = splitApiVersion(apiVersion);
    let fn: ValidateFunction | null = null;
    const crd = this.crds.get(`${group}/${version}/${kind}`);
    if (crd) fn = this.ajv.compile(tighten(crd) as object);
    else {
      const ref = this.coreRef({ group, version, kind });
      if (ref) fn = this.ajv.compile({ $ref: ref });
    }
    this.compiled.set(key, fn);
    return fn;
  }

  /** ObjectMeta's validator (CRD schemas leave metadata open; the API server does not). */
  metadataValidator(): ValidateFunction {
    if (!this.objectMeta) {
      this.loadSpec('api__v1_openapi.json');
      this.objectMeta = this.ajv.compile({ $ref: 'k8s:api__v1_openapi.json#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
    }
    return this.objectMeta;
  }

  private coreRef(gvk: GroupVersionKind): string | null {
    const file = gvk.group === '' ? `api__${gvk.version}_openapi.json` : `apis__${gvk.group}__${gvk.version}_openapi.json`;
    const index = this.loadSpec(file);
    return index?.get(`${gvk.group}/${gvk.version}/${gvk.kind}`) ?? null;
  }

  private loadSpec(file: string): Map<string, string> | null {
    if (this.loadedSpecs.has(file)) return this.loadedSpecs.get(file)!;
    const path = join(this.openApiDir, file);
    if (!existsSync(path)) return null;
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: GroupVersionKind[] }> } };
    const index = new Map<string, string>();
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) index.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, `k8s:${file}#/components/schemas/${name}`);
    }
    this.ajv.addSchema({ $id: `k8s:${file}`, components: tighten(doc.components) as object }, `k8s:${file}`);
    this.loadedSpecs.set(file, index);
    return index;
  }
}

function walkYaml(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walkYaml(p) : /\.ya?ml$/.test(name) ? [p] : [];
  });
}
