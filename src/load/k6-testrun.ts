/**
 * The k6-operator side of `peakready bundle`: a ConfigMap holding the script and a
 * `TestRun` (k6.io/v1alpha1) that runs it, checked against the operator's CRD schema.
 */
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { environmentError } from '../contract/errors.js';

export interface TestRunOptions {
  readonly scenario: string;
  readonly scriptFile: string;
  readonly script: string;
  readonly namespace?: string;
  readonly parallelism: number;
  readonly baseUrl: string;
  readonly seed: number;
}

/** Kubernetes names: lowercase alphanumerics and dashes, at most 63 characters. */
export function k8sName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 52) || 'scenario';
}

const labels = (scenario: string): Record<string, string> => ({ 'app.kubernetes.io/managed-by': 'peakready', 'peakready.dev/scenario': k8sName(scenario) });

/** The ConfigMap with the script, and the TestRun that references it. */
export function k6Manifests(o: TestRunOptions): { configMap: Record<string, unknown>; testRun: Record<string, unknown> } {
  const name = `peakready-${k8sName(o.scenario)}`;
  const ns = o.namespace ? { namespace: o.namespace } : {};
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-script`, ...ns, labels: labels(o.scenario) },
    data: { [o.scriptFile]: o.script },
  };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name, ...ns, labels: labels(o.scenario) },
    spec: {
      parallelism: o.parallelism,
      script: { configMap: { name: `${name}-script`, file: o.scriptFile } },
      arguments: `--tag peakready_scenario=${k8sName(o.scenario)}`,
      cleanup: 'post',
      runner: {
        env: [
          { name: 'BASE_URL', value: o.baseUrl },
          { name: 'SEED', value: String(o.seed) },
        ],
        metadata: { labels: labels(o.scenario) },
      },
    },
  };
  return { configMap, testRun };
}

/**
 * kubectl's strict field validation rejects unknown fields; JSON Schema allows them unless
 * told otherwise, so every object schema that lists its properties is closed.
 */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' && typeof v === 'object' && v !== null
    ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, closeObjects(pv)]))
    : closeObjects(v);
  if ('properties' in out && !('additionalProperties' in out) && !('x-kubernetes-preserve-unknown-fields' in out)) out.additionalProperties = false;
  return out;
}

/** Every schema problem of `testRun` against the TestRun CRD at `crdPath` (empty when valid). */
export function testRunProblems(testRun: unknown, crdPath: string): string[] {
  let crd: { spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: object } }[] } } | undefined;
  try {
    crd = parseAllDocuments(readFileSync(crdPath, 'utf8')).map((d) => d.toJS() as typeof crd).find((d) => d?.spec?.versions);
  } catch (err) {
    throw environmentError(`cannot read the k6-operator CRD at ${crdPath}`, 'pass --crd FILE with testruns.yaml from the k6-operator release', err);
  }
  const schema = crd?.spec?.versions?.find((v) => v.name === 'v1alpha1')?.schema?.openAPIV3Schema;
  if (!schema) throw environmentError(`${crdPath}: no v1alpha1 openAPIV3Schema in the TestRun CRD`);
  // Kubernetes extensions (x-kubernetes-*) and formats such as int32 are not JSON Schema keywords.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(closeObjects(schema) as object);
  if (validate(testRun)) return [];
  return (validate.errors ?? []).map((e) => `TestRun${e.instancePath.replace(/\//g, '.')}: ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}
