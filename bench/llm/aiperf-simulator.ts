/**
 * AIPerf against the generative simulator (vLLM-like, dist/stack/generative): the reference
 * side of the cross-check of peakready's LLM streaming figures. Starts the simulator the way
 * the tests and the local platform do (node flags of src/stack/node-flags.ts, the built entry
 * in dist/, port 0, "listening" log line), waits for /ready, then runs AIPerf once on chat and
 * once on completions and prints TTFT, ITL and throughput.
 *
 *   bash scripts/aiperf/install.sh        # once: AIPerf + local tokenizer (cached)
 *   make build                            # dist/ (the simulator runs from it, as in `make bench-*`)
 *   node --import ./bench/llm/ts-hook.mjs bench/llm/aiperf-simulator.ts \
 *     [--concurrency 8] [--request-count 100] [--isl 64] [--osl 32] [--profile FILE]
 *     [--endpoints chat,completions] [--artifact-dir tmp/aiperf-simulator] [--json]
 *
 * Takes about 20 s per endpoint at the defaults (AIPerf's own start-up is ~10 s of that).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator, waitReady } from './simulator.js';
import { firstModel, runAiperf, type AiperfFigures } from './aiperf.js';

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

function table(rows: Array<[string, AiperfFigures]>): string {
  const head = ['endpoint', 'TTFT p50', 'TTFT p95', 'ITL p50', 'ITL p95', 'out tok/s', 'req/s', 'ok', 'err', 'in tok', 'out tok'];
  const body = rows.map(([name, f]) => [name, f1(f.ttftMs.p50), f1(f.ttftMs.p95), f1(f.itlMs.p50), f1(f.itlMs.p95), f1(f.outputTokensPerSec), f1(f.requestsPerSec), String(f.requests), String(f.errors), f1(f.inputTokensAvg), f1(f.outputTokensAvg)]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '8' },
      'request-count': { type: 'string', default: '100' },
      isl: { type: 'string', default: '64' },
      osl: { type: 'string', default: '32' },
      profile: { type: 'string' },
      endpoints: { type: 'string', default: 'chat,completions' },
      'artifact-dir': { type: 'string', default: 'tmp/aiperf-simulator' },
      json: { type: 'boolean', default: false },
    },
  });
  const endpoints = v.endpoints.split(',').map((e) => e.trim());
  for (const e of endpoints) if (e !== 'chat' && e !== 'completions') throw new Error(`--endpoints: chat and/or completions, got ${e}`);

  const sim = await startSimulator(v.profile);
  const stop = () => {
    if (sim.child.exitCode === null && sim.child.signalCode === null) sim.child.kill('SIGKILL');
  };
  process.on('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  try {
    await waitReady(sim.url);
    const model = await firstModel(sim.url);
    const rows: Array<[string, AiperfFigures]> = [];
    for (const endpointType of endpoints as Array<'chat' | 'completions'>) {
      if (!v.json) console.error(`aiperf: ${endpointType}, concurrency ${v.concurrency}, ${v['request-count']} requests, isl ${v.isl}, osl ${v.osl} against ${sim.url} ...`);
      const figures = await runAiperf({
        url: sim.url,
        model,
        endpointType,
        concurrency: Number(v.concurrency),
        requestCount: Number(v['request-count']),
        inputTokensMean: Number(v.isl),
        outputTokensMean: Number(v.osl),
        artifactDir: join(resolve(v['artifact-dir']), endpointType),
      });
      rows.push([endpointType, figures]);
    }
    if (v.json) console.log(JSON.stringify(Object.fromEntries(rows), null, 2));
    else {
      console.log(`AIPerf ${rows[0]?.[1].aiperfVersion} vs generative simulator (${model}); times in ms, tokens as the server counted them`);
      console.log(table(rows));
    }
  } finally {
    stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
