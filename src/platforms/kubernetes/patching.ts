/**
 * The two patch formats the kustomize renderer supports: strategic merge (maps merge,
 * lists of objects merge by the Kubernetes merge key of their field, other lists are
 * replaced, `$patch: delete` removes a list item) and JSON6902 (add, remove, replace, test).
 */
import { invalidInput } from '../../contract/errors.js';

/** Merge keys of the list fields deploy/ patches (from the Kubernetes API's patchMergeKey). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'name',
  imagePullSecrets: 'name',
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns `base` with `patch` merged in strategically; neither input is modified. */
export function strategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (isMap(base) && isMap(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? strategicMerge(base[k], v, k) : strip(v);
    }
    return out;
  }
  const key = MERGE_KEYS[field];
  if (Array.isArray(base) && Array.isArray(patch) && key) {
    const out = base.map((x) => structuredClone(x));
    for (const item of patch) {
      const k = isMap(item) ? item[key] : undefined;
      const i = out.findIndex((x) => isMap(x) && k !== undefined && x[key] === k);
      if (isMap(item) && item.$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], item, '');
      else out.push(strip(item));
    }
    return out;
  }
  return strip(patch);
}

/** Drops `$patch` directives from a value that is inserted as a whole. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isMap(x) && x.$patch === 'delete')).map(strip);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '$patch').map(([k, x]) => [k, strip(x)]));
  return v;
}

/** One RFC 6902 operation (the subset kustomize overlays use). */
export interface JsonPatchOp {
  readonly op: 'add' | 'remove' | 'replace' | 'test';
  readonly path: string;
  readonly value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`path "${path}" must start with /`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Applies JSON6902 operations to a copy of `doc`; `where` names the patch in errors. */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOp[], where: string): unknown {
  const root = { doc: structuredClone(doc) as Json };
  ops.forEach((op, n) => {
    try {
      const parts = ['doc', ...pointer(op.path)];
      const last = parts.pop()!;
      let parent: any = root;
      for (const p of parts) {
        parent = Array.isArray(parent) ? parent[Number(p)] : parent?.[p];
        if (parent === undefined || parent === null) throw new Error(`path ${op.path} does not exist`);
      }
      const exists = Array.isArray(parent) ? last === '-' || Number(last) < parent.length : last in parent;
      if (op.op !== 'add' && !exists) throw new Error(`path ${op.path} does not exist`);
      if (op.op === 'test') {
        if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}: expected ${JSON.stringify(op.value)}, got ${JSON.stringify(parent[last])}`);
      } else if (op.op === 'remove') {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
      } else if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last);
        if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
        else parent[i] = structuredClone(op.value);
      } else parent[last] = structuredClone(op.value);
    } catch (err) {
      throw invalidInput(`${where}: JSON patch operation ${n} (${op.op} ${op.path}) failed: ${(err as Error).message}`);
    }
  });
  return root.doc;
}
