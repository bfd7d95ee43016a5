/**
 * peakready's LLM streaming figures checked against NVIDIA AIPerf on the same server (make
 * bench-llm): the generative simulator, then for chat and completions in turn AIPerf and
 * peakready's engine with the same streaming requests, concurrency and token lengths.
 * TTFT, the per-request inter-token latency (AIPerf's "inter_token_latency", peakready's
 * TPOT) and output tokens/s must agree within 10% at p50 (and for the throughput) and 20%
 * at p95; the exit code says whether they did. peakready's per-gap ITL is printed too.
 *
 *   bash scripts/aiperf/install.sh && make build
 *   node --import ./bench/llm/ts-hook.mjs bench/llm/crosscheck.ts [--concurrency 8] [--requests 200] [--isl 64] [--osl 32] [--osl-stddev 8]
 *
 * Output lengths vary (normal, --osl-stddev) by default, as a model's answers do: with every
 * stream exactly as long as the others, streams at a fixed concurrency end in the same engine
 * step and come back together, so TTFT then depends on how each client's re-sends happen to
 * group into prefill steps (sub-millisecond timing that differs between any two clients), not
 * on how well each measures. --osl-stddev 0 shows that lock-step.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from '../../src/load/run-load.js';
import { llmRequest } from '../../src/scenario/llm-request.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import { firstModel, runAiperf, type AiperfFigures } from './aiperf.js';
import { startSimulator, waitReady } from './simulator.js';

interface Figures {
  readonly ttft: { p50: number; p95: number };
  readonly itl: { p50: number; p95: number };
  readonly tokensPerSec: number;
  readonly requests: number;
  readonly errors: number;
  /** peakready only: every gap between two tokens. */
  readonly gap?: { p50: number; p95: number };
}

const fromAiperf = (f: AiperfFigures): Figures => ({
  ttft: { p50: f.ttftMs.p50, p95: f.ttftMs.p95 },
  itl: { p50: f.itlMs.p50, p95: f.itlMs.p95 },
  tokensPerSec: f.outputTokensPerSec,
  requests: f.requests,
  errors: f.errors,
});

async function peakready(url: string, model: string, api: 'chat' | 'completions', concurrency: number, seconds: number, isl: number, osl: number, oslStddev: number): Promise<Figures> {
  const scenario = resolveScenario({
    name: `crosscheck-${api}`,
    traffic: { executor: 'vus', vus: concurrency, duration: `${seconds}s`, timeout: '30s' },
    mix: { [api]: llmRequest({ api, model, prompt: isl, output: oslStddev > 0 ? { mean: osl, stddev: oslStddev } : osl }) },
  });
  const t0 = performance.now();
  const r = await runLoad(scenario, { target: url, seed: 1 });
  const wallS = (performance.now() - t0) / 1000;
  const e = r.endpointResults()[0]!;
  const s = e.stream;
  if (!s) throw new Error(`peakready saw no stream from ${url} (${api}); errors: ${JSON.stringify(e.errorKinds)}`);
  // The rate AIPerf reports: tokens over the time the streams took, from the first send to
  // the end of the last stream (the engine waits for the streams still running at its end).
  return {
    ttft: { p50: s.ttft.p50, p95: s.ttft.p95 },
    itl: { p50: s.tpot.p50, p95: s.tpot.p95 },
    tokensPerSec: s.outputTokens / wallS,
    requests: s.complete,
    errors: e.errors,
    gap: { p50: s.itl.p50, p95: s.itl.p95 },
  };
}

const f1 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(1));

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '8' },
      requests: { type: 'string', default: '200' },
      isl: { type: 'string', default: '64' },
      osl: { type: 'string', default: '32' },
      'osl-stddev': { type: 'string', default: '8' },
      'artifact-dir': { type: 'string', default: 'tmp/llm-crosscheck' },
    },
  });
  const concurrency = Number(v.concurrency);
  const [isl, osl, oslStddev, requests] = [Number(v.isl), Number(v.osl), Number(v['osl-stddev']), Number(v.requests)];
  const sim = await startSimulator(undefined);
  const stop = (): void => {
    if (sim.child.exitCode === null && sim.child.signalCode === null) sim.child.kill('SIGKILL');
  };
  process.on('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  let ok = true;
  try {
    await waitReady(sim.url);
    const model = await firstModel(sim.url);
    const rows: string[][] = [['endpoint', 'tool', 'TTFT p50', 'TTFT p95', 'ITL p50', 'ITL p95', 'tok/s', 'requests', 'errors', 'gap p50', 'gap p95']];
    const verdicts: string[] = [];
    for (const api of ['completions', 'chat'] as const) {
      console.error(`${api}: AIPerf, concurrency ${concurrency}, ${requests} requests, isl ${isl}, osl ${osl}±${oslStddev} ...`);
      const a = fromAiperf(
        await runAiperf({ url: sim.url, model, endpointType: api, concurrency, requestCount: requests, inputTokensMean: isl, outputTokensMean: osl, outputTokensStddev: oslStddev, artifactDir: join(resolve(v['artifact-dir']), api) }),
      );
      // As long as AIPerf took for its requests, so both see about as many streams.
      const seconds = Math.max(5, Math.round(requests / Math.max(0.1, a.tokensPerSec / osl)));
      console.error(`${api}: peakready, ${concurrency} users for ${seconds} s ...`);
      const p = await peakready(sim.url, model, api, concurrency, seconds, isl, osl, oslStddev);
      rows.push([api, 'AIPerf', f1(a.ttft.p50), f1(a.ttft.p95), f1(a.itl.p50), f1(a.itl.p95), f1(a.tokensPerSec), String(a.requests), String(a.errors), '', '']);
      rows.push([api, 'peakready', f1(p.ttft.p50), f1(p.ttft.p95), f1(p.itl.p50), f1(p.itl.p95), f1(p.tokensPerSec), String(p.requests), String(p.errors), f1(p.gap?.p50), f1(p.gap?.p95)]);
      const check = (what: string, ours: number, theirs: number, tol: number): void => {
        const diff = Math.abs(ours - theirs) / theirs;
        const pass = diff <= tol;
        ok &&= pass;
        verdicts.push(`${pass ? '✓' : '✗'} ${api} ${what}: peakready ${f1(ours)} vs AIPerf ${f1(theirs)} (${(diff * 100).toFixed(1)}%, within ${tol * 100}%)`);
      };
      check('TTFT p50', p.ttft.p50, a.ttft.p50, 0.1);
      check('TTFT p95', p.ttft.p95, a.ttft.p95, 0.2);
      check('ITL p50', p.itl.p50, a.itl.p50, 0.1);
      check('ITL p95', p.itl.p95, a.itl.p95, 0.2);
      check('output tokens/s', p.tokensPerSec, a.tokensPerSec, 0.1);
      if (p.errors > 0 || a.errors > 0) {
        ok = false;
        verdicts.push(`✗ ${api}: errors (peakready ${p.errors}, AIPerf ${a.errors})`);
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log(`peakready vs AIPerf on the generative simulator (${model}); ms; ITL = per-request mean gap (AIPerf's definition, peakready's TPOT); gap = every token gap (peakready's ITL)`);
    console.log(rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n'));
    console.log(verdicts.join('\n'));
  } finally {
    stop();
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
