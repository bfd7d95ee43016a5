/**
 * A stack as data: the services a team ships, described in a typed file
 * (`export default defineStack({...})`), so a readiness run can start, fault and judge them
 * instead of the reference stack. `peakready run scenario.ts --stack stacks/mine.ts`, or a
 * scenario's `stack.definition`.
 *
 * On the local platform every service runs as real processes from its `command`, behind
 * the harness's own proxy (where latency, errors, resets and partitions act); `{{name.url}}`
 * in a command or environment value is the proxy address of service `name`, `{{redis.url}}`
 * the cache's. The harness's Prometheus scrapes each replica's metrics path. Answers are
 * classified (fallback, cache hit, version) by headers or a JSON field of the body.
 *
 * On Kubernetes (`--platform kubernetes`) the stack is the team's own, deployed by its own
 * manifests into the run's namespace: each service says where it lives (`kubernetes`: its
 * workload, the labels of its pods, the Service in front of it), the stack says which
 * Prometheus scrapes it. peakready deploys and deletes nothing of it; it waits until every
 * workload is ready, sends the traffic to the entry's Service, injects Chaos Mesh faults
 * into the pods those labels select, and reads replicas and restarts from the workloads.
 */
import { z } from 'zod';
import { invalidInput } from '../contract/errors.js';
import { tryParseDuration } from './duration.js';

/** Where a classification is read: a response header, or a top-level field of a JSON answer. */
export type AnswerField = { readonly header: string } | { readonly json: string };

/** One answer as a classifier function sees it: status, headers (lower-case names) and the body (parsed when JSON). */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, the text of any other body, or undefined when it was larger than 256 KiB. */
  readonly body: unknown;
}

/** What a classifier function says about an answer; a field left out counts as not said. */
export interface AnswerClass {
  /** "fallback" when the fallback answered (it counts in fallback share), any other name otherwise. */
  readonly modelType?: string;
  readonly cache?: 'hit' | 'miss';
  readonly version?: string;
}

/**
 * How answers are classified for fallback share, cache hit ratio and version share: where to
 * read each (headers or JSON fields), or a function of the whole answer. A function runs in
 * the process that sends the traffic, so it needs the scenario file (`peakready run`, or
 * `peakready load <scenario>`), not a JSON description of it.
 */
export type AnswerClassifier = AnswerFields | ((answer: Answer) => AnswerClass | undefined);

/** A classifier as data: where each classification is read. */
export interface AnswerFields {
  /** The model that answered; an answer whose value equals `fallbackValue` counts as a fallback. */
  readonly modelType?: AnswerField;
  /** The value of `modelType` that means "the fallback answered". Default "fallback". */
  readonly fallbackValue?: string;
  /** Cache hit or miss: "hit"/"miss" (any case) or a JSON boolean (true = hit). */
  readonly cache?: AnswerField;
  /** The model version that answered. */
  readonly version?: AnswerField;
}

/** The reference stack's classifier: its gateway's headers. */
export const REFERENCE_CLASSIFIER: AnswerFields = { modelType: { header: 'x-model-type' }, cache: { header: 'x-cache' }, version: { header: 'x-model-version' } };

/** Where a service (or the stack's Redis) lives on Kubernetes, in the run's namespace. */
export interface StackKubernetesWorkload {
  /** The workload that runs it. Default a Deployment named like the service. */
  readonly workload?: { readonly kind?: 'Deployment' | 'StatefulSet' | 'Rollout'; readonly name: string };
  /** The labels of its pods (an equality selector): faults act on these pods, restarts are counted on them. */
  readonly selector: Readonly<Record<string, string>>;
  /** The Service in front of it: where the entry service gets the traffic. */
  readonly service?: { readonly name: string; readonly port: number };
  /** The container a version's image and environment are set on (`rollout.versions`). Default the pod's first. */
  readonly container?: string;
}

