/**
 * The stack's manifests as a kubelet would use them: every container of the stack image binds
 * all interfaces (a pod is reached on its pod IP, never on its loopback), and every startup,
 * readiness and liveness probe asks a path the service really serves. The services run as real
 * processes with the manifest's own arguments (only host and port moved to loopback here).
 * The base probed `/startup`, which only the gateway served: no model pod would ever have
 * become Ready.
 */
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderKustomization } from '../../src/platforms/kubernetes/kustomize.js';
import { startService, stopAll } from './stack-process.js';

interface Probe {
  readonly httpGet?: { readonly path: string };
}
interface Container {
  readonly name: string;
  readonly image: string;
  readonly args?: string[];
  readonly env?: { name: string; value?: string }[];
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
}

const objects = renderKustomization(resolve('deploy/base')).map((o) => o.object as { kind: string; metadata: { name: string }; spec?: { template?: { spec?: { containers?: Container[] } } } });
// The gateway last: it is ready when its upstreams are, so it gets the ones started before it.
const containers = objects
  .flatMap((o) => (o.spec?.template?.spec?.containers ?? []).filter((c) => c.image.startsWith('peakready/stack')).map((c) => ({ workload: `${o.kind}/${o.metadata.name}`, c })))
  .sort((a, b) => Number(a.c.args?.[0] === 'gateway') - Number(b.c.args?.[0] === 'gateway'));
/** Loopback URL of each service started so far, by its cluster DNS name (the manifests' http://tabular:8080). */
const running = new Map<string, string>();

afterAll(() => stopAll());

describe('deploy/base as a kubelet runs it', () => {
  it('covers every service of the stack image', () => {
    expect(containers.map((x) => x.c.args?.[0]).sort()).toEqual(['fallback', 'gateway', 'generative', 'tabular', 'triton']);
  });

  for (const { workload, c } of containers) {
    const role = c.args?.[0] ?? '?';
    it(`${workload}: binds 0.0.0.0, and its startup, readiness and liveness probes answer 200`, async () => {
      const args = c.args ?? [];
      const hostAt = args.indexOf('--host');
      expect(args[hostAt + 1], 'the pod must listen on its pod IP').toBe('0.0.0.0');
      // The manifest's own flags, with $(VAR) from its env, host and port moved to loopback.
      const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, (e.value ?? '').replace(/^http:\/\/([a-z-]+):\d+$/, (m, host: string) => running.get(host) ?? m)]));
      const rest: string[] = [];
      for (let i = 1; i < args.length; i++) {
        if (args[i] === '--host' || args[i] === '--port') i++;
        else rest.push(args[i]!.replace(/\$\((\w+)\)/g, (_m, v: string) => env[v] ?? ''));
      }
      const svc = await startService(role, ['--host', '127.0.0.1', ...rest], { dispatcher: true, env });
      running.set(role, svc.url);
      const probes = [c.startupProbe, c.readinessProbe, c.livenessProbe].map((p) => p?.httpGet?.path);
      expect(probes.every((p) => typeof p === 'string'), `${workload} has all three probes`).toBe(true);
      for (const path of probes as string[]) {
        // A model loads before it is ready: poll as the kubelet would, for up to 20 s.
        let status = 0;
        for (let i = 0; i < 200 && status !== 200; i++) {
          status = await fetch(`${svc.url}${path}`).then((r) => r.status, () => 0);
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status, `${workload} probe ${path}`).toBe(200);
      }
    }, 60_000);
  }
});
