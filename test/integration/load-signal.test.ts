/**
 * One abort signal shared by many load runs (a capacity search passes its run's signal to
 * every step) must not collect a listener per run: twelve steps used to print Node's
 * "MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort
 * listeners added to [AbortSignal]" on the user's terminal.
 */
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/load/run-load.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import type { Scenario } from '../../src/scenario/types.js';

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

const mix = { root: { weight: 1, request: () => ({ path: '/' }) } };
const arrival: Scenario = { name: 'step', traffic: { executor: 'arrival-rate', stages: [{ name: 's', duration: '200ms', rate: 100 }] }, mix };
const vus: Scenario = { name: 'step', traffic: { executor: 'vus', vus: 2, duration: '200ms' }, mix };

describe('a signal shared by many load runs', () => {
  for (const [name, scenario] of [['arrival-rate', arrival], ['vus', vus]] as const) {
    it(`${name}: twelve runs leave no abort listener behind and print no warning`, async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      try {
        const controller = new AbortController();
        const before = getEventListeners(controller.signal, 'abort').length;
        for (let i = 0; i < 12; i++) {
          const r = await runLoad(resolveScenario(scenario), { target: url, seed: i, signal: controller.signal });
          expect(r.window(0, r.durationMs)?.requests ?? 0).toBeGreaterThan(0);
        }
        expect(getEventListeners(controller.signal, 'abort').length).toBe(before);
        // Warnings are emitted on the next tick.
        await new Promise((r) => setImmediate(r));
        expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });
  }
});
