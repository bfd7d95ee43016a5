/**
 * The game-day console as an operator uses it: `peakready stack up --dashboard` (built CLI,
 * reduced stack), the page in Debian's headless Chromium (playwright-core). Start background
 * traffic, inject 300 ms latency on triton through the page's own confirmation, see the fault
 * in the active list and p99 above 300 ms in the latency chart, halt (confirmed), see the fault
 * gone; then Ctrl-C the stack and find nothing left (processes, ports) and the game-day
 * reports with the fault on the timeline. Screenshots go to a temp folder (kept with
 * PEAKREADY_KEEP_SCREENSHOTS=1).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_DIST } from '../fixtures/local/repo-dist.js';
import { alive, listening, waitFor } from '../fixtures/local/process-check.js';
import type { Journal } from '../../src/contract/journal.js';

let browser: Browser;
let dir: string;
let stack: ChildProcess;
let out = '';
let page: Page;
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];

const url = (label: string): string => new RegExp(`^${label} (http://127\\.0\\.0\\.1:\\d+/?)$`, 'm').exec(out)?.[1] ?? '';
const port = (u: string): number => Number(new URL(u).port);

/** Every descendant of `pid` with its command line (to tell a reused pid apart). */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=']).toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (p: number) => rows.filter(([, pp]) => pp === p).forEach(([c]) => (found.push(c), walk(c)));
  walk(pid);
  return found.map((p) => ({ pid: p, cmd: existsSync(`/proc/${p}/cmdline`) ? readFileSync(`/proc/${p}/cmdline`, 'utf8') : '' }));
}

