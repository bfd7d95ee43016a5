/** The built CLI: validate's exit codes and messages, deploy --dry-run, context refusal. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { FakeApiServer } from '../fixtures/kubernetes/fake-api-server.js';

const root = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'peakready-cli-k8s-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, env: { ...process.env, ...env }, maxBuffer: 8 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('peakready validate', () => {
  it('passes deploy/ and chaos/ with exit 0, listing what it checked', async () => {
    const r = await cli(['validate', 'deploy/', 'chaos/']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok  deploy/overlays/kind (32 objects)');
    expect(r.stdout).toContain('ok  deploy/overlays/gke (25 objects)');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ok  chaos/'))).toHaveLength(11);
  });

  it('exits 2 naming file, object and path for a wrong field', async () => {
    const file = join(tmp, 'svc.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: gateway}\nspec:\n  ports: [{port: 8080, targetPrt: http}]\n');
    const r = await cli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: Service/gateway: spec.ports[0].targetPrt: unknown field`);
  });

  it('exits 3 instead of passing when the Kubernetes schemas are unavailable', async () => {
    const r = await cli(['validate', 'deploy/'], { PEAKREADY_K8S_OPENAPI_DIR: tmp });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/holds no \*_openapi\.json files/);
  });
});

describe('peakready deploy', () => {
  it('--dry-run prints the rendered gke overlay for the chosen namespace without a cluster', async () => {
    const r = await cli(['deploy', '--overlay', 'gke', '--namespace', 'holiday', '--dry-run']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } });
    expect(docs).toHaveLength(25);
    expect(docs.every((d) => d.metadata.namespace === 'holiday')).toBe(true);
  });

  it('refuses to touch a cluster without --context, and rejects unknown overlays', async () => {
    const noContext = await cli(['deploy', '--overlay', 'kind'], { KUBECONFIG: join(tmp, 'none') });
    expect(noContext.code).toBe(2);
    expect(noContext.stderr).toMatch(/--context: required/);
    const bad = await cli(['deploy', '--overlay', 'eks', '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--overlay eks: expected one of kind, gke or a folder holding a kustomization.yaml/);
  });
});

describe('peakready deploy and teardown against an API server', () => {
  const server = new FakeApiServer({ autoReady: true });
  let kubeconfig = '';
  beforeAll(async () => {
    await server.start();
    kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: server.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'tester', user: { token: 'not-a-secret' } }],
      contexts: [{ name: 'kind-peakready', context: { cluster: 'fake', user: 'tester' } }],
      'current-context': 'kind-peakready',
    }));
    server.put({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'left-over', namespace: 'peakready', labels: { 'peakready.io/run-id': 'crashed' } }, spec: {} });
  });
  afterAll(() => server.stop());

  it('deploy applies the kind overlay and waits until ready; teardown deletes it and sweeps chaos', async () => {
    const deployed = await cli(['deploy', '--overlay', 'kind', '--context', 'kind-peakready', '--ready-timeout', '20s'], { KUBECONFIG: kubeconfig });
    expect(deployed.stderr).toContain('applied 32 objects to peakready (context kind-peakready)');
    expect(deployed.stderr).toContain('all workloads ready');
    expect(deployed.code).toBe(0);
    expect(server.list('Deployment', 'peakready').map((d) => d.metadata.name).sort()).toEqual(['fallback', 'gateway', 'generative', 'prometheus', 'redis', 'triton']);
    const down = await cli(['teardown', '--overlay', 'kind', '--context', 'kind-peakready'], { KUBECONFIG: kubeconfig });
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('deleted PodChaos/left-over in peakready');
    expect(down.stderr).toContain('teardown done: 32 stack objects, 1 chaos/load objects deleted');
    expect(server.list('Deployment')).toEqual([]);
    expect(server.list('Namespace')).toEqual([]);
  });
});
