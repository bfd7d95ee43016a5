/**
 * Opens report.html in Debian's headless Chromium (playwright-core) the way a user would:
 * no console errors, no network request other than the file itself, charts and SLO table
 * present, a hostile scenario name shown as text. Takes screenshots into a temp folder
 * (kept when PEAKREADY_KEEP_SCREENSHOTS=1, printed to the log).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../src/report/write-reports.js';
import { buildSampleJournal } from '../unit/report/fixtures/sample-journal.js';

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peakready-browser-'));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (process.env.PEAKREADY_KEEP_SCREENSHOTS === '1') console.log(`screenshots kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

interface Visit {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Visit> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const v: Visit = { page, consoleErrors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') v.consoleErrors.push(m.text());
  });
  page.on('pageerror', (err) => v.consoleErrors.push(err.message));
  page.on('request', (r) => v.requests.push(r.url()));
  page.on('dialog', (d) => {
    v.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return v;
}

describe('report.html in headless Chromium', () => {
  it('opens without console errors or network requests and shows charts and the SLO table', async () => {
    const journal = await buildSampleJournal();
    const out = join(dir, 'sample');
    await writeReports(journal, out);
    const file = join(out, 'report.html');
    const v = await open(file);
    const { page } = v;
    expect(v.consoleErrors).toEqual([]);
    expect(v.requests).toEqual([pathToFileURL(file).href]);
    expect(await page.locator('#slo-table tbody tr').count()).toBe(journal.slos.length);
    expect(await page.locator('#verdict').textContent()).toBe(journal.verdict === 'pass' ? 'PASS' : 'FAIL');
    expect(await page.locator('figure.chart svg path.line').count()).toBeGreaterThanOrEqual(10);
    for (const id of ['chart-rate', 'chart-latency', 'chart-errors', 'chart-fallback', 'chart-cache', 'chart-replicas']) {
      const box = await page.locator(`#${id} svg`).boundingBox();
      expect(box?.width, id).toBeGreaterThan(300);
      expect(box?.height, id).toBeGreaterThan(100);
    }
    // The hover read-out works (the inline script ran under the page's CSP).
    const latency = page.locator('#chart-latency svg');
    const box = (await latency.boundingBox())!;
    await latency.hover({ position: { x: box.width * 0.6, y: box.height / 2 } });
    await expect.poll(() => page.locator('#chart-latency .tip').textContent(), { timeout: 5000 }).toMatch(/^t = \d+sp50: [\d.]+m?s/);
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    expect(v.consoleErrors).toEqual([]);
    await page.close();
  });

  it('shows a scenario named <script>alert(1)</script> as text and runs nothing from it', async () => {
    const journal = await buildSampleJournal({ scenarioName: '<script>alert(1)</script>', eventMessage: '<img src=x onerror=alert(2)>' });
    const out = join(dir, 'evil');
    await writeReports(journal, out);
    const v = await open(join(out, 'report.html'));
    expect(await v.page.locator('#scenario-name').textContent()).toBe('<script>alert(1)</script>');
    expect(await v.page.title()).toBe(`${journal.verdict === 'pass' ? 'PASS' : 'FAIL'} · <script>alert(1)</script> · peakready`);
    expect(await v.page.locator('img').count()).toBe(0);
    expect(v.dialogs).toEqual([]);
    expect(v.consoleErrors).toEqual([]);
    expect(v.requests).toHaveLength(1);
    // junit.xml of the same run is well-formed XML for the browser's parser too.
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    const parsed = await v.page.evaluate((text) => {
      // Runs in the page; the test's tsconfig has no DOM types.
      type El = { textContent: string | null; getAttribute(n: string): string | null };
      const Parser = (globalThis as unknown as { DOMParser: new () => { parseFromString(t: string, m: string): { querySelector(s: string): El | null } } }).DOMParser;
      const doc = new Parser().parseFromString(text, 'application/xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, suite: doc.querySelector('testsuite')?.getAttribute('name') ?? null };
    }, xml);
    expect(parsed).toEqual({ error: null, suite: '<script>alert(1)</script> / SLOs' });
    await v.page.screenshot({ path: join(dir, 'report-escaped.png') });
    await v.page.close();
  });
});