const stillThere = (p: { pid: number; cmd: string }): boolean =>
  alive(p.pid) && (existsSync(`/proc/${p.pid}/cmdline`) ? readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') === p.cmd : false);

/** A raw request with a chosen Host header (fetch will not send a foreign one). */
function rawStatus(u: string, method: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: port(u), method, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function confirm(expectText: RegExp): Promise<void> {
  await expect.poll(() => page.locator('#confirm').getAttribute('class')).toBe('show');
  expect(await page.locator('#confirm-text').textContent()).toMatch(expectText);
  await page.locator('#confirm-yes').click();
  await expect.poll(() => page.locator('#confirm').getAttribute('class')).toBe('');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peakready-console-'));
  stack = spawn(
    process.execPath,
    [join(REPO_DIST, 'cli', 'main.js'), 'stack', 'up', '--dashboard', '--dashboard-out', join(dir, 'game-day'), '--services', 'gateway,tabular,fallback,triton', '--replicas', 'tabular=1'],
    { env: { ...process.env, PEAKREADY_STATE_DIR: join(dir, 'state') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  stack.stdout!.on('data', (d) => (out += String(d)));
  stack.stderr!.on('data', (d) => (out += String(d)));
  const ready = await waitFor(() => url('dashboard') !== '' || stack.exitCode !== null, 45_000, 100);
  expect(ready && stack.exitCode === null, out).toBe(true);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(url('dashboard'))) foreignRequests.push(r.url());
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (stack && stack.exitCode === null && stack.signalCode === null) {
    const left = descendants(stack.pid!);
    stack.kill('SIGINT');
    if (!(await waitFor(() => stack.exitCode !== null || stack.signalCode !== null, 20_000, 100))) stack.kill('SIGKILL');
    for (const p of left) if (stillThere(p)) process.kill(p.pid, 'SIGKILL');
  }
  if (process.env.PEAKREADY_KEEP_SCREENSHOTS === '1') console.log(`screenshots and game-day reports kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('game-day console (stack up --dashboard) in headless Chromium', () => {
  it('drives traffic, injects latency on triton with confirmation, halts, and ends with reports and a clean process table', async () => {
    const dashboard = url('dashboard');
    await page.goto(dashboard, { waitUntil: 'load' });
    await expect.poll(() => page.locator('#services tbody tr').count(), { timeout: 10_000 }).toBe(6);
    expect(await page.locator('#breakers li[data-upstream="triton"] b').textContent()).toBe('closed');

    // The console refuses changes from other origins: no console header, or a foreign Host.
    expect(await rawStatus(dashboard, 'POST', '/api/halt', { 'content-type': 'application/json' })).toBe(403);
    expect(await rawStatus(dashboard, 'GET', '/api/state', { host: 'evil.example' })).toBe(421);

    // Background traffic, after the page's own confirmation.
    await page.locator('#t-rate').fill('40');
    await page.locator('#traffic-start').click();
    await confirm(/^Start background traffic \(seed mix\) at 40 req\/s/);
    await expect.poll(() => page.locator('#traffic-state').textContent(), { timeout: 5000 }).toMatch(/^running at 40 req\/s/);
    await expect.poll(() => page.locator('#stat-rate').textContent(), { timeout: 10_000 }).toMatch(/^\d+ \/s$/);

    // Cancel really cancels.
    await page.locator('#f-kind').selectOption('latency');
    await page.locator('#f-target').selectOption('triton');
    await page.locator('#p-latency').fill('300ms');
    await page.locator('#inject').click();
    await page.locator('#confirm-no').click();
    await page.waitForTimeout(1200);
    expect(await page.locator('#active-faults li[data-fault-id]').count()).toBe(0);

    await page.locator('#inject').click();
    await confirm(/^Inject latency on triton \(latency=300ms\) until cleared\?$/);
    await expect.poll(() => page.locator('#active-faults li[data-fault-id="latency-triton"]').count(), { timeout: 5000 }).toBe(1);
    expect(await page.locator('#active-faults li[data-fault-id="latency-triton"] span').textContent()).toMatch(/^latency on triton · \d+ s$/);
    // 20% of the seed mix is /predict/detailed, served by triton: p99 of all requests crosses 300 ms.
    await expect.poll(async () => Number(await page.locator('#chart-latency').getAttribute('data-last-p99')), { timeout: 20_000, interval: 500 }).toBeGreaterThan(300);
    // A few more seconds of the fault, so the chart (and the screenshot) shows a plateau, not a blip.
    await page.waitForTimeout(3000);
    expect(Number(await page.locator('#chart-latency').getAttribute('data-last-p99'))).toBeGreaterThan(300);
    expect(await page.locator('#chart-latency svg rect.band').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#chart-latency svg path.line').count()).toBeGreaterThanOrEqual(2);
    // The gateway's own histogram, through Prometheus, shows it too (interpolated in the 0.25–0.5 s bucket).
    await expect.poll(async () => Number(((await page.locator('#stat-gw-p99').textContent()) ?? '').replace(' ms', '')), { timeout: 15_000, interval: 500 }).toBeGreaterThan(250);
    expect(await page.locator('#stat-p99').textContent()).toMatch(/^\d+ ms$|^[\d.]+ s$/);
    await page.screenshot({ path: join(dir, 'console-fault.png'), fullPage: true });

    // Halt: after confirmation every fault is reverted and traffic stops.
    await page.locator('#halt').click();
    await confirm(/^HALT: revert every fault, stop the background traffic/);
    await expect.poll(() => page.locator('#active-faults li').first().textContent(), { timeout: 10_000 }).toBe('none');
    await expect.poll(() => page.locator('#traffic-state').textContent(), { timeout: 5000 }).toBe('stopped');
    await expect.poll(() => page.locator('#actions li').first().textContent(), { timeout: 5000 }).toMatch(/background traffic stopped|cleared latency-triton/);
    await page.screenshot({ path: join(dir, 'console-halted.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);

    // Ctrl-C: everything goes away.
    const ports = [url('dashboard'), url('gateway'), url('admin'), url('prometheus')].map(port);
    const children = descendants(stack.pid!);
    expect(children.length).toBeGreaterThanOrEqual(6); // 4 services, redis, prometheus
    stack.kill('SIGINT');
    expect(await waitFor(() => stack.exitCode !== null, 30_000, 100), out).toBe(true);
    expect(stack.exitCode).toBe(130);
    expect(children.filter(stillThere)).toEqual([]);
    for (const p of ports) expect(await listening(p), `port ${p}`).toBe(false);

    // The game day ends with the reports of a scripted run, the fault on their timeline.
    const gd = join(dir, 'game-day');
    for (const f of ['events.ndjson', 'journal.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(gd, f)), f).toBe(true);
    const journal = JSON.parse(readFileSync(join(gd, 'journal.json'), 'utf8')) as Journal;
    expect(journal.status).toBe('completed');
    const fault = journal.faults.find((f) => f.id === 'latency-triton')!;
    expect(fault).toMatchObject({ kind: 'latency', target: 'triton', params: { latency: '300ms' } });
    expect(fault.endMs).toBeGreaterThan(fault.startMs);
    const during = journal.timeline.filter((s) => s.endpoint === 'detailed' && (s.t + 1) * 1000 > fault.startMs && s.t * 1000 < fault.endMs);
    expect(during.length).toBeGreaterThan(0);
    expect(Math.max(...during.map((s) => s.latency.p99))).toBeGreaterThan(300);
    const detailed = journal.endpoints.find((e) => e.endpoint === 'detailed')!;
    expect(detailed.requests).toBeGreaterThan(0);
    expect(detailed.latency.max).toBeGreaterThan(300);
    expect(journal.events.map((e) => e.type)).toEqual(expect.arrayContaining(['traffic', 'inject', 'halt', 'clear']));
    expect(readFileSync(join(gd, 'summary.md'), 'utf8')).toContain('fault **latency-triton**');
    expect(readFileSync(join(gd, 'report.html'), 'utf8')).toContain('latency-triton');
    expect(readFileSync(join(gd, 'events.ndjson'), 'utf8').trim().split('\n').at(-1)).toContain('"type":"end"');
    await page.goto(pathToFileURL(join(gd, 'report.html')).href, { waitUntil: 'load' });
    expect(await page.locator('#chart-latency svg path.line').count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(dir, 'game-day-report.png'), fullPage: true });
  }, 120_000);
});
