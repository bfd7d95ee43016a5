// Bench 3 helper: open-model load at a fixed rate for a long time, RSS sampled after a garbage
// collection at an early mark and at the end. Run with --expose-gc, pinned by the caller.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, target, rate, earlyS, totalS] = process.argv.slice(2);
const lib = (p) => import(pathToFileURL(resolve(dist, p)).href);
const { runLoad } = await lib('load/run-load.js');
const { bareScenario, fixedTraffic } = await lib('load/fixed-scenario.js');
const { FixedSource } = await lib('load/request-source.js');
const early = Number(earlyS);
const total = Number(totalS);
const mb = () => {
  globalThis.gc?.();
  return Math.round((process.memoryUsage().rss / 1048576) * 10) / 10;
};
let rssEarly;
let rssEnd;
const traffic = fixedTraffic({ connections: 1000, durationMs: total * 1000, rate: Number(rate), timeoutMs: 10_000 });
const result = await runLoad(bareScenario('memory', traffic), {
  target,
  seed: 1,
  source: new FixedSource(new URL(target).pathname),
  rawClient: true,
  onSecond: (s) => {
    if (s.t === early) rssEarly = mb();
    if (s.t === total - 1) rssEnd = mb();
  },
});
const t = result.totals();
process.stdout.write(`${JSON.stringify({ rssEarlyMB: rssEarly, rssEndMB: rssEnd ?? mb(), requests: t.requests, dropped: t.dropped, errors: t.errors, achievedRps: t.achievedRps })}\n`);
