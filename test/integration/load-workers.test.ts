import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Worker threads start the built worker file, so this test runs the engine from dist/.
type Workers = typeof import('../../src/load/run-load-workers.js');
const { runLoadInWorkers } = (await import(pathToFileURL(resolve('dist/load/run-load-workers.js')).href)) as Workers;

const servers: Server[] = [];
mkdirSync(resolve('tmp'), { recursive: true });
const dir = mkdtempSync(join(resolve('tmp'), 'load-workers-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
});

async function serve(onRequest: (path: string) => void, delayMs = 0): Promise<{ url: string; peak: () => number }> {
  let active = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    active++;
    peak = Math.max(peak, active);
    onRequest(req.url ?? '');
    req.resume();
    req.on('end', () => setTimeout(() => { active--; res.end('ok'); }, delayMs));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, peak: () => peak };
}

describe('load from worker threads', () => {
  it('two workers share an open-model rate; the merged result counts every request once', async () => {
    let received = 0;
    const { url } = await serve(() => received++);
    const traffic = { executor: 'arrival-rate' as const, stages: [{ name: 's', startMs: 0, durationMs: 2000, fromRate: 300, toRate: 300 }], preAllocated: 20, maxInFlight: 100, timeoutMs: 5000, durationMs: 2000 };
    const result = await runLoadInWorkers({ workers: 2, scenario: { kind: 'fixed', traffic, path: '/w', method: 'GET' }, target: url, seed: 1 });
    expect(received).toBe(600);
    expect(result.totals()).toMatchObject({ requests: 600, errors: 0, dropped: 0, targetRps: 300 });
    expect(result.timeline().filter((s) => s.endpoint === '*').map((s) => s.requests)).toEqual([300, 300]);
    expect(result.endpointResults()[0]!.latency.count).toBe(600);
    expect(result.schedulingLag()?.count).toBe(600);
  });

  it('splits closed-model connections between workers', async () => {
    const { url, peak } = await serve(() => undefined, 3);
    const traffic = { executor: 'vus' as const, vus: 4, durationMs: 1500, thinkTimeMs: { min: 0, max: 0 }, timeoutMs: 5000 };
    const result = await runLoadInWorkers({ workers: 2, scenario: { kind: 'fixed', traffic, path: '/', method: 'GET' }, target: url, seed: 1 });
    expect(peak()).toBeLessThanOrEqual(4);
    expect(result.totals().requests).toBeGreaterThan(40);
  });

  it('runs a scenario file in each worker with its share of the rate', async () => {
    const paths: string[] = [];
    const { url } = await serve((p) => paths.push(p));
    const index = relative(dir, resolve('src/index.js')).replace(/\\/g, '/');
    const file = join(dir, 'w.ts');
    writeFileSync(file, `import { defineScenario } from '${index}';
export default defineScenario({ name: 'w', traffic: { executor: 'arrival-rate', stages: [{ duration: '2s', rate: 50 }] },
  mix: { a: { weight: 1, request: () => ({ path: '/a' }) }, b: { weight: 1, request: () => ({ path: '/b' }) } } });
`);
    const result = await runLoadInWorkers({ workers: 2, scenario: { kind: 'file', file, timeScale: 1, rateScale: 2 }, target: url, seed: 5 });
    expect(paths.length).toBe(200);
    expect(result.endpoints).toEqual(['a', 'b']);
    const [a, b] = result.endpointResults();
    expect(a!.requests + b!.requests).toBe(200);
    expect(paths.filter((p) => p === '/a').length).toBe(a!.requests);
  });

  it('passes a worker\'s refusal back as the same error', async () => {
    const traffic = { executor: 'vus' as const, vus: 2, durationMs: 500, thinkTimeMs: { min: 0, max: 0 }, timeoutMs: 500 };
    await expect(runLoadInWorkers({ workers: 2, scenario: { kind: 'fixed', traffic, path: '/', method: 'GET' }, target: 'http://192.0.2.1/', seed: 1 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/non-loopback/),
    });
  });
});
