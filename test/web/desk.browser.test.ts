// The deals desk in a real browser (Debian's chromium, driven by playwright-core), as a reseller
// uses it: filter, sort and page through 300 deals, open one, download the CSV. No script error,
// no CSP violation, no request leaves the server, no hostile title runs. Screenshots of /deals and
// one deal at desktop and phone widths are kept in __screenshots__.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusServer } from '../../src/http.js';
import { type Browser, CHROMIUM, hasChromium, launchChromium } from '../chromium.js';
import { projectColumns } from '../helpers.js';
import { asinOf, type DeskFixture, deskDatabase, deskServer, XSS_TITLE } from './deskFixture.js';

const SHOTS = resolve(import.meta.dirname, '__screenshots__');
if (!hasChromium) console.warn(`skipping the deals desk browser tests: ${CHROMIUM} is missing (apt-get install chromium)`);

type Page = import('playwright-core').Page;
let browser: Browser | null = null;
let f: DeskFixture;
let server: StatusServer;

interface Watched {
  page: Page;
  errors: string[];
  outside: string[];
  alerts: number;
}

async function openPage(width: number): Promise<Watched> {
  if (browser === null) throw new Error('no browser');
  const page = await browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
  const w: Watched = { page, errors: [], outside: [], alerts: 0 };
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('console', (m) => (m.type() === 'error' ? w.errors.push(m.text()) : undefined));
  page.on('dialog', (d) => {
    w.alerts++;
    void d.dismiss();
  });
  page.on('request', (r) => (r.url().startsWith(server.url) ? undefined : w.outside.push(r.url())));
  return w;
}

function clean(w: Watched): void {
  expect(w.errors).toEqual([]);
  expect(w.outside).toEqual([]);
  expect(w.alerts).toBe(0);
}

describe.skipIf(!hasChromium)('deals desk in Chromium', () => {
  beforeAll(async () => {
    f = deskDatabase(projectColumns(), 300);
    server = await deskServer(f);
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    f?.close();
  });

  it('filters, sorts, pages, opens a deal and downloads the CSV', async () => {
    const w = await openPage(1280);
    const { page } = w;
    await page.goto(`${server.url}/deals`);
    expect(await page.locator('table.deals tbody tr').count()).toBe(50);
    await page.screenshot({ path: resolve(SHOTS, 'deals-desktop.png'), fullPage: false });

    await page.fill('input[name=min_profit]', '8');
    await page.fill('input[name=min_roi]', '40');
    await Promise.all([page.waitForURL(/min_profit=8/), page.click('button[type=submit]')]);
    const filtered = Number((await page.locator('.summary strong').innerText()).replace(/,/g, ''));
    expect(filtered).toBeGreaterThan(50);
    expect(filtered).toBeLessThan(270);

    // The script submits the form when a select changes.
    await Promise.all([page.waitForURL(/condition=Used/), page.selectOption('select[name=condition]', 'Used - Very Good')]);
    const narrowed = Number((await page.locator('.summary strong').innerText()).replace(/,/g, ''));
    expect(narrowed).toBeLessThan(filtered);
    await Promise.all([page.waitForURL(/condition=/), page.selectOption('select[name=condition]', '')]);

    await Promise.all([page.waitForURL(/sort=roi/), page.click('th a:has-text("ROI")')]);
    const rois = await page.locator('td[data-label=ROI]').allInnerTexts();
    const values = rois.map((t) => Number.parseFloat(t));
    expect(values).toEqual([...values].sort((a, b) => b - a));

    await Promise.all([page.waitForURL(/page=2/), page.click('.pager a:has-text("Next")')]);
    expect(page.url()).toContain('min_profit=8');
    expect(page.url()).toContain('sort=roi');
    const secondPageFirst = Number.parseFloat(await page.locator('td[data-label=ROI]').first().innerText());
    expect(secondPageFirst).toBeLessThanOrEqual(values.at(-1) ?? 0);

    const first = page.locator('td.title a').first();
    const title = await first.innerText();
    await Promise.all([page.waitForURL(/\/deals\/B0DESK/), first.click()]);
    expect(await page.locator('h1').innerText()).toBe(title);
    expect(await page.locator('svg.chart circle.sale').count()).toBeGreaterThan(2);

    await page.goBack();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("CSV")')]);
    expect(download.suggestedFilename()).toBe('deals.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n').filter((l) => l !== '')).toHaveLength(filtered + 1);
    clean(w);
    await page.close();
  });

  it('shows hostile titles as text', async () => {
    const w = await openPage(1280);
    await w.page.goto(`${server.url}/deals?q=B0DESK000&all=1`);
    expect(await w.page.locator('td.title a').allInnerTexts()).toContain(XSS_TITLE);
    expect(await w.page.locator('img').count()).toBe(0);
    await w.page.goto(`${server.url}/deals/${asinOf(1)}`);
    expect(await w.page.locator('h1').innerText()).toContain('<script>alert("desk")</script>');
    clean(w);
    await w.page.close();
  });

  it('keeps screenshots of a deal at desktop width and of both pages at phone width', async () => {
    for (const [width, suffix] of [
      [1280, 'desktop'],
      [390, 'phone'],
    ] as const) {
      const w = await openPage(width);
      if (suffix === 'phone') {
        await w.page.goto(`${server.url}/deals`);
        await w.page.screenshot({ path: resolve(SHOTS, 'deals-phone.png'), fullPage: false });
        const overflow = await w.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(0);
      }
      await w.page.goto(`${server.url}/deals/${asinOf(5)}`);
      await w.page.screenshot({ path: resolve(SHOTS, `deal-${suffix}.png`), fullPage: true });
      expect(await w.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
      clean(w);
      await w.page.close();
    }
  });
});
