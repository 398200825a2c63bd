import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import type { DealResponse, KeepaDeal, ProductResponse, TokenFields } from '../../src/keepa/types.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const WIDE = { priceTypes: [2], dateRange: 3, sortType: 1 };
let clock: VirtualClock;
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  clock = new VirtualClock(START);
  sim = await createSimulator({ clock, seed: 4, catalogSize: 80, refillRate: 1_000, ...options });
  return sim;
}

const productUrl = (s: Simulator): string => `${s.url}/product?domain=1&asin=${s.catalog.asins()[0] ?? ''}&stats=90`;
const dealUrl = (s: Simulator, page = 0): string => `${s.url}/deal?selection=${encodeURIComponent(JSON.stringify({ ...WIDE, page }))}`;

describe('faults', () => {
  it('rateLimit: 429 with the token fields and a pretended balance for the next N calls, consuming nothing', async () => {
    const s = await start();
    s.faults.add({ kind: 'rateLimit', path: '/deal', count: 2, tokensLeft: -5 });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(dealUrl(s));
      expect(res.status).toBe(429);
      expect((await res.json()) as TokenFields).toMatchObject({ tokensLeft: -5, tokensConsumed: 0, refillRate: 1_000 });
    }
    expect((await fetch(productUrl(s))).status).toBe(200);
    expect((await fetch(dealUrl(s))).status).toBe(200);
    expect(s.ledger.summary().rateLimited).toBe(2);
    expect(s.tokens.state().tokensLeft).toBe(60_000 - 1 - 5);
  });

  it('rateLimit storm over a window of simulated time', async () => {
    const s = await start();
    s.faults.add({ kind: 'rateLimit', fromMs: START + 60_000, untilMs: START + 5 * 60_000 });
    expect((await fetch(productUrl(s))).status).toBe(200);
    clock.advance(60_000);
    expect((await fetch(productUrl(s))).status).toBe(429);
    expect((await fetch(`${s.url}/token`)).status).toBe(429);
    clock.advance(4 * 60_000);
    expect((await fetch(productUrl(s))).status).toBe(200);
  });

  it('serverError: the status asked for, nothing consumed', async () => {
    const s = await start();
    s.faults.add({ kind: 'serverError', status: 503, count: 1 });
    const res = await fetch(productUrl(s));
    expect(res.status).toBe(503);
    expect(((await res.json()) as TokenFields).tokensConsumed).toBe(0);
    expect((await fetch(productUrl(s))).status).toBe(200);
  });

  it('delay: answers after the delay, in real time', async () => {
    const s = await start();
    s.faults.add({ kind: 'delay', ms: 250, count: 1 });
    const t0 = performance.now();
    expect((await fetch(productUrl(s))).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('hang: never answers until the client gives up; charged like the work Keepa did', async () => {
    const s = await start();
    s.faults.add({ kind: 'hang', path: '/product', count: 1 });
    await expect(fetch(productUrl(s), { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    const [entry] = s.ledger.entries('/product');
    expect(entry).toMatchObject({ status: 0, tokensConsumed: 1, faults: ['hang'] });
    expect((await fetch(productUrl(s))).status).toBe(200);
  });

  it('truncatedJson: half a body that does not parse; charged', async () => {
    const s = await start();
    s.faults.add({ kind: 'truncatedJson', count: 1 });
    const res = await fetch(productUrl(s));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(s.ledger.entries()[0]?.tokensConsumed).toBe(1);
  });

  it('htmlBody: an HTML page instead of JSON (status 200 unless set), nothing consumed', async () => {
    const s = await start();
    s.faults.add({ kind: 'htmlBody', path: '/deal', count: 1 });
    s.faults.add({ kind: 'htmlBody', path: '/deal', count: 1, status: 502 });
    const res = await fetch(dealUrl(s));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toMatch(/^<html>/);
    expect((await fetch(dealUrl(s))).status).toBe(502);
    expect(s.tokens.state().tokensLeft).toBe(60_000);
  });

  it('nullInStats: null inside the stats arrays', async () => {
    const s = await start();
    s.faults.add({ kind: 'nullInStats', count: 1 });
    const first = ((await (await fetch(productUrl(s))).json()) as ProductResponse).products[0];
    expect(first?.stats?.current[2]).toBeNull();
    expect(first?.stats?.avg90?.[2]).toBeNull();
    const second = ((await (await fetch(productUrl(s))).json()) as ProductResponse).products[0];
    expect(second?.stats?.current[2]).not.toBeNull();
  });

  describe('on the deal list', () => {
    let shared: Simulator;
    const listClock = new VirtualClock(START);
    beforeAll(async () => {
      shared = await createSimulator({ clock: listClock, seed: 4, catalogSize: 700, dealsPerHour: 10, refillRate: 1_000 });
    });
    afterAll(() => shared.close());

    it('duplicateAsins: each page after the first starts with the last deals of the page before', async () => {
      shared.faults.add({ kind: 'duplicateAsins', perPage: 3, count: 1 });
      const first = ((await (await fetch(dealUrl(shared, 0))).json()) as DealResponse).deals;
      expect(first.categoryCount?.[0]).toBeGreaterThan(150);
      const page0 = first.dr;
      // Page 1 comes from the same cached answer: the fault shaped it as a whole.
      const page1 = ((await (await fetch(dealUrl(shared, 1))).json()) as DealResponse).deals.dr;
      expect(page0).toHaveLength(150);
      expect(page1.slice(0, 3).map((d) => d.asin)).toEqual(page0.slice(-3).map((d) => d.asin));
      expect(shared.faults.list()).toHaveLength(0);
    });

    it('sharedLastUpdate: deals in groups sharing one lastUpdate minute', async () => {
      listClock.advance(121_000);
      shared.faults.add({ kind: 'sharedLastUpdate', groupSize: 4, count: 1 });
      const dr: KeepaDeal[] = ((await (await fetch(dealUrl(shared))).json()) as DealResponse).deals.dr;
      expect(dr.length).toBeGreaterThanOrEqual(8);
      for (let i = 0; i + 4 <= dr.length; i += 4) {
        expect(new Set(dr.slice(i, i + 4).map((d) => d.lastUpdate)).size).toBe(1);
      }
    });
  });

  it('refillRateChange: the rate changes at the given simulated time, from the constructor too', async () => {
    const s = await start({ faults: [{ kind: 'refillRateChange', atMs: START + 10 * 60_000, refillRate: 5 }] });
    expect(((await (await fetch(`${s.url}/token`)).json()) as TokenFields).refillRate).toBe(1_000);
    clock.advance(10 * 60_000);
    expect((await (await fetch(`${s.url}/token`)).json()) as TokenFields).toMatchObject({ refillRate: 5, tokensLeft: 300 });
  });

  it('targets faults by path and stops when removed', async () => {
    const s = await start();
    const id = s.faults.add({ kind: 'serverError', path: '/product' });
    expect((await fetch(`${s.url}/token`)).status).toBe(200);
    expect((await fetch(productUrl(s))).status).toBe(500);
    expect((await fetch(productUrl(s))).status).toBe(500);
    s.faults.remove(id);
    expect((await fetch(productUrl(s))).status).toBe(200);
    expect(s.faults.list()).toHaveLength(0);
  });
});
