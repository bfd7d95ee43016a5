import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const CLI = resolve('dist/cli/main.js');
mkdirSync(resolve('tmp'), { recursive: true });
const dir = mkdtempSync(join(resolve('tmp'), 'load-cli-'));
let server: Server;
let url = '';
let received = 0;
const paths = new Set<string>();

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { cwd: resolve('.'), timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    paths.add(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.setHeader('x-cache', received % 2 ? 'hit' : 'miss');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const index = relative(dir, resolve('src/index.js')).replace(/\\/g, '/');
  writeFileSync(
    join(dir, 'tiny.ts'),
    `import { defineScenario } from '${index}';
export default defineScenario({ name: 'tiny', traffic: { executor: 'arrival-rate', stages: [{ name: 'only', duration: '2s', rate: 50 }] },
  mix: { predict: { weight: 3, request: (c) => ({ method: 'POST', path: '/api/v1/predict', body: { features: c.features(10) } }) }, batch: { weight: 1, request: () => ({ path: '/api/v1/predict/batch' }) } } });
`,
  );
  writeFileSync(join(dir, 'bad.ts'), `export default { name: 'bad', traffic: { executor: 'arrival-rate', stages: [{ duration: '2', rate: -1 }] }, mix: {} };\n`);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('peakready load', () => {
  it('wrk-like closed model prints one JSON object with rps, latency percentiles and error counts', async () => {
    received = 0;
    const r = await cli(['load', '--target', url, '--connections', '8', '--duration', '1s', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rps: number; latency: Record<string, number>; errors: number; dropped: number; requests: number };
    expect(Object.keys(out.latency)).toEqual(['p50', 'p90', 'p99', 'max']);
    expect(out.requests).toBeGreaterThan(100);
    expect(out.requests).toBe(received);
    expect(out.rps).toBeCloseTo(out.requests, -1);
    expect(out).toMatchObject({ errors: 0, dropped: 0 });
    expect(out.latency.p50).toBeLessThanOrEqual(out.latency.p99!);
  });

  it('open model at --rate sends exactly that many requests per second and reports scheduling lag', async () => {
    received = 0;
    const r = await cli(['load', '--target', url, '--rate', '200', '--duration', '1s', '--json', '--path', '/health']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { requests: number; dropped: number; schedulingLag: { p99: number } };
    expect(out.requests).toBe(200);
    expect(received).toBe(200);
    expect(out.dropped).toBe(0);
    expect(out.schedulingLag.p99).toBeGreaterThanOrEqual(0);
    expect(paths.has('/health')).toBe(true);
  });

  it('runs a scenario file: a table per endpoint and load.json in the output folder', async () => {
    const out = join(dir, 'out');
    const r = await cli(['load', join(dir, 'tiny.ts'), '--target', url, '--out', out, '--seed', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^endpoint\s+requests\s+rps\s+errors\s+dropped\s+p50 ms\s+p90 ms\s+p99 ms\s+max ms\s+cache hit$/m);
    expect(r.stdout).toMatch(/^predict\s+\d+/m);
    expect(r.stdout).toMatch(/^total\s+100\s+50\.0\s+0\s+0/m);
    const json = JSON.parse(readFileSync(join(out, 'load.json'), 'utf8')) as { scenario: string; seed: number; totals: { requests: number }; endpoints: { endpoint: string; histogram: string }[]; timeline: { endpoint: string }[] };
    expect(json.scenario).toBe('tiny');
    expect(json.seed).toBe(3);
    expect(json.totals.requests).toBe(100);
    expect(json.endpoints.map((e) => e.endpoint)).toEqual(['predict', 'batch']);
    expect(json.endpoints[0]!.histogram.length).toBeGreaterThan(10);
    expect(json.timeline.filter((s) => s.endpoint === '*')).toHaveLength(2);
  });

  it('--time-scale and --rate-scale reshape the profile', async () => {
    const out = join(dir, 'scaled');
    const r = await cli(['load', join(dir, 'tiny.ts'), '--target', url, '--out', out, '--time-scale', '0.5', '--rate-scale', '2']);
    expect(r.code).toBe(0);
    expect((JSON.parse(readFileSync(join(out, 'load.json'), 'utf8')) as { totals: { requests: number } }).totals.requests).toBe(100);
  });

  it('refuses invalid input with exit code 2 and says why', async () => {
    const remote = await cli(['load', '--target', 'http://192.0.2.10:8080', '--duration', '1s']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/refusing to send load to non-loopback host '192\.0\.2\.10'/);
    expect(remote.stderr).toMatch(/hint: .*--allow-remote-target/);

    const bad = await cli(['load', join(dir, 'bad.ts'), '--target', url]);
    expect(bad.code).toBe(2);
    const shown = relative(resolve('.'), join(dir, 'bad.ts'));
    expect(bad.stderr).toContain(`${shown}: traffic.stages[0].duration: expected a duration like "90s", "2m" or "1m30s", got "2"`);
    expect(bad.stderr).toContain(`${shown}: traffic.stages[0].rate: expected a number >= 0, got -1`);
    expect(bad.stderr).toContain(`${shown}: mix: expected at least one entry, got {}`);

    const dur = await cli(['load', '--target', url, '--duration', 'soon']);
    expect(dur.code).toBe(2);
    expect(dur.stderr).toMatch(/--duration: expected a duration like "8s" or "1m", got "soon"/);

    const noTarget = await cli(['load', '--duration', '1s']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/--target/);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);
  });
});
