import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { it } from 'vitest';
import { PortForward } from '@kubernetes/client-node';
import { FakeApiServer } from '../fixtures/kubernetes/fake-api-server.js';
it('debug', async () => {
  const server = await new FakeApiServer().start();
  const pods = createServer((req, res) => { res.end('hello'); });
  await new Promise<void>((r) => pods.listen(0, '127.0.0.1', () => r()));
  server.podPorts.set('p', (pods.address() as AddressInfo).port);
  const kc = server.kubeConfig(); kc.setCurrentContext('kind-peakready');
  const out = new PassThrough(); const input = new PassThrough();
  out.on('data', (d) => console.log('OUT', d.toString()));
  try {
    const ws = await new PortForward(kc).portForward('ns', 'p', [9090], out, null, input);
    console.log('connected', typeof ws);
    input.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await new Promise((r) => setTimeout(r, 500));
  } catch (e) { console.log('ERR', e); }
  console.log(server.requests.map((r) => r.method + ' ' + r.path));
  await server.stop(); pods.close();
});
