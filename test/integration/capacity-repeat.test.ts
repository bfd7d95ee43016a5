/**
 * Capacity figures must repeat: three searches of a service whose capacity is known agree
 * within 10%, each reporting how well it knows the breaking rate.
 *
 * The service is a real HTTP server on loopback that serves one request at a time with a
 * fixed service time (a D/D/1 queue): 300 req/s is its capacity by construction. Its clock
 * is virtual (each answer is due at max(arrival, previous finish) + 1/300 s), so the figure
 * does not depend on how busy this machine's CPUs are, only the measurement does.
 */
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCapacitySlos } from '../../src/capacity/capacity-slo.js';
import { searchCapacity } from '../../src/capacity/search.js';
import { runStep, type StepPlan } from '../../src/capacity/step-runner.js';
import { resolveScenario } from '../../src/scenario/resolve.js';

const CAPACITY = 300;
let server: Server;
let url = '';

beforeAll(async () => {
  let freeAt = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = performance.now();
      freeAt = Math.max(now, freeAt) + 1000 / CAPACITY;
      setTimeout(() => res.end('{"ok":true}'), freeAt - now);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

describe('capacity search of a service with a known capacity', () => {
  it('three searches agree within 10% of each other and of the true 300 req/s, each confirmed', async () => {
    const scenario = resolveScenario({
      name: 'known-capacity',
      traffic: { executor: 'arrival-rate', stages: [{ name: 's', duration: '1s', rate: 1 }], timeout: '5s', maxInFlight: 2000 },
      mix: { root: { weight: 1, request: () => ({ method: 'POST', path: '/infer', body: '{"x":1}' }) } },
    });
    const { slos, problems } = parseCapacitySlos(['p99<100ms', 'errors<1%']);
    expect(problems).toEqual([]);
    const plan: StepPlan = { scenario, mix: scenario.mix, target: url, slos, warmupMs: 1000, stepMs: 2000, seed: 1 };
    const found: number[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await searchCapacity(async (rate, phase) => (await runStep({ ...plan, seed: i + 1 }, rate, phase)).ok, {
        startRate: 200,
        maxRate: 5000,
        minRate: 1,
        precision: 0.05,
        repeats: 3,
        tolerance: 0.1,
      });
      expect(out.outcome).toBe('found');
      expect(out.spread?.verdict, JSON.stringify(out.tried)).toBe('confirmed');
      expect(out.spread!.relative).toBeLessThanOrEqual(0.1);
      found.push(out.lastGood!);
    }
    for (const f of found) {
      expect(f).toBeGreaterThanOrEqual(CAPACITY * 0.9);
      expect(f).toBeLessThanOrEqual(CAPACITY * 1.1);
    }
    expect((Math.max(...found) - Math.min(...found)) / Math.min(...found)).toBeLessThanOrEqual(0.1);
  }, 400_000);
});
