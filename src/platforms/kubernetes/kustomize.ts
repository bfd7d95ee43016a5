/**
 * A small kustomize renderer: the subset deploy/ uses, so `deploy --dry-run` and
 * `validate` work without kubectl. Supported kustomization.yaml fields:
 *
 * - `resources`: YAML files, or folders holding a kustomization.yaml (rendered first);
 * - `namespace`: set on every namespaced object (and ServiceAccount subjects of RoleBindings);
 * - `namePrefix`: prepended to every object name (references are NOT rewritten; do not
 *   use it with objects that reference each other);
 * - `labels` (`pairs`, `includeSelectors`, `includeTemplates`) and `commonLabels`
 *   (same as `labels` with both includes on);
 * - `images` (`name`, `newName`, `newTag`, `digest`) for pod templates of any kind;
 * - `patches` (`path` or inline `patch`, optional `target` {kind, name}): a strategic-merge
 *   patch when the patch is an object, a JSON6902 patch when it is a list of operations;
 *   `patchesStrategicMerge` (paths).
 *
 * Anything else in a kustomization.yaml is an error, so an unsupported feature never
 * renders silently wrong.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { invalidInput } from '../../contract/errors.js';
import { asK8sObject, CLUSTER_SCOPED_KINDS, clone, objectRef, parseYamlDocuments, readYamlDocuments, type K8sObject, type SourcedObject } from '../../contract/k8s-objects.js';
import { applyJsonPatch, strategicMerge, type JsonPatchOp } from './patching.js';

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'namePrefix', 'labels', 'commonLabels', 'images', 'patches', 'patchesStrategicMerge']);

interface LabelsEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}
interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}
interface PatchEntry {
  path?: string;
  patch?: string;
  target?: { kind?: string; name?: string };
}
interface Kustomization {
  resources?: string[];
  namespace?: string;
  namePrefix?: string;
  labels?: LabelsEntry[];
  commonLabels?: Record<string, string>;
  images?: ImageEntry[];
  patches?: PatchEntry[];
  patchesStrategicMerge?: string[];
}

/** Kinds whose `spec.template` is a pod template (images and template labels apply). */
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout']);

/** Renders the kustomization in `dir` (a folder with kustomization.yaml). */
export function renderKustomization(dir: string): SourcedObject[] {
  const root = resolve(dir);
  const file = join(root, 'kustomization.yaml');
  if (!existsSync(file)) throw invalidInput(`${root}: no kustomization.yaml`);
  const [doc] = readYamlDocuments(file);
  const k = (doc ?? {}) as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(k).filter((f) => !SUPPORTED.has(f));
  if (unsupported.length > 0) {
    throw invalidInput(`${file}: unsupported kustomization fields`, unsupported.map((f) => `${file}: ${f}: not supported by peakready's renderer (supported: ${[...SUPPORTED].join(', ')})`));
  }

  let objects: SourcedObject[] = [];
  for (const entry of k.resources ?? []) {
    const p = join(root, entry);
    if (!existsSync(p)) throw invalidInput(`${file}: resources: ${entry} does not exist`);
    if (statSync(p).isDirectory()) objects.push(...renderKustomization(p));
    else objects.push(...readYamlDocuments(p).map((v, i) => ({ object: asK8sObject(v, p, i), source: p })));
  }

  const patchList: { patch: unknown; source: string; target?: PatchEntry['target'] }[] = [];
  for (const p of k.patchesStrategicMerge ?? []) patchList.push(...readYamlDocuments(join(root, p)).map((patch) => ({ patch, source: join(root, p) })));
  for (const p of k.patches ?? []) {
    const source = p.path ? join(root, p.path) : `${file} (inline patch)`;
    const docs = p.path ? readYamlDocuments(source) : parseYamlDocuments(p.patch ?? '', source);
    for (const patch of docs) patchList.push({ patch, source, ...(p.target ? { target: p.target } : {}) });
  }
  for (const { patch, source, target } of patchList) objects = applyPatch(objects, patch, source, target);

  for (const { object } of objects) {
    if (k.namePrefix) object.metadata.name = k.namePrefix + object.metadata.name;
    if (k.namespace) setNamespace(object, k.namespace);
    if (k.commonLabels) addLabels(object, { pairs: k.commonLabels, includeSelectors: true, includeTemplates: true });
    for (const l of k.labels ?? []) addLabels(object, l);
    for (const img of k.images ?? []) setImage(object, img);
  }
  return objects;
}

