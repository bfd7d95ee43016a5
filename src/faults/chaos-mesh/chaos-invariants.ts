/**
 * The safety rules every Chaos Mesh object peakready applies must keep, checked before
 * applying and by `peakready validate`: a `duration` (or, in a Workflow, a deadline on
 * every step and a duration on every experiment) so faults heal without the harness;
 * the `peakready.io/run-id` label so `clean` can sweep them; selectors limited to the
 * object's own namespace so a fault can never reach another team's pods.
 */
import { objectRef, type K8sObject } from '../../contract/k8s-objects.js';

/** The label every chaos object carries. */
export const RUN_ID_LABEL = 'peakready.io/run-id';

const EMBEDDED = ['podChaos', 'networkChaos', 'httpChaos', 'stressChaos', 'ioChaos', 'timeChaos', 'dnsChaos'] as const;

function checkSpec(spec: Record<string, unknown> | undefined, ns: string | undefined, where: string, out: string[]): void {
  if (!spec) return void out.push(`${where}: spec: required`);
  if (typeof spec.duration !== 'string' || spec.duration === '') out.push(`${where}.duration: required, so the fault heals even if the harness dies`);
  const checkSelector = (sel: unknown, at: string): void => {
    const namespaces = (sel as { namespaces?: unknown } | undefined)?.namespaces;
    if (!Array.isArray(namespaces) || namespaces.length !== 1 || (ns !== undefined && namespaces[0] !== ns)) {
      out.push(`${where}.${at}.namespaces: expected exactly [${JSON.stringify(ns ?? '<namespace>')}], got ${JSON.stringify(namespaces)}`);
    }
  };
  checkSelector(spec.selector, 'selector');
  if (spec.target && typeof spec.target === 'object' && 'selector' in spec.target) checkSelector((spec.target as { selector: unknown }).selector, 'target.selector');
}

/** Every rule `o` breaks, each naming the object and the field; [] when it keeps them all. */
export function chaosInvariantProblems(o: K8sObject, source: string): string[] {
  const out: string[] = [];
  const where = `${source}: ${objectRef(o)}`;
  if (!o.metadata.labels?.[RUN_ID_LABEL]) out.push(`${where}: metadata.labels.${RUN_ID_LABEL}: required (clean sweeps by it)`);
  const ns = o.metadata.namespace;
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === 'Workflow') {
    const templates = (spec?.templates as Record<string, unknown>[] | undefined) ?? [];
    templates.forEach((t, i) => {
      if (typeof t.deadline !== 'string') out.push(`${where}: spec.templates[${i}].deadline: required, so the step ends even if the harness dies`);
      for (const key of EMBEDDED) if (t[key]) checkSpec(t[key] as Record<string, unknown>, ns, `${where}: spec.templates[${i}].${key}`, out);
    });
  } else {
    checkSpec(spec, ns, `${where}: spec`, out);
  }
  return out;
}
