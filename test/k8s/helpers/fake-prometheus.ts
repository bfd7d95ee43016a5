/**
 * A loopback stand-in for Prometheus' instant-query API, for Argo Rollouts analyses:
 * answers /api/v1/query with one sample whose value the test sets per metric name.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fake Prometheus; `values` maps a metric name to what queries on it return. */
export interface FakePrometheus {
  readonly url: string;
  readonly values: Map<string, number>;
  /** Queries received, in order. */
  readonly queries: string[];
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 and an ephemeral port. */
export async function startFakePrometheus(initial: Record<string, number>): Promise<FakePrometheus> {
  const values = new Map(Object.entries(initial));
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const handle = (query: string): void => {
      queries.push(query);
      const metric = [...values.keys()].find((m) => query.includes(m));
      if (metric === undefined) return send(200, { status: 'success', data: { resultType: 'vector', result: [] } });
      send(200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(values.get(metric))] }] },
      });
    };
    if (url.pathname !== '/api/v1/query') return send(404, { status: 'error', error: `no route ${url.pathname}` });
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handle(new URLSearchParams(body).get('query') ?? ''));
      return;
    }
    handle(url.searchParams.get('query') ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    values,
    queries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
