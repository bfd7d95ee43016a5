/**
 * The real node of scripts/k8s/node-up.sh, as the suite sees it: what node-up.sh wrote to
 * $NODE_STATE/env, and the images the node runs (imported once by images.global.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Journal } from '../../../src/contract/journal.js';
import type { V1Deployment, V1PodSpec, V1ResourceRequirements, V1Service } from '@kubernetes/client-node';

export const REPO = join(import.meta.dirname, '..', '..', '..');
/** The stack image (deploy/Dockerfile's files, assembled by scripts/k8s/image.sh stack). */
export const STACK_IMAGE = 'peakready.local/stack:test';
/** The flask-stack fixture's image (scripts/k8s/image.sh flask-stack), which its own manifests (test/fixtures/flask-stack/k8s) run. */
export const FLASK_IMAGE = 'peakready.local/flask-stack:test';
/** The overlay that runs deploy/overlays/kind on the real node with these images. */
export const TEST_OVERLAY = join(REPO, 'test/k8s-node/overlay');
export const NODE_LABEL = 'peakready.io/real-node';

/** Pod spec fields that place a pod on the real node, as the stack image's user. */
export const ON_REAL_NODE: Partial<V1PodSpec> = {
  nodeSelector: { [NODE_LABEL]: 'true' },
  tolerations: [{ key: NODE_LABEL, operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
};

export interface RealNode {
  readonly name: string;
  readonly ip: string;
  readonly containerd: string;
  readonly ctr: string;
}

/** The running node; throws (a failure, never a skip) when node-up.sh has not started one. */
export function realNode(): RealNode {
  const state = process.env.PEAKREADY_K8S_NODE_STATE ?? `${process.env.PEAKREADY_K8S_STATE ?? '/tmp/peakready-k8s'}-node`;
  const file = join(state, 'env');
  if (!existsSync(file)) {
    throw new Error(`no real node (${file} missing): start one with scripts/k8s/node-up.sh after up.sh`);
  }
  const env = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) env.set(m[1], m[2]);
  }
  const need = (k: string): string => {
    const v = env.get(k);
    if (!v) throw new Error(`${file} has no ${k}`);
    return v;
  };
  return {
    name: need('PEAKREADY_K8S_NODE'),
    ip: need('PEAKREADY_K8S_NODE_IP'),
    containerd: need('PEAKREADY_K8S_NODE_CONTAINERD'),
    ctr: need('PEAKREADY_K8S_NODE_CTR'),
  };
}

export /** node-up.sh's cluster Prometheus: from the environment (test-k8s.sh sources the node's env) or the node's env file. */
function clusterPrometheus(): string {
  const fromEnv = process.env.PEAKREADY_K8S_CLUSTER_PROMETHEUS;
  if (fromEnv) return fromEnv;
  const state = process.env.PEAKREADY_K8S_NODE_STATE ?? `${process.env.PEAKREADY_K8S_STATE ?? '/tmp/peakready-k8s'}-node`;
  const file = join(state, 'env');
  const line = existsSync(file) ? /^export PEAKREADY_K8S_CLUSTER_PROMETHEUS=(.+)$/m.exec(readFileSync(file, 'utf8')) : null;
  if (!line?.[1]) throw new Error(`no cluster Prometheus: ${file} has no PEAKREADY_K8S_CLUSTER_PROMETHEUS (node-up.sh starts it)`);
  return line[1];
}

const execFileP = promisify(execFile);

/** Runs the built CLI (dist/cli/main.js) with this process's environment (the test cluster's KUBECONFIG). */
export async function peakready(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileP(process.execPath, [join(REPO, 'dist/cli/main.js'), ...args], { env: process.env, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `peakready run ...args --out dir` and the journal it wrote; a run that wrote none fails, with its exit code and stderr. */
export async function runWithJournal(args: string[], dir: string): Promise<{ code: number; stdout: string; stderr: string; journal: Journal }> {
  const r = await peakready(['run', ...args, '--out', dir]);
  try {
    return { ...r, journal: JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8')) as Journal };
  } catch {
    throw new Error(`no journal in ${dir} (exit ${r.code}): ${r.stderr.slice(-3000)}`);
  }
}

/**
 * One stack service as deploy/base runs it (its arguments, port name and probe paths) in the
 * stack image on the real node: a Deployment and its ClusterIP Service, both labelled app=service.
 */
export function stackServiceWorkload(namespace: string, service: string, opts: { replicas?: number; resources?: V1ResourceRequirements } = {}): { deployment: V1Deployment; service: V1Service } {
  const labels = { app: service };
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service, namespace, labels },
      spec: {
        replicas: opts.replicas ?? 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            ...ON_REAL_NODE,
            containers: [
              {
                name: service,
                image: STACK_IMAGE,
                imagePullPolicy: 'Never',
                args: [service, '--host', '0.0.0.0', '--port', '8080'],
                ports: [{ name: 'http', containerPort: 8080 }],
                ...(opts.resources ? { resources: opts.resources } : {}),
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
                startupProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 1, failureThreshold: 60 },
                readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
    },
  };
}
