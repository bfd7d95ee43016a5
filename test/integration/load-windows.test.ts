/**
 * The engine's 100 ms resolution against a real HTTP server: a 300 ms change in the answers
 * shows in the 100 ms slices it covers, and SLO windows and timings are cut to them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { runLoad } from '../../src/load/run-load.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import { evaluateSlos } from '../../src/slo/evaluate.js';
import { slo } from '../../src/slo/expr.js';
import type { EvaluationContext } from '../../src/slo/context.js';

let server: Server | undefined;
afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
  }
});

describe('100 ms windows over a real load run', () => {
  it('places a 300 ms fallback episode in its slices and judges timings on them', async () => {
    server = createServer((req, res) => {
      // Fallback answers for requests sent between 1.3 s and 1.6 s (the client says when, so
      // the test does not depend on how late each request reaches the server).
      const sentMs = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('t'));
      res.setHeader('X-Model-Type', sentMs >= 1300 && sentMs < 1600 ? 'fallback' : 'primary');
      res.end('{}');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const result = await runLoad(
      resolveScenario({ name: 't', traffic: { executor: 'arrival-rate', stages: [{ name: 'steady', duration: '3s', rate: 200 }] }, mix: { predict: { weight: 1, request: (ctx) => ({ path: `/?t=${ctx.elapsedMs}` }) } } }),
      { target: url, seed: 1 },
    );
    expect(result.resolutionMs).toBe(100);
    const share = (from: number, to: number): number => {
      const w = result.window(from, to)!;
      return (w.modelType['fallback'] ?? 0) / w.requests;
    };
    // 20 requests per slice, by intended send time.
    for (let t = 0; t < 3000; t += 100) expect(result.window(t, t + 100)!.requests).toBe(20);
    expect(share(0, 1300)).toBe(0);
    expect(share(1300, 1600)).toBe(1);
    expect(share(1600, 3000)).toBe(0);
    // The per-second timeline (what reports chart) still has one row per second.
    expect(result.timeline().filter((s) => s.endpoint === '*').map((s) => s.requests)).toEqual([200, 200, 200]);

    const ctx: EvaluationContext = {
      client: result,
      timeline: { phases: [], faults: [{ id: 'blip', kind: 'errors', target: 'tabular', startMs: 1300, endMs: 1600, params: {} }], events: [] },
      platformEvents: [],
      trafficStartEpochMs: result.startEpochMs,
    };
    const [during, notSustained, sustained] = await evaluateSlos(
      [
        slo.fallbackShare().above('90%').during.fault('blip'),
        slo.fallbackShare().above('50%').within('1s').after.fault('blip'),
        slo.fallbackShare().above('50%').within('1s').after.fault('blip').for('200ms'),
      ],
      ctx,
    );
    expect(during!.status).toBe('pass');
    // 300 ms of fallback is not the default sustained second...
    expect(notSustained).toMatchObject({ status: 'fail', observed: 'not within 1s' });
    // ...but holds for 200 ms, from the fault's start.
    expect(sustained).toMatchObject({ status: 'pass', observed: 'after 0.0s' });
  });
});
