/**
 * A local loopback port that forwards every TCP connection to a pod's port through the
 * API server (what `kubectl port-forward` does), so the harness reaches Prometheus and the
 * gateway of a cluster whose Services are not exposed.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CoreV1Api, PortForward, type KubeConfig } from '@kubernetes/client-node';
import { environmentError } from '../../contract/errors.js';

export interface Forward {
  /** http://127.0.0.1:<local port> */
  readonly url: string;
  close(): Promise<void>;
}

/** Picks a running, ready pod of the service: the pods `labelSelector` selects (default app=<service>). */
export async function pickPod(kc: KubeConfig, namespace: string, service: string, labelSelector = `app=${service}`): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector });
  const ready = pods.items.find((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!ready?.metadata?.name) throw environmentError(`no ready pod of ${service} in ${namespace} to port-forward to`, `kubectl -n ${namespace} get pods -l ${labelSelector}`);
  return ready.metadata.name;
}

/** Forwards 127.0.0.1:<ephemeral> to `pod:port`; one API stream per accepted connection. */
export async function portForward(kc: KubeConfig, namespace: string, pod: string, port: number): Promise<Forward> {
  const pf = new PortForward(kc);
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    pf.portForward(namespace, pod, [port], socket, null, socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: local } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${local}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive clients would hold the server open until their idle timeout.
        for (const s of open) s.destroy();
      }),
  };
}