/** One service of a stack: how the local platform runs it, and where it lives on Kubernetes. */
export interface StackServiceDefinition {
  /**
   * The command line; the first element is the program. `{{svc.url}}` and `{{redis.url}}` are
   * filled in. Needed on the local platform; a stack that only runs on Kubernetes leaves it out.
   */
  readonly command?: readonly string[];
  /** Working folder, relative to the stack file. Default the stack file's folder. */
  readonly cwd?: string;
  /** How the service is told its port: a flag (`--port`, or `--bind` with `127.0.0.1:{{port}}`) or an environment variable. Needed locally. */
  readonly port?: { readonly flag: string; readonly value?: string } | { readonly env: string };
  readonly env?: Readonly<Record<string, string>>;
  /** HTTP path answering 2xx once the service is ready (its readiness probe). Needed locally, and for the entry service everywhere. */
  readonly ready?: string;
  /** Path the harness's Prometheus scrapes; false when the service exposes none. Default "/metrics". */
  readonly metrics?: string | false;
  /** Replicas started locally. Default 1. */
  readonly replicas?: number;
  /** How long a replica may take to become ready. Default "30s". */
  readonly startTimeout?: string;
  /**
   * A local HorizontalPodAutoscaler for the service (Kubernetes' HPA v2 algorithm and default
   * behaviour), on CPU utilisation and/or a metric of its own. `--disable autoscaler` turns it off.
   */
  readonly autoscaling?: StackAutoscaling;
  /** The versions the service can run, for canary rollouts (`events: [{ kind: 'deploy', service, version }]`). */
  readonly rollout?: StackRollout;
  /** Where it lives on Kubernetes (needed there for every service). */
  readonly kubernetes?: StackKubernetesWorkload;
}

/**
 * Versions of a service and how a canary of one is judged, with Argo Rollouts' semantics
 * locally: canary replicas take the scenario's `stack.rollout.steps` of the traffic, each
 * analysis metric is measured every `analysisInterval`, and a failed analysis aborts the
 * rollout (canary weight 0, canary replicas gone). `--disable analysis` rolls out unchecked.
 */
export interface StackRollout {
  /**
   * Each version as what makes a replica run it: environment variables or arguments locally;
   * on Kubernetes an image and/or environment variables, which a deploy sets on the pod
   * template of the service's workload (a Rollout's canary, or a Deployment's rolling update).
   */
  readonly versions: Readonly<Record<string, { readonly env?: Readonly<Record<string, string>>; readonly args?: readonly string[]; readonly image?: string }>>;
  /** The version running before any deploy. Default the first of `versions`. */
  readonly stable?: string;
  /**
   * The AnalysisTemplate's metrics: PromQL with `{{service}}` and `{{version}}` filled in (every
   * scraped series carries the labels `service` and `version` of its replica), and an Argo
   * condition on the result (default "result == true": a comparison such as `... > 0.9` holds).
   */
  readonly analysis?: readonly { readonly name: string; readonly query: string; readonly successCondition?: string; readonly failureLimit?: number; readonly count?: number }[];
}
/** The HPA of one service: replicas between `min` and `max`, scaled on the metrics given. */
export interface StackAutoscaling {
  readonly min: number;
  readonly max: number;
  /** Target CPU utilisation in percent of `cpuRequest` (process_cpu_seconds_total, which Prometheus client libraries export). */
  readonly targetCpu?: number;
  /** The CPU request the utilisation is measured against, in cores. Default 0.5. */
  readonly cpuRequest?: number;
  /**
   * A metric of the service's own: PromQL giving the average per replica, `{{service}}` standing
   * for the service name (the `service` label of every scraped series), and its target value.
   */
  readonly metric?: { readonly name?: string; readonly query: string; readonly target: number };
}

/** How `--disable <mechanism>` switches one of the stack's mechanisms off. */
export interface StackSwitch {
  /** The service whose configuration changes. */
  readonly service: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Arguments appended to the service's command. */
  readonly args?: readonly string[];
}

export interface StackDefinition {
  readonly name: string;
  readonly description?: string;
  readonly services: Readonly<Record<string, StackServiceDefinition>>;
  /** The service that receives the scenario's traffic. */
  readonly entry: string;
  /** A Redis the stack uses (as its prediction cache): started by the harness, reachable at `{{redis.url}}`, fault target "redis". */
  readonly redis?: boolean;
  /** How answers are classified (fallback share, cache hits, version share). */
  readonly classify?: AnswerClassifier;
  /** The stack's mechanisms that `--disable` can switch off, by name (fallback, cache, …). */
  readonly switches?: Readonly<Record<string, StackSwitch>>;
  /**
   * The stack's circuit breakers, by name (`slo.breaker(name)`, the report's breaker chart):
   * each read from the stack's Prometheus.
   */
  readonly breakers?: Readonly<Record<string, StackBreaker>>;
  /** The stack on Kubernetes: the Prometheus that scrapes its pods, and where its Redis lives. */
  readonly kubernetes?: StackKubernetes;
}