function applyPatch(objects: SourcedObject[], patch: unknown, source: string, target?: PatchEntry['target']): SourcedObject[] {
  if (Array.isArray(patch)) {
    if (!target?.kind || !target.name) throw invalidInput(`${source}: a JSON6902 patch needs target.kind and target.name`);
    const hit = find(objects, target.kind, target.name, source);
    const patched = applyJsonPatch(hit.object, patch as JsonPatchOp[], `${source} → ${objectRef(hit.object)}`);
    return objects.map((o) => (o === hit ? { ...o, object: patched as K8sObject } : o));
  }
  const p = patch as Partial<K8sObject>;
  const kind = target?.kind ?? p.kind;
  const name = target?.name ?? p.metadata?.name;
  if (!kind || !name) throw invalidInput(`${source}: a strategic-merge patch needs kind and metadata.name (or a target)`);
  const hit = find(objects, kind, name, source);
  const patched = strategicMerge(hit.object, patch) as K8sObject;
  return objects.map((o) => (o === hit ? { ...o, object: patched } : o));
}

function find(objects: SourcedObject[], kind: string, name: string, source: string): SourcedObject {
  const hit = objects.find((o) => o.object.kind === kind && o.object.metadata.name === name);
  if (!hit) throw invalidInput(`${source}: patch target ${kind}/${name} is not among the resources`, objects.map((o) => `have ${objectRef(o.object)}`));
  return hit;
}

function setNamespace(o: K8sObject, ns: string): void {
  if (!CLUSTER_SCOPED_KINDS.has(o.kind)) o.metadata.namespace = ns;
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
    for (const s of (o.subjects as { kind: string; namespace?: string }[] | undefined) ?? []) if (s.kind === 'ServiceAccount') s.namespace = ns;
  }
}

function addLabels(o: K8sObject, l: LabelsEntry): void {
  o.metadata.labels = { ...(o.metadata.labels ?? {}), ...l.pairs };
  const spec = o.spec as Record<string, any> | undefined;
  if (!spec) return;
  if (l.includeTemplates && POD_TEMPLATE_KINDS.has(o.kind) && spec.template) {
    spec.template.metadata ??= {};
    spec.template.metadata.labels = { ...(spec.template.metadata.labels ?? {}), ...l.pairs };
  }
  if (l.includeSelectors) {
    if (o.kind === 'Service') spec.selector = { ...(spec.selector ?? {}), ...l.pairs };
    else if (POD_TEMPLATE_KINDS.has(o.kind) && spec.selector) spec.selector.matchLabels = { ...(spec.selector.matchLabels ?? {}), ...l.pairs };
  }
}

function setImage(o: K8sObject, img: ImageEntry): void {
  const podSpec = (o.spec as any)?.template?.spec;
  if (!POD_TEMPLATE_KINDS.has(o.kind) || !podSpec) return;
  for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])] as { image?: string }[]) {
    if (!c.image) continue;
    const at = c.image.indexOf('@');
    const withoutDigest = at >= 0 ? c.image.slice(0, at) : c.image;
    const colon = withoutDigest.lastIndexOf(':');
    const hasTag = colon > withoutDigest.lastIndexOf('/');
    const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
    if (name !== img.name) continue;
    const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
    const newName = img.newName ?? name;
    if (img.digest) c.image = `${newName}@${img.digest}`;
    else c.image = `${newName}${img.newTag ? `:${img.newTag}` : tag ? `:${tag}` : ''}`;
  }
}

/** The overlays shipped in deploy/overlays. */
export const BUILT_IN_OVERLAYS = ['kind', 'gke'] as const;

/**
 * The folder an `--overlay` names: a built-in overlay (deploy/overlays/<name>), or a path to
 * a user's own kustomization folder, e.g. one that builds on deploy/overlays/kind with their
 * registry's image names (anything holding a `/` or starting with `.` is a path).
 */
export function overlayDir(deployDir: string, overlay: string): string {
  const isPath = overlay.includes('/') || overlay.startsWith('.');
  const dir = isPath ? resolve(overlay) : join(deployDir, 'overlays', overlay);
  if (!existsSync(join(dir, 'kustomization.yaml'))) {
    throw invalidInput(`--overlay ${overlay}: expected one of ${BUILT_IN_OVERLAYS.join(', ')} or a folder holding a kustomization.yaml (no ${join(dir, 'kustomization.yaml')})`);
  }
  return dir;
}

/** Renders an overlay (see overlayDir); returns objects without their sources. */
export function renderOverlay(deployDir: string, overlay: string): K8sObject[] {
  return renderKustomization(overlayDir(deployDir, overlay)).map((o) => clone(o.object));
}
