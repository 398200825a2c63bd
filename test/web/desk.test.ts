// The deals desk over HTTP, as a reseller's browser or script sees it: filters, sorting and paging
// by query string, one deal explained, exports with every column, and the security rules
// (hostile titles stay text, formulas are defused, only GET and HEAD, a token when required).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusServer } from '../../src/http.js';
import { projectColumns } from '../helpers.js';
import { asinOf, type DeskFixture, deskDatabase, deskServer, FORMULA_TITLE, SCRIPT_TITLE, XSS_TITLE } from './deskFixture.js';

let f: DeskFixture;
let server: StatusServer;

beforeAll(async () => {
  f = deskDatabase(projectColumns(), 300);
  server = await deskServer(f);
});

afterAll(async () => {
  await server.close();
  f.close();
});

async function json(path: string): Promise<{ total: number; deals: Array<Record<string, unknown>> }> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { total: number; deals: Array<Record<string, unknown>> };
}

/** RFC 4180 lines into cells (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('the deals list', () => {
  it('shows visible deals by default and every deal with all=1', async () => {
    const visible = await json('/deals.json');
    const all = await json('/deals.json?all=1');
    expect(all.total).toBe(300);
    expect(visible.total).toBe(270);
    expect(visible.deals.every((d) => typeof d.Profit === 'number' && d.Profit > 0)).toBe(true);
  });

  it('filters on profit, ROI, rank, sales, season, condition and text', async () => {
    const r = await json('/deals.json?min_profit=10&min_roi=50&max_rank=1500000&min_sales=2&season=Holiday&condition=Used%20-%20Good');
    expect(r.total).toBeGreaterThan(0);
    expect(r.total).toBe(r.deals.length);
    for (const d of r.deals) {
      expect(d.Profit as number).toBeGreaterThanOrEqual(10);
      expect(((d.Profit as number) / (d.All_in_Cost as number)) * 100).toBeGreaterThanOrEqual(50);
      expect(d.Sales_Rank_Current as number).toBeLessThanOrEqual(1_500_000);
      expect([d.Seasonality_Type, d.Condition]).toEqual(['Holiday', 'Used - Good']);
    }
    const text = await json('/deals.json?q=history&all=1');
    expect(text.total).toBe(30);
    expect((await json(`/deals.json?q=${asinOf(17).toLowerCase()}`)).deals.map((d) => d.ASIN)).toEqual([asinOf(17)]);
    expect((await json('/deals.json?q=100%25')).total).toBe(0);
  });

  it('sorts either way, lowest rank first by default for rank, and limits an export', async () => {
    const profits = (await json('/deals.json?sort=profit&limit=20')).deals.map((d) => d.Profit as number);
    expect(profits).toEqual([...profits].sort((a, b) => b - a));
    const ranks = (await json('/deals.json?sort=rank')).deals.map((d) => d.Sales_Rank_Current as number);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const limited = await json('/deals.json?sort=margin&order=asc&limit=5');
    expect(limited.deals).toHaveLength(5);
    expect(limited.total).toBe(270);
  });

  it('pages by 50 with the view kept in every link', async () => {
    const res = await fetch(`${server.url}/deals?sort=roi&min_profit=1&page=2`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect((html.match(/<tr><td class="title">/g) ?? []).length).toBe(50);
    expect(html).toContain('href="/deals?min_profit=1&amp;sort=roi&amp;page=3"');
    expect(html).toContain('href="/deals.csv?min_profit=1&amp;sort=roi"');
  });

  it('answers a bad parameter with 400 and a sentence', async () => {
    const res = await fetch(`${server.url}/deals?min_profit=lots`);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('min_profit must be a dollar amount such as 5 or 7.50; it is "lots".\n');
    expect((await fetch(`${server.url}/deals.json?sort=price`)).status).toBe(400);
  });
});

describe('one deal', () => {
  it('explains the figures with the sales, costs, fees, chart and offers', async () => {
    const res = await fetch(`${server.url}/deals/${asinOf(5)}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    for (const text of ['Why List at is', 'Why 1yr. Avg. is', 'All-in cost', "Amazon's fees", 'Break-even list price', 'Live offers', '<svg', 'class="sale', 'Every column (216)']) expect(html).toContain(text);
  });

  it('says why a deal is not shown, and answers 404 for an unknown book', async () => {
    expect(await (await fetch(`${server.url}/deals/${asinOf(9)}`)).text()).toContain('Not shown:</strong> Profit is -$');
    expect((await fetch(`${server.url}/deals/B000000000`)).status).toBe(404);
  });
});

describe('security', () => {
  it('renders hostile titles as text on the list and the deal page', async () => {
    for (const path of ['/deals?all=1&sort=found&order=asc', `/deals/${asinOf(0)}`, `/deals/${asinOf(1)}`]) {
      const html = await (await fetch(`${server.url}${path}`)).text();
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<script>alert');
    }
    const list = await (await fetch(`${server.url}/deals?q=B0DESK000`)).text();
    expect(list).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(list).toContain('&lt;script&gt;alert(&quot;desk&quot;)&lt;/script&gt;');
  });

  it('sends a CSP that allows only its own nonce, and only GET and HEAD', async () => {
    const res = await fetch(`${server.url}/deals`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    const html = await res.text();
    expect(html.match(/<script[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
    expect(csp).toContain("default-src 'none'");
    const post = await fetch(`${server.url}/deals`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${server.url}/deals.csv`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('defuses formulas in CSV text cells and keeps negative numbers numeric', async () => {
    const res = await fetch(`${server.url}/deals.csv?all=1&sort=found&order=asc`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="deals.csv"');
    const rows = parseCsv(await res.text());
    const header = rows[0] ?? [];
    expect(header.slice(0, 3)).toEqual(['ASIN', 'Percent Down 90', 'Avg. Price 90']);
    expect(header).toContain('1yr. Avg.');
    expect(rows).toHaveLength(301);
    const title = header.indexOf('Title');
    const profit = header.indexOf('Profit');
    const byAsin = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byAsin.get(asinOf(2))?.[title]).toBe(`'${FORMULA_TITLE}`);
    expect(byAsin.get(asinOf(1))?.[title]).toBe(SCRIPT_TITLE);
    expect(byAsin.get(asinOf(0))?.[title]).toBe(XSS_TITLE);
    expect(byAsin.get(asinOf(9))?.[profit]).toMatch(/^-\d+(\.\d+)?$/);
  });
});

describe('with HTTP_AUTH_TOKEN', () => {
  const TOKEN = 'correct-horse-battery-staple-42';
  let guarded: StatusServer;
  beforeAll(async () => {
    guarded = await deskServer(f, { authToken: TOKEN });
  });
  afterAll(async () => guarded.close());

  it('refuses a missing or wrong token with a bare 401 and accepts bearer or basic auth', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${Buffer.from(`${TOKEN}:x`).toString('base64')}` }];
    for (const headers of attempts) {
      const res = await fetch(`${guarded.url}/deals.json`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="keepa-deals", charset="UTF-8"');
      const body = await res.text();
      expect(body).toBe('authorization required\n');
    }
    expect((await fetch(`${guarded.url}/deals.json?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${guarded.url}/status`, { headers: { authorization: `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}` } })).status).toBe(200);
  });
});
