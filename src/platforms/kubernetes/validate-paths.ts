/**
 * `peakready validate <paths...>` for Kubernetes material: every kustomization found
 * (base and overlays) is rendered and each object checked against its schema; loose YAML
 * files (chaos/ templates) are rendered with sample values when they hold placeholders
 * and checked against their CRD plus the chaos safety rules; scenario .ts files go to
 * the scenario loader.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { invalidInput } from '../../contract/errors.js';
import { chaosInvariantProblems } from '../../faults/chaos-mesh/chaos-invariants.js';
import { renderChaosTemplate } from '../../faults/chaos-mesh/chaos-template.js';
import { templateValues } from '../../faults/chaos-mesh/fault-to-chaos.js';
import { REFERENCE_SERVICES, REFERENCE_STACK } from '../../scenario/reference-stack.js';
import { renderKustomization } from './kustomize.js';
import { asK8sObject, readYamlDocuments, type SourcedObject } from '../../contract/k8s-objects.js';
import { validateObjects } from './manifest-validator.js';
import { ensureOpenApiSpecs } from './openapi-cache.js';
import { SchemaRegistry, crdsDir } from './schema-registry.js';

/** What a validation found. */
export interface ValidationReport {
  /** Files or kustomizations checked, with how many objects each held. */
  readonly checked: readonly { readonly what: string; readonly objects: number }[];
  /** Every problem, each naming the file, the object and the dotted path. */
  readonly problems: readonly string[];
}

export interface ValidateOptions {
  /** Validates a scenario file; given, .ts/.js/.mjs paths go to it. */
  readonly validateScenario?: (file: string) => Promise<void>;
  /** A registry to reuse (loading the schemas takes a second or two). */
  readonly registry?: SchemaRegistry;
}

/** The values templates are checked with: a plausible fault against a model server of the reference stack. */
const SAMPLE = templateValues(
  { id: 'sample', kind: 'latency', target: REFERENCE_SERVICES.find((s) => s !== REFERENCE_STACK.entry)!, atMs: 0, durationMs: 30_000, params: { latency: '300ms', jitter: '50ms', fraction: 0.5 } },
  { runId: 'validate', namespace: 'peakready' },
);

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Validates every path; throws INVALID_INPUT for a path that does not exist. */
export async function validatePaths(paths: readonly string[], opts: ValidateOptions): Promise<ValidationReport> {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) throw invalidInput('nothing to validate at these paths', missing.map((p) => `${p}: no such file or folder`));
  const crdRoot = crdsDir();
  const registry = opts.registry ?? new SchemaRegistry(await ensureOpenApiSpecs(), crdRoot);
  const checked: { what: string; objects: number }[] = [];
  const problems: string[] = [];

  const checkObjects = (what: string, items: SourcedObject[]): void => {
    checked.push({ what, objects: items.length });
    problems.push(...validateObjects(registry, items));
    for (const { object, source } of items) if (object.apiVersion.startsWith('chaos-mesh.org/')) problems.push(...chaosInvariantProblems(object, source));
  };
  const collect = async (file: string): Promise<void> => {
    if (/\.(ts|mts|js|mjs)$/.test(file)) {
      if (!opts.validateScenario) throw invalidInput(`${file}: scenario files need the scenario loader (src/scenario/load.ts)`);
      await opts.validateScenario(file);
      checked.push({ what: file, objects: 0 });
      return;
    }
    if (!/\.ya?ml$/.test(file)) return;
    if (basename(file) === 'kustomization.yaml') return checkObjects(dirname(file), renderKustomization(dirname(file)));
    const text = readFileSync(file, 'utf8');
    const items = text.includes('${')
      ? [{ object: renderChaosTemplate(resolve(file), SAMPLE), source: file }]
      : readYamlDocuments(file).map((v, i) => ({ object: asK8sObject(v, file, i), source: file }));
    checkObjects(file, items);
  };

  for (const p of paths) {
    if (!statSync(p).isDirectory()) {
      await collect(p);
      continue;
    }
    // The vendored CRDs are the schemas themselves, not manifests to check against them.
    const files = walk(p).filter((f) => !resolve(f).startsWith(crdRoot + '/'));
    // Files inside a kustomization tree are its resources and patches: rendered, not read alone.
    const kustomizeRoots = files.filter((f) => basename(f) === 'kustomization.yaml').map(dirname);
    const underKustomize = (f: string): boolean => kustomizeRoots.some((root) => f.startsWith(root + '/'));
    // Only YAML is picked up from folders; scenario files are validated when named explicitly.
    for (const f of files) if (/\.ya?ml$/.test(f) && (basename(f) === 'kustomization.yaml' || !underKustomize(f))) await collect(f);
  }
  return { checked, problems };
}

