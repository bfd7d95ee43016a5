// Bench 4 helper: a minimal SSE server (OpenAI completions chunks) for the streaming benchmark.
// Every POST gets its first token after TOKEN_MS and then one token every TOKEN_MS, TOKENS in
// all, then [DONE]. Each stream is paced from its own start (start + k * TOKEN_MS), so timer
// lateness does not accumulate. The server records the true gap between consecutive token
// writes of each stream; GET /stats answers their p50 / p99 / max in ms, counting the streams
// that began after the last GET /reset (all of them without one). Prints its port.
import { createServer } from 'node:http';

const TOKENS = Number(process.env.SSE_TOKENS ?? 64);
const TOKEN_MS = Number(process.env.SSE_TOKEN_MS ?? 50);
let gaps = [];
let since = 0;
const chunk = (i, last) => `data: {"choices":[{"index":0,"text":" t${i}","finish_reason":${last ? '"length"' : 'null'}}]}\n\n`;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/reset') {
    gaps = [];
    since = performance.now();
    return res.end('ok');
  }
  if (req.method === 'GET' && req.url === '/stats') {
    const s = [...gaps].sort((a, b) => a - b);
    const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ gaps: s.length, p50: q(50), p99: q(99), max: s.at(-1) ?? 0 }));
  }
  req.resume();
  req.on('end', () => {
    const start = performance.now();
    const counted = start >= since;
    let i = 0;
    let last;
    const tick = () => {
      if (res.destroyed) return;
      if (i === 0) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const now = performance.now();
      if (last !== undefined && counted) gaps.push(now - last);
      last = now;
      res.write(chunk(i, i === TOKENS - 1));
      i++;
      if (i === TOKENS) return void res.end('data: [DONE]\n\n');
      setTimeout(tick, Math.max(0, start + (i + 1) * TOKEN_MS - performance.now()));
    };
    setTimeout(tick, TOKEN_MS);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
