// Load-engine benchmarks (make bench-load). nginx runs one worker pinned to core 1; every load
// generator runs pinned to core 0, one after another, against the same nginx.
//   1. closed model, 64 connections: peakready vs wrk -t1 -c64 vs autocannon -c 64
//   2. open model at 20,000 req/s for 30 s: achieved share, scheduling lag p99, dropped
//   3. memory: RSS after 10 minutes at 5,000 req/s vs after 1 minute
//   4. streams: 1,000 concurrent streamed generations, 64 tokens at 50 ms each (20,000 tokens/s),
//      from a minimal SSE server on core 1: the engine's ITL p99 against the server's true gaps,
//      and memory per stream
// BENCH_SHORT=1 shortens everything to a quick pass; BENCH_* variables override single values.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const short = process.env.BENCH_SHORT === '1';
const env = (name, full, quick) => Number(process.env[name] ?? (short ? quick : full));
const cfg = {
  b1Seconds: env('BENCH_B1_SECONDS', 10, 4),
  b2Rate: env('BENCH_B2_RATE', 20_000, 20_000),
  b2Seconds: env('BENCH_B2_SECONDS', 30, 6),
  b3Rate: env('BENCH_B3_RATE', 5000, 5000),
  b3EarlySeconds: env('BENCH_B3_EARLY_SECONDS', 60, 10),
  b3TotalSeconds: env('BENCH_B3_TOTAL_SECONDS', 600, 40),
  b4Streams: env('BENCH_B4_STREAMS', 1000, 1000),
  b4Seconds: env('BENCH_B4_SECONDS', 30, 20),
};
// BENCH_DIST points at another build of src/ (default dist/, what `make bench-load` builds).
const dist = process.env.BENCH_DIST ?? 'dist';
const LOAD_CORE = '0';
const SERVER_CORE = '1';

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile('taskset', ['-c', LOAD_CORE, cmd, ...args], { cwd: root, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

const peakready = (args) => run(process.execPath, [`${dist}/cli/main.js`, 'load', ...args]).then((o) => JSON.parse(o));

async function wrk(url, seconds) {
  const out = await run('wrk', ['-t1', '-c64', `-d${seconds}s`, '--latency', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const ms = p99 ? Number(p99[1]) * { us: 0.001, ms: 1, s: 1000 }[p99[2]] : NaN;
  return { rps, p99: ms };
}

async function autocannon(url, seconds) {
  const out = JSON.parse(await run(process.execPath, ['node_modules/autocannon/autocannon.js', '-c', '64', '-d', String(seconds), '-j', url]));
  return { rps: out.requests.average, p99: out.latency.p99 };
}

/** bench/load/sse-server.mjs pinned to the server core; resolves with its URL and stop. */
function startSseServer() {
  const child = spawn('taskset', ['-c', SERVER_CORE, process.execPath, 'bench/load/sse-server.mjs'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const url = `http://127.0.0.1:${JSON.parse(line).port}`;
      ok({ url, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) });
    });
    child.once('exit', (code) => fail(new Error(`sse-server exited with ${code}`)));
  });
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n');
}

async function main() {
  if (!existsSync(`${root}${dist}/cli/main.js`)) throw new Error('run `make build` first');
  const nginx = await startNginx(SERVER_CORE);
  const results = {};
  try {
    console.log(`nginx (1 worker, core ${SERVER_CORE}) at ${nginx.url}; load generators on core ${LOAD_CORE}${short ? ' [BENCH_SHORT]' : ''}`);
    // 1. Maximum throughput, closed model, 64 connections; a short warm-up first.
    await peakready(['--target', nginx.url, '--connections', '64', '--duration', '1s', '--json']);
    const engine = await peakready(['--target', nginx.url, '--connections', '64', '--duration', `${cfg.b1Seconds}s`, '--json']);
    const w = await wrk(nginx.url, cfg.b1Seconds);
    const a = await autocannon(nginx.url, cfg.b1Seconds);
    results.throughput = { peakready: engine.rps, peakreadyP99: engine.latency.p99, wrk: w.rps, wrkP99: w.p99, autocannon: a.rps, autocannonP99: a.p99 };

    // 2. Open model at a fixed rate.
    const open = await peakready(['--target', nginx.url, '--rate', String(cfg.b2Rate), '--connections', '1000', '--duration', `${cfg.b2Seconds}s`, '--json']);
    results.openModel = {
      rate: cfg.b2Rate,
      seconds: cfg.b2Seconds,
      achievedShare: open.requests / (cfg.b2Rate * cfg.b2Seconds),
      lagP99: open.schedulingLag?.p99,
      dropped: open.dropped,
      errors: open.errors,
      latencyP99: open.latency.p99,
    };

    // 3. Memory over a long run.
    const mem = JSON.parse(
      await run(process.execPath, ['--expose-gc', 'bench/load/memory-probe.mjs', dist, nginx.url, String(cfg.b3Rate), String(cfg.b3EarlySeconds), String(cfg.b3TotalSeconds)]),
    );
    results.memory = { ...mem, rate: cfg.b3Rate, earlySeconds: cfg.b3EarlySeconds, totalSeconds: cfg.b3TotalSeconds, growthMB: mem.rssEndMB - mem.rssEarlyMB };
  } finally {
    await nginx.stop();
  }

  // 4. Streamed generations: the engine's token timing against the server's own.
  const sse = await startSseServer();
  try {
    // Pinned to one core, the engine runs as the gateway does (src/stack/node-flags.ts): with V8's
    // GC on the main thread, helper threads would take turns with the event loop on that core.
    const probe = (mode) => run(process.execPath, ['--expose-gc', '--single-threaded-gc', 'bench/load/stream-probe.mjs', dist, sse.url, String(cfg.b4Streams), String(cfg.b4Seconds), mode]).then((o) => JSON.parse(o));
    const lat = await probe('latency');
    const server = await (await fetch(`${sse.url}/stats`)).json();
    const mem = await probe('memory');
    results.streams = { ...lat, kbPerStream: mem.kbPerStream, serverGapP50: server.p50, serverGapP99: server.p99, itlP99Diff: lat.steadyItlP99 - server.p99 };
  } finally {
    await sse.stop();
  }

  const t = results.throughput;
  const o = results.openModel;
  const m = results.memory;
  const st = results.streams;
  const pass = (ok) => (ok ? 'ok' : 'MISSED');
  console.log('');
  console.log(
    table([
      ['benchmark', 'peakready', 'wrk -t1 -c64', 'autocannon -c64', 'vs wrk', 'vs autocannon', 'target', ''],
      ['1. closed model, 64 conns (req/s)', fmt(t.peakready), fmt(t.wrk), fmt(t.autocannon), `${fmt(t.peakready / t.wrk, 2)}x`, `${fmt(t.peakready / t.autocannon, 2)}x`, '>=0.5x wrk, >=1.0x autocannon', pass(t.peakready >= 0.5 * t.wrk && t.peakready >= t.autocannon)],
      ['   p99 latency (ms)', fmt(t.peakreadyP99, 2), fmt(t.wrkP99, 2), fmt(t.autocannonP99, 2), '', '', '', ''],
      [`2. open model ${fmt(o.rate)} req/s x ${o.seconds}s: achieved`, `${fmt(o.achievedShare * 100, 2)}%`, '', '', '', '', '>=99.5%', pass(o.achievedShare >= 0.995)],
      ['   scheduling lag p99 (ms)', fmt(o.lagP99, 3), '', '', '', '', '<=2 ms', pass(o.lagP99 <= 2)],
      ['   dropped', fmt(o.dropped), '', '', '', '', '0', pass(o.dropped === 0)],
      [`3. RSS at ${fmt(m.rate)} req/s: ${m.earlySeconds}s -> ${m.totalSeconds}s (MB)`, `${fmt(m.rssEarlyMB, 1)} -> ${fmt(m.rssEndMB, 1)}`, '', '', '', '', '<=30 MB growth', pass(m.growthMB <= 30)],
      [`4. ${fmt(st.streams)} streams x 64 tokens @ 50 ms: tokens/s`, fmt(st.tokensPerSecond), '', '', '', '', '', ''],
      ['   ITL p99, steady state: engine vs server true gap (ms)', `${fmt(st.steadyItlP99, 2)} vs ${fmt(st.serverGapP99, 2)}`, '', '', '', '', '<=2 ms apart', pass(Math.abs(st.itlP99Diff) <= 2)],
      ['   errors', fmt(st.errors), '', '', '', '', '0', pass(st.errors === 0)],
      ['   memory per stream (KB)', fmt(st.kbPerStream, 1), '', '', '', '', '', ''],
    ]),
  );
  console.log(`\n${JSON.stringify(results)}`);
}

main().catch((err) => {
  console.error(`bench-load: ${err.message}`);
  process.exitCode = 1;
});
