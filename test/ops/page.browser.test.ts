// The status page in a real browser (Debian's chromium, driven by playwright-core): it renders
// without errors or outside requests, a person can read the verdict, and a screenshot is kept.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StatusServer, startStatusServer } from '../../src/http.js';
import { silentLogger } from '../../src/log.js';
import { type Browser, CHROMIUM, hasChromium, launchChromium } from '../chromium.js';
import { EVIL_TITLE, type Fixture, flowingFixture, stalledFixture } from './fixture.js';

const SHOTS = resolve(import.meta.dirname, '__screenshots__');
if (!hasChromium) console.warn(`skipping the status page browser tests: ${CHROMIUM} is missing (apt-get install chromium)`);

let browser: Browser | null = null;
const servers: StatusServer[] = [];

async function serve(f: Fixture): Promise<string> {
  const server = await startStatusServer({ host: '127.0.0.1', port: 0, log: silentLogger(), report: f.report, store: f.store });
  servers.push(server);
  return server.url;
}

describe.skipIf(!hasChromium)('status page in Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  async function open(f: Fixture, shot: string | null): Promise<{ text: string; errors: string[]; outside: string[]; alerts: number }> {
    if (browser === null) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const outside: string[] = [];
    let alerts = 0;
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    page.on('dialog', (d) => {
      alerts++;
      void d.dismiss();
    });
    const url = await serve(f);
    page.on('request', (r) => (r.url().startsWith(url) ? undefined : outside.push(r.url())));
    await page.goto(`${url}/`);
    if (shot !== null) await page.screenshot({ path: resolve(SHOTS, shot), fullPage: true });
    const text = await page.locator('body').innerText();
    await page.close();
    return { text, errors, outside, alerts };
  }

  it('shows a degraded daemon with its reasons, chart, runs, parked items and deals', async () => {
    const { text, errors, outside, alerts } = await open(flowingFixture(), 'status-page.png');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    expect(alerts).toBe(0);
    expect(text).toContain('DEGRADED');
    expect(text).toContain('1 item(s) parked after repeated failures (bad_product_data: 1)');
    expect(text).toContain(EVIL_TITLE);
    for (const heading of ['Last 24 hours', 'Last runs', 'Parked items', 'Newest visible deals']) expect(text).toContain(heading);
  });

  it('shows a stall in words', async () => {
    const { text } = await open(stalledFixture(), null);
    expect(text).toContain('STALLED');
    expect(text).toContain('nothing committed for 3 h although 1200 tokens were available: last error BadResponseError: the deal list answer was not JSON');
  });
});
