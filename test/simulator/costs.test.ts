import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import type { DealResponse, ProductResponse, SellerResponse, TokenFields } from '../../src/keepa/types.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
let sim: Simulator;
let asins: readonly string[];

beforeAll(async () => {
  sim = await createSimulator({ clock: new VirtualClock(START), seed: 5, catalogSize: 120, refillRate: 1_000 });
  asins = sim.catalog.asins();
});
afterAll(() => sim.close());

async function call<T>(path: string, params: Record<string, string | number> = {}): Promise<T & TokenFields> {
  const url = new URL(path, sim.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T & TokenFields;
}

describe('costs per call shape', () => {
  it('charges nothing for /token', async () => {
    expect((await call<object>('/token')).tokensConsumed).toBe(0);
  });

  it('charges 5 per /deal page, empty or not', async () => {
    const deal = await call<DealResponse>('/deal', { selection: JSON.stringify({ priceTypes: [2], dateRange: 3, page: 0 }) });
    expect(deal.tokensConsumed).toBe(5);
    const empty = await call<DealResponse>('/deal', { selection: JSON.stringify({ priceTypes: [2], page: 50 }) });
    expect(empty.deals.dr).toHaveLength(0);
    expect(empty.tokensConsumed).toBe(5);
  });

  it('charges 1 per product found, nothing for unknown ASINs', async () => {
    const found = await call<ProductResponse>('/product', { domain: 1, asin: `${asins.slice(0, 7).join(',')},0000000000`, stats: 90 });
    expect(found.products).toHaveLength(8);
    expect(found.products[7]).toMatchObject({ asin: '0000000000', title: null, csv: null });
    expect(found.tokensConsumed).toBe(7);
  });

  it('charges 6 per page of up to 10 live offers per product instead of the 1', async () => {
    const batch = asins.slice(0, 40);
    const res = await call<ProductResponse>('/product', { domain: 1, asin: batch.join(','), offers: 100, 'only-live-offers': 1, history: 0 });
    const pages = res.products.map((p) => Math.max(1, Math.ceil((p.liveOffersOrder?.length ?? 0) / 10)));
    // The catalog has books with 0-10 and with more than 10 live offers: both prices are exercised.
    expect(pages.some((n) => n === 1)).toBe(true);
    expect(pages.some((n) => n >= 2)).toBe(true);
    expect(res.tokensConsumed).toBe(pages.reduce((sum, n) => sum + 6 * n, 0));
  });

  it('caps the offers charged by the number asked for', async () => {
    const res = await call<ProductResponse>('/product', { domain: 1, asin: asins.slice(0, 40).join(','), offers: 20, history: 0 });
    const pages = res.products.map((p) => Math.max(1, Math.ceil((p.liveOffersOrder?.length ?? 0) / 10)));
    expect(Math.max(...pages)).toBeLessThanOrEqual(2);
    expect(res.tokensConsumed).toBe(pages.reduce((sum, n) => sum + 6 * n, 0));
  });

  it('adds 1 for rating, 2 for buybox and 1 for update=0, per product', async () => {
    const three = asins.slice(0, 3).join(',');
    expect((await call<ProductResponse>('/product', { domain: 1, asin: three, rating: 1 })).tokensConsumed).toBe(3 * 2);
    expect((await call<ProductResponse>('/product', { domain: 1, asin: three, buybox: 1 })).tokensConsumed).toBe(3 * 3);
    expect((await call<ProductResponse>('/product', { domain: 1, asin: three, update: 0 })).tokensConsumed).toBe(3 * 2);
  });

  it('charges 1 per seller found', async () => {
    const product = await call<ProductResponse>('/product', { domain: 1, asin: asins[0] ?? '', offers: 20 });
    // Marketplace sellers: Amazon's own record has no rating.
    const ids = [...new Set((product.products[0]?.offers ?? []).filter((o) => !o.isAmazon).map((o) => o.sellerId))].slice(0, 3);
    expect(ids.length).toBeGreaterThan(0);
    const res = await call<SellerResponse>('/seller', { domain: 1, seller: [...ids, 'A0000000000000'].join(',') });
    expect(Object.keys(res.sellers).sort()).toEqual([...ids].sort());
    expect(res.tokensConsumed).toBe(ids.length);
    const seller = res.sellers[ids[0] ?? ''];
    expect(seller?.currentRating).toBeGreaterThan(0);
    expect(seller?.currentRatingCount).toBeGreaterThan(0);
  });

  it('charges nothing for a request it rejects', async () => {
    const before = sim.tokens.state().tokensLeft;
    const res = await fetch(`${sim.url}/product?domain=1&asin=${asins[0] ?? ''}&offers=10`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as TokenFields).tokensConsumed).toBe(0);
    const tooMany = await fetch(`${sim.url}/product?domain=1&asin=${asins.slice(0, 101).join(',')}`);
    expect(tooMany.status).toBe(400);
    expect(sim.tokens.state().tokensLeft).toBe(before);
  });
});
