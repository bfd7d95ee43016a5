// Bench 4 helper: peakready's engine holding STREAMS concurrent streamed generations against
// bench/load/sse-server.mjs for SECONDS: an open model whose arrival rate keeps STREAMS in
// flight (each stream lasts 65 token intervals of 50 ms), so streams start spread over time as
// users' do, rather than in one synchronised burst. RSS after a
// garbage collection before the traffic and in its steady state gives the memory per stream
// (MODE "memory"; the default MODE "latency" forces no collection). Run with --expose-gc,
// pinned by the caller. Prints one JSON line.
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [dist, target, streamsS, secondsS, mode = 'latency'] = process.argv.slice(2);
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
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const t0 = performance.now();
const result = await runLoad(scenario, {
  target,
  seed: 1,
  onSecond: (s) => {
    // Mid-run: STREAMS are in flight (each lasts 3.25 s), in the steady state. A forced
    // collection stops the world for tens of ms, so only the memory pass takes it; the
    // latency pass measures without it.
    if (mode === 'memory' && s.t === Math.floor(seconds / 2)) rssDuring = mb();
    // The server counts the true gaps of the same streams: those begun from here (6 s) on.
    if (s.t === 6) void fetch(`${target}/reset`).then((r) => r.text());
  },
});
const wallS = (performance.now() - t0) / 1000;
loop.disable();
const e = result.endpointResults()[0];
// The steady state: streams sent once every connection was open and the first streams had
// ended (from 6 s, when the server starts counting too), so opening 1,000 connections is
// not what the figure measures.
const steady = result.window(6000, seconds * 1000)?.stream;
const pct = (h, p) => (h && h.totalCount > 0 ? h.getValueAtPercentile(p) / 1000 : undefined);
const st = e.stream;
process.stdout.write(
  `${JSON.stringify({
    streams,
    completed: st?.complete ?? 0,
    dropped: result.totals().dropped,
    errors: e.errors,
    errorKinds: e.errorKinds,
    tokens: st?.outputTokens ?? 0,
    // The rate the streams sent per second ask for (each of them delivered in full: see completed and errors).
    tokensPerSecond: (st?.outputTokens ?? 0) / seconds,
    wallSeconds: wallS,
    itlP50: st?.itl.p50,
    itlP99: st?.itl.p99,
    steadyItlP50: pct(steady?.itl, 50),
    steadyItlP99: pct(steady?.itl, 99),
    ttftP99: st?.ttft.p99,
    loopDelayP99: loop.percentile(99) / 1e6,
    loopDelayMax: loop.max / 1e6,
    rssBeforeMB: rssBefore,
    rssDuringMB: rssDuring,
    kbPerStream: rssDuring === undefined ? undefined : ((rssDuring - rssBefore) * 1024) / streams,
  })}\n`,
);
