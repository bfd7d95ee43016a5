import { describe, expect, it } from 'vitest';
import { serviceUrls } from '../../../src/platforms/kubernetes/service-reach.js';

describe('serviceUrls: how the harness tries to reach a Service, best first', () => {
  it('tries the ClusterIP first, then the NodePort on each node', () => {
    const svc = { spec: { clusterIP: '10.96.4.7', ports: [{ name: 'http', port: 8080, nodePort: 30080 }] } };
    expect(serviceUrls(svc, 8080, ['172.18.0.2', '172.18.0.3'])).toEqual([
      { url: 'http://10.96.4.7:8080', kind: 'cluster-ip' },
      { url: 'http://172.18.0.2:30080', kind: 'node-port' },
      { url: 'http://172.18.0.3:30080', kind: 'node-port' },
    ]);
  });

  it('offers nothing for a headless Service without NodePorts (a port-forward is then the only way)', () => {
    expect(serviceUrls({ spec: { clusterIP: 'None', ports: [{ port: 9090 }] } }, 9090, ['172.18.0.2'])).toEqual([]);
  });

  it('brackets an IPv6 ClusterIP and picks the asked port among several', () => {
    const svc = { spec: { clusterIP: 'fd00::a', ports: [{ name: 'metrics', port: 9100 }, { name: 'http', port: 8080 }] } };
    expect(serviceUrls(svc, 8080, [])).toEqual([{ url: 'http://[fd00::a]:8080', kind: 'cluster-ip' }]);
  });
});
