// Bench 4 helper: peakready's engine holding STREAMS concurrent streamed generations against
// bench/load/sse-server.mjs for SECONDS: an open model whose arrival rate keeps STREAMS in
// flight (each stream lasts 65 token intervals of 50 ms), so streams start spread over time as
// users' do, rather than in one synchronised burst. RSS after a
// garbage collection before the traffic and in its steady state gives the memory per stream.
// Run with --expose-gc, pinned by the caller. Prints one JSON line.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, target, streamsS, secondsS] = process.argv.slice(2);
const lib = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { runLoad } = await lib('load/run-load.js');
const { resolveScenario } = await lib('scenario/resolve.js');
const streams = Number(streamsS);
const seconds = Number(secondsS);
const mb = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss / 1048576;
};
const rssBefore = mb();
let rssDuring;
const scenario = resolveScenario({
  name: 'streams',
  traffic: {
    executor: 'arrival-rate',
    stages: [{ duration: `${seconds}s`, rate: Math.round((streams / 3.25) * 10) / 10 }],
    preAllocated: streams,
    maxInFlight: Math.round(streams * 1.5),
    timeout: '30s',
  },
  mix: { gen: { weight: 1, request: () => ({ method: 'POST', path: '/v1/completions', body: { prompt: 'x', max_tokens: 64, stream: true } }) } },
});
const t0 = performance.now();
const result = await runLoad(scenario, {
  target,
  seed: 1,
  onSecond: (s) => {
    // Mid-run: STREAMS are in flight (each lasts 3.25 s), in the steady state.
    if (s.t === Math.floor(seconds / 2)) rssDuring = mb();
  },
});
const wallS = (performance.now() - t0) / 1000;
const e = result.endpointResults()[0];
const st = e.stream;
process.stdout.write(
  `${JSON.stringify({
    streams,
    completed: st?.complete ?? 0,
    dropped: result.totals().dropped,
    errors: e.errors,
    errorKinds: e.errorKinds,
    tokens: st?.outputTokens ?? 0,
    tokensPerSecond: (st?.outputTokens ?? 0) / wallS,
    itlP50: st?.itl.p50,
    itlP99: st?.itl.p99,
    ttftP99: st?.ttft.p99,
    rssBeforeMB: rssBefore,
    rssDuringMB: rssDuring,
    kbPerStream: rssDuring === undefined ? undefined : ((rssDuring - rssBefore) * 1024) / streams,
  })}\n`,
);
