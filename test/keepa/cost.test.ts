import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CostModel, dealOfferCount, type ProductShape } from '../../src/keepa/cost.js';
import type { KeepaDeal } from '../../src/keepa/types.js';

describe('CostModel', () => {
  it("follows Keepa's documented prices per call shape", () => {
    const costs = new CostModel();
    expect(costs.estimate({ path: 'token' })).toBe(0);
    expect(costs.estimate({ path: 'deal', count: 3 })).toBe(15);
    expect(costs.estimate({ path: 'seller', count: 7 })).toBe(7);
    expect(costs.estimate({ path: 'product', count: 50 })).toBe(50);
    // Offers replace the 1 per product with 6 per page of up to 10 offers found.
    expect(costs.estimate({ path: 'product', count: 50, offers: 20 })).toBe(600);
    expect(costs.estimate({ path: 'product', count: 50, offers: 20, expectedOffers: 4 })).toBe(300);
    expect(costs.estimate({ path: 'product', count: 1, offers: 40, expectedOffers: 18 })).toBe(12);
    expect(costs.estimate({ path: 'product', count: 1, offers: 20, expectedOffers: 0 })).toBe(6);
    expect(costs.estimate({ path: 'product', count: 10, rating: true, buybox: true, update: 0 })).toBe(50);
    // buybox is ignored (and free) when offers are requested.
    expect(costs.estimate({ path: 'product', count: 1, offers: 20, expectedOffers: 5, buybox: true })).toBe(6);
  });

  it('corrects a shape from tokensConsumed: up at once, down once dear answers leave the recent window, never below a floor', () => {
    const costs = new CostModel();
    const shape: ProductShape = { path: 'product', count: 10, offers: 20 };
    expect(costs.estimate(shape)).toBe(120);
    costs.learn(shape, 180);
    expect(costs.estimate(shape)).toBe(180);
    for (let i = 0; i < 9; i += 1) costs.learn(shape, 60);
    expect(costs.estimate(shape)).toBe(180);
    costs.learn(shape, 60);
    expect(costs.estimate(shape)).toBe(60);
    for (let i = 0; i < 40; i += 1) costs.learn(shape, 0);
    expect(costs.correction(shape)).toBe(0.25);
    // Another shape is not affected.
    expect(costs.estimate({ path: 'product', count: 10 })).toBe(10);
  });

  it('sizes batches to a capacity', () => {
    const costs = new CostModel();
    const peek: ProductShape = { path: 'product', count: 0, offers: 20, expectedOffers: 10 };
    expect(costs.maxBatchSize(peek, 210)).toBe(35);
    expect(costs.maxBatchSize(peek, 5)).toBe(0);
    expect(costs.maxBatchSize({ path: 'product', count: 0 }, 10_000)).toBe(100);
    expect(costs.maxBatchSize({ path: 'deal', count: 0 }, 24)).toBe(4);
    costs.learn({ ...peek, count: 10 }, 120);
    expect(costs.maxBatchSize(peek, 210)).toBe(17);
  });

  it('saves and restores its corrections', () => {
    const costs = new CostModel();
    costs.learn({ path: 'deal', count: 1 }, 7.5);
    const restored = new CostModel();
    restored.restore(JSON.parse(JSON.stringify(costs.snapshot())));
    expect(restored.estimate({ path: 'deal', count: 2 })).toBe(15);
  });
});

describe('the offers a real deal announces', () => {
  const page = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'real-keepa', 'deals', 'aa_deal_2025-09-18_p0.json'), 'utf8')) as { deals: { dr: KeepaDeal[] } };
  const deal = (asin: string): KeepaDeal => page.deals.dr.find((d) => d.asin === asin) as KeepaDeal;
  const offersCost = (expectedOffers: number | undefined) => new CostModel().estimate({ path: 'product', count: 1, offers: 20, expectedOffers });

  it('count every condition, since Keepa charges for every page of offers found', () => {
    // current[11..14] (New, Used, Refurbished, Collectible): 1781255105 [2, 3, -1, -1];
    // 8876248021 [4, 9, -1, 6].
    expect(dealOfferCount(deal('1781255105'))).toBe(5);
    expect(dealOfferCount(deal('8876248021'))).toBe(19);
    // 9 Used offers alone fit one page (6 tokens); all 19 offers are two pages (12 tokens).
    expect(offersCost(deal('8876248021').current[12])).toBe(6);
    expect(offersCost(dealOfferCount(deal('8876248021')))).toBe(12);
  });
});