/**
 * How one circuit breaker's state is read: PromQL whose value is the state in the encoding of
 * the reference gateway's `gateway_circuit_breaker_state` (0 closed, 1 half-open, 2 open);
 * where it returns several series the worst (highest) counts. For example Resilience4j's
 * `2 * max(resilience4j_circuitbreaker_state{name="model",state="open"}) + max(resilience4j_circuitbreaker_state{name="model",state="half_open"})`.
 */
export interface StackBreaker {
  readonly query: string;
}

export interface StackKubernetes {
  /**
   * The base URL of a Prometheus that scrapes the stack's pods, as the harness reaches it
   * (e.g. http://prometheus.monitoring.svc:9090); `--prometheus-url` overrides it.
   */
  readonly prometheus?: string;
  /** The stack's Redis (with `redis: true`): fault target "redis" acts on these pods. */
  readonly redis?: StackKubernetesWorkload;
}

/** A stack definition and where it came from. */
export interface LoadedStack {
  readonly definition: StackDefinition;
  /** The folder its services' `cwd` is relative to (the stack file's, or the scenario's for an inline definition). */
  readonly dir: string;
  /** The file, as shown in messages. */
  readonly shown: string;
}

/**
 * Declares a stack. A typed identity, like `defineScenario`: it gives editors the type of a
 * stack file's default export; validation happens when the file is loaded.
 */
export function defineStack<const S extends StackDefinition>(stack: S): S {
  return stack;
}

const NAME = /^[a-z][a-z0-9-]{0,40}$/;
// One Argo condition clause on `result` (platforms/local/analysis.ts evaluates them), joined by && and ||.
const CLAUSE = String.raw`!?\s*result(?:\[\d+\])?(?:\s*(?:==|!=|>=|<=|>|<)\s*(?:true|false|-?[\d.]+(?:e[-+]?\d+)?))?`;
const CONDITION = new RegExp(String.raw`^\s*${CLAUSE}(?:\s*(?:&&|\|\|)\s*${CLAUSE})*\s*$`, 'i');
const TEMPLATE = /\{\{\s*([a-z][a-z0-9-]*)\.url\s*\}\}|\{\{\s*port\s*\}\}/g;
const path = z.string().regex(/^\//, 'expected an HTTP path starting with "/"');
const field = z.union([z.strictObject({ header: z.string().min(1) }), z.strictObject({ json: z.string().min(1) })], {
  error: 'expected { header: "x-name" } or { json: "field" }',
});
const answerFields = z.strictObject({ modelType: field.optional(), fallbackValue: z.string().min(1).optional(), cache: field.optional(), version: field.optional() });
const classifier = z.union(
  [
    answerFields,
    z.custom<(answer: Answer) => AnswerClass | undefined>((v) => typeof v === 'function'),
  ],
  { error: 'expected { modelType?, fallbackValue?, cache?, version? } (each { header } or { json }), or a function (answer) => ({ modelType?, cache?, version? })' },
);
const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'expected a label key like "app.kubernetes.io/name"');
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'expected a label value (letters, digits, "-", "_", ".")').max(63, 'expected a label value of at most 63 characters');
const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Kubernetes object name like "model-server"');
const workload = z.strictObject({
  workload: z.strictObject({ kind: z.enum(['Deployment', 'StatefulSet', 'Rollout'], { error: 'expected Deployment, StatefulSet or Rollout' }).optional(), name: k8sName }).optional(),
  selector: z.record(labelKey, labelValue).refine((v) => Object.keys(v).length > 0, 'expected the labels of its pods, like { "app.kubernetes.io/name": "api" }'),
  service: z.strictObject({ name: k8sName, port: z.int({ error: 'expected a port 1..65535' }).min(1, 'expected a port 1..65535').max(65535, 'expected a port 1..65535') }).optional(),
  container: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a container name like "model-server"').optional(),
});
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string());
const service = z.strictObject({
  command: z.array(z.string().min(1), { error: 'expected the command line as an array, program first, like ["gunicorn", "app:app"]' }).min(1, 'expected the command line as an array, program first, like ["gunicorn", "app:app"]').optional(),
  cwd: z.string().min(1).optional(),
  port: z.union([z.strictObject({ flag: z.string().regex(/^-/, 'expected a flag like "--port"'), value: z.string().includes('{{port}}', { error: 'expected a value containing {{port}}' }).optional() }), z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) })], {
    error: 'expected { flag: "--port" } or { env: "PORT" }',
  }).optional(),
  env: env.optional(),
  ready: path.optional(),
  metrics: z.union([path, z.literal(false)]).optional(),
  replicas: z.int({ error: 'expected an integer 1..20' }).min(1, 'expected an integer 1..20').max(20, 'expected an integer 1..20').optional(),
  startTimeout: z.string().refine((v) => (tryParseDuration(v) ?? 0) > 0, 'expected a duration like "30s"').optional(),
  autoscaling: z
    .strictObject({
      min: z.int({ error: 'expected an integer 1..20' }).min(1, 'expected an integer 1..20').max(20, 'expected an integer 1..20'),
      max: z.int({ error: 'expected an integer 1..20' }).min(1, 'expected an integer 1..20').max(20, 'expected an integer 1..20'),
      targetCpu: z.number({ error: 'expected a percent in (0, 100]' }).gt(0, 'expected a percent in (0, 100]').lte(100, 'expected a percent in (0, 100]').optional(),
      cpuRequest: z.number({ error: 'expected cores > 0, like 0.5' }).gt(0, 'expected cores > 0, like 0.5').optional(),
      metric: z.strictObject({ name: z.string().min(1).optional(), query: z.string().min(1, 'expected a PromQL query'), target: z.number({ error: 'expected a number > 0' }).gt(0, 'expected a number > 0') }).optional(),
    })
    .optional(),
  rollout: z
    .strictObject({
      versions: z
        .record(
          z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/, 'expected a version name like "v2" or "v2-bad"'),
          z.strictObject({ env: env.optional(), args: z.array(z.string()).optional(), image: z.string().regex(/^[^\s]+$/, 'expected an image reference like "registry.example/model:2.1"').optional() }),
        )
        .refine((v) => Object.keys(v).length > 0, 'expected at least one version'),
      stable: z.string().optional(),
      analysis: z
        .array(
          z.strictObject({
            name: z.string().regex(NAME, 'expected a lower-case name like "accuracy"'),
            query: z.string().min(1, 'expected a PromQL query'),
            successCondition: z.string().regex(CONDITION, 'expected an Argo condition on result, like "result == true" or "result[0] < 100"').optional(),
            failureLimit: z.int({ error: 'expected an integer >= 0' }).min(0, 'expected an integer >= 0').optional(),
            count: z.int({ error: 'expected an integer >= 0' }).min(0, 'expected an integer >= 0').optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  kubernetes: workload.optional(),
});
const definition = z.strictObject({
  name: z.string().regex(NAME, 'expected a lower-case name like "my-stack"'),
  description: z.string().optional(),
  services: z.record(z.string().regex(NAME, 'expected a lower-case service name like "model-server"'), service).refine((s) => Object.keys(s).length > 0, 'expected at least one service'),
  entry: z.string(),
  redis: z.boolean().optional(),
  classify: classifier.optional(),
  switches: z.record(z.string().regex(NAME), z.strictObject({ service: z.string(), env: env.optional(), args: z.array(z.string()).optional() })).optional(),
  breakers: z.record(z.string().regex(NAME, 'expected a lower-case breaker name like "model-server"'), z.strictObject({ query: z.string().min(1, 'expected a PromQL query whose value is the state (0 closed, 1 half-open, 2 open)') })).optional(),
  kubernetes: z.strictObject({ prometheus: z.string().regex(/^https?:\/\/[^/]+/, 'expected an http(s) URL like http://prometheus.monitoring.svc:9090').optional(), redis: workload.optional() }).optional(),
});

/** Every problem of a stack definition, each as `<file>: <field>: <what was expected>`. */
export function stackDefinitionProblems(value: unknown, file: string): string[] {
  const parsed = definition.safeParse(value);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => {
      const at = i.path.map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k > 0 ? '.' : ''}${String(p)}`)).join('') || '(the default export)';
      const keys = (i as { keys?: string[] }).keys;
      // A bad record key (a service, breaker or switch name): the key's own check says what was expected.
      const message = i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message;
      return `${file}: ${at}${keys?.length ? `.${keys[0]}` : ''}: ${keys?.length ? 'unknown field' : message}`;
    });
  }
  const s = parsed.data;
  const out: string[] = [];
  const names = Object.keys(s.services);
  const known = new Set([...names, ...(s.redis ? ['redis'] : [])]);
  if (s.services.redis) out.push(`${file}: services.redis: "redis" is the harness's own cache service (redis: true); name the service differently`);
  if (!names.includes(s.entry)) out.push(`${file}: entry: expected one of the stack's services (${names.join(', ')}), got ${JSON.stringify(s.entry)}`);
  const templates = (where: string, text: string) => {
    for (const m of text.matchAll(TEMPLATE)) {
      if (m[1] !== undefined && !known.has(m[1])) out.push(`${file}: ${where}: {{${m[1]}.url}} names no service of the stack (it has ${[...known].join(', ')})`);
    }
  };
  for (const [name, svc] of Object.entries(s.services)) {
    const a = svc.autoscaling;
    if (a && a.max < a.min) out.push(`${file}: services.${name}.autoscaling.max: expected an integer >= min (${a.min}), got ${a.max}`);
    if (a && a.targetCpu === undefined && a.metric === undefined) out.push(`${file}: services.${name}.autoscaling: expected targetCpu or metric (what to scale on)`);
    const r = svc.rollout;
    if (r?.stable !== undefined && !(r.stable in r.versions)) out.push(`${file}: services.${name}.rollout.stable: expected one of its versions (${Object.keys(r.versions).join(', ')}), got ${JSON.stringify(r.stable)}`);
    svc.command?.forEach((a, i) => templates(`services.${name}.command[${i}]`, a));
    for (const [k, v] of Object.entries(svc.env ?? {})) templates(`services.${name}.env.${k}`, v);
  }
  if (s.kubernetes?.redis && !s.redis) out.push(`${file}: kubernetes.redis: the stack has no Redis (redis: true) for it to describe`);
  for (const [mech, sw] of Object.entries(s.switches ?? {})) {
    if (!names.includes(sw.service)) out.push(`${file}: switches.${mech}.service: expected one of the stack's services (${names.join(', ')}), got ${JSON.stringify(sw.service)}`);
    if (!sw.env && !sw.args) out.push(`${file}: switches.${mech}: expected env or args that switch ${mech} off`);
  }
  return out;
}

/**
 * What a valid definition lacks to run on `platform`, each as `<file>: <field>: <what was
 * expected>`: locally every service's command, port and ready path; on Kubernetes every
 * service's (and the Redis') workload labels, the entry's Service and ready path, and a
 * Prometheus (unless `--prometheus-url` names one). A stack's autoscaling and switches are
 * the local platform's and are not read on Kubernetes, where the team's own HPA acts and
 * peakready reconfigures nothing (the run refuses `--disable` there). Versions are read on
 * both: locally each is environment or arguments, on Kubernetes an image or environment that
 * a deploy sets on the workload's pod template, for the team's own rollout controller.
 */
export function stackPlatformProblems(def: StackDefinition, platform: 'local' | 'kubernetes', file: string, opts: { prometheusUrl?: string } = {}): string[] {
  const out: string[] = [];
  const entries = Object.entries(def.services);
  if (platform === 'local') {
    for (const [name, svc] of entries) {
      for (const field of ['command', 'port', 'ready'] as const) {
        if (svc[field] === undefined) out.push(`${file}: services.${name}.${field}: required on the local platform (${LOCAL_FIELD[field]})`);
      }
      for (const [v, spec] of Object.entries(svc.rollout?.versions ?? {})) {
        if (!spec.env && !spec.args) out.push(`${file}: services.${name}.rollout.versions.${v}: expected env or args on the local platform (what makes a process run it; an image is for Kubernetes)`);
      }
    }
    return out;
  }
  for (const [name, svc] of entries) {
    if (!svc.kubernetes) out.push(`${file}: services.${name}.kubernetes: required on the kubernetes platform (its workload, the labels of its pods, its Service)`);
    for (const [v, spec] of Object.entries(svc.rollout?.versions ?? {})) {
      if (!spec.env && !spec.image) out.push(`${file}: services.${name}.rollout.versions.${v}: expected image or env on the kubernetes platform (set on the pod template of its workload; args are the local platform's)`);
    }
    if (svc.rollout && svc.kubernetes?.workload?.kind === 'StatefulSet') out.push(`${file}: services.${name}.kubernetes.workload.kind: versions roll out through a Rollout or a Deployment, got StatefulSet`);
  }
  const entry = def.services[def.entry];
  if (entry?.kubernetes && !entry.kubernetes.service) out.push(`${file}: services.${def.entry}.kubernetes.service: required for the entry service (the Service that receives the traffic), like { name: "api", port: 8080 }`);
  if (entry && entry.ready === undefined) out.push(`${file}: services.${def.entry}.ready: required for the entry service (the harness checks it through the Service before the traffic starts)`);
  if (def.redis && !def.kubernetes?.redis) out.push(`${file}: kubernetes.redis: required on the kubernetes platform with redis: true (the labels of the Redis pods faults act on)`);
  if (!def.kubernetes?.prometheus && !opts.prometheusUrl) out.push(`${file}: kubernetes.prometheus: required on the kubernetes platform (the URL of the Prometheus that scrapes the stack), or give --prometheus-url`);
  return out;
}

const LOCAL_FIELD = { command: 'the command line that starts it', port: 'how it is told its port', ready: 'the HTTP path answering 2xx once it is ready' } as const;

/** Throws INVALID_INPUT listing every problem of a stack definition; returns it typed when there is none. */
export function checkedStackDefinition(value: unknown, file: string): StackDefinition {
  const problems = stackDefinitionProblems(value, file);
  if (problems.length > 0) throw invalidInput(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the stack definition`, problems, 'fix every listed field and run again');
  return value as StackDefinition;
}

/** The mechanisms `--disable` can switch off in a definition: its switches, and "autoscaler" when a service autoscales. */
export function stackMechanisms(def: StackDefinition): string[] {
  const services = Object.values(def.services);
  const own = (m: string, has: boolean) => (has && !def.switches?.[m] ? [m] : []);
  return [...Object.keys(def.switches ?? {}), ...own('autoscaler', services.some((s) => s.autoscaling)), ...own('analysis', services.some((s) => s.rollout?.analysis?.length))];
}

/**
 * A classifier as data (`peakready load --classify '<json>'`, how load runners get a stack
 * file's): the AnswerFields, or every problem, each naming `where` and the field.
 */
export function parseAnswerFields(value: unknown, where: string): AnswerFields | string[] {
  const parsed = answerFields.safeParse(value);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`);
}

/** The versions of each service of a definition that declares any (its rollout's), stable first as written. */
export function stackVersions(def: StackDefinition): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(def.services).flatMap(([n, s]) => (s.rollout ? [[n, Object.keys(s.rollout.versions)]] : [])));
}

/** The version a service of a definition runs before any deploy (its rollout's stable version, else "v1"). */
export function stableVersion(def: StackDefinition, service: string): string {
  const r = def.services[service]?.rollout;
  return r ? (r.stable ?? Object.keys(r.versions)[0]!) : 'v1';
}

/** The PromQL of a definition's breaker `name` (0 closed, 1 half-open, 2 open), undefined when it declares none of that name. */
export function breakerQuery(def: StackDefinition, name: string): string | undefined {
  return Object.hasOwn(def.breakers ?? {}, name) ? def.breakers![name]!.query : undefined;
}

/** A definition's fault targets: its services, and "redis" when it has one. */
export function stackTargets(def: StackDefinition): string[] {
  return [...Object.keys(def.services), ...(def.redis ? ['redis'] : [])];
}

/** Fills `{{svc.url}}`, `{{redis.url}}` and `{{port}}` in one value. */
export function fillTemplate(text: string, urls: Readonly<Record<string, string>>, port?: number): string {
  return text.replace(TEMPLATE, (whole, name: string | undefined) => {
    if (name === undefined) return port === undefined ? whole : String(port);
    return urls[name] ?? whole;
  });
}
