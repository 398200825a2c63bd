// The simulator's books must look like real Keepa books (test/fixtures/real-keepa/books/, see the
// PROVENANCE.md): the same figures, measured the same way, must fall in the same ranges on both.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.js';
import { PROJECT_DIR } from '../../src/config.js';
import { msToKeepaMinutes } from '../../src/keepa/time.js';
import { CsvType, type KeepaProduct } from '../../src/keepa/types.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { countDrops, type Likeness, measure, median } from './likeness.js';

/** The real books with a year of dense rank history and at most 100 rank drops a year. */
const REAL_BOOKS = ['055299068X', '193288436X', '1937565750', '0470820942', '1593694512'];
const START = Date.UTC(2026, 2, 1);
const YEAR_MS = 365 * 86_400_000;

interface Book {
  name: string;
  figures: Likeness;
  /** Sales among the offer-count drops of the last year. */
  salesShare: number;
}

function realBooks(): Book[] {
  return REAL_BOOKS.map((asin) => {
    const product = JSON.parse(readFileSync(resolve(PROJECT_DIR, 'test/fixtures/real-keepa/books', `${asin}.json`), 'utf8')) as KeepaProduct;
    const figures = measure(product, product.lastUpdate ?? 0);
    // Keepa's own count of rank drops stands for the sales: the real books have no ground truth.
    return { name: asin, figures, salesShare: (product.stats?.salesRankDrops365 ?? 0) / Math.max(1, figures.offerDrops) };
  });
}

let sim: Simulator;
let clock: VirtualClock;

beforeAll(async () => {
  clock = new VirtualClock(START);
  sim = await createSimulator({ clock, seed: 11, catalogSize: 400 });
});
afterAll(() => sim.close());

function simulatedBooks(): Book[] {
  const now = clock.now();
  return sim.catalog
    .asins()
    .slice(0, 60)
    .map((asin) => {
      const product = sim.productAt(asin, now);
      if (!product) throw new Error(`no product for ${asin}`);
      const figures = measure(product, msToKeepaMinutes(now));
      const sales = (sim.marketTruth(asin)?.sales ?? []).filter((s) => s.ms > now - YEAR_MS).length;
      return { name: asin, figures, salesShare: sales / Math.max(1, figures.offerDrops) };
    });
}

function summary(books: Book[]): Record<string, number> {
  const of = (fn: (b: Book) => number): number => median(books.map(fn));
  return {
    medianRankGapHours: of((b) => b.figures.medianRankGapHours),
    bigFallShare: of((b) => b.figures.bigFallShare),
    smallFallShare: of((b) => b.figures.smallFallShare),
    // Among books that sell: on dead inventory every offer drop is a withdrawal.
    salesShareOfOfferDrops: median(books.filter((b) => b.figures.bigFalls > 0).map((b) => b.salesShare)),
    priceAtDropMinuteShare: median(books.filter((b) => b.figures.offerDrops > 0).map((b) => b.figures.priceAtDropMinuteShare)),
    minusOnes: books.reduce((n, b) => n + b.figures.minusOnes, 0),
    zeros: books.reduce((n, b) => n + b.figures.zeros, 0),
  };
}

/** What real books show (docs/simulator.md); each range holds the real figures with some room. */
function expectLikeKeepa(figures: Record<string, number>): void {
  expect(figures.medianRankGapHours).toBeGreaterThanOrEqual(1);
  expect(figures.medianRankGapHours).toBeLessThanOrEqual(8);
  // A sale is a rare large fall; the rank wobbles a little at many samples without one.
  expect(figures.bigFallShare).toBeLessThan(0.05);
  expect(figures.smallFallShare).toBeGreaterThan(0.05);
  // Most offer-count drops are listings withdrawn, not sales.
  expect(figures.salesShareOfOfferDrops).toBeLessThan(0.5);
  // The new lowest price is written at the minute of most drops (the cheapest copy left).
  expect(figures.priceAtDropMinuteShare).toBeGreaterThan(0.4);
  expect(figures.priceAtDropMinuteShare).toBeLessThan(0.95);
  // No offer is -1, never 0.
  expect(figures.minusOnes).toBeGreaterThan(0);
  expect(figures.zeros).toBe(0);
}

describe('simulated histories look like real Keepa books', () => {
  it('real books: rank sampled every few hours with wobbles, withdrawals most offer drops, -1 for no offer', () => {
    const figures = summary(realBooks());
    console.log('real books', figures);
    expectLikeKeepa(figures);
  });

  it('simulated books: the same figures in the same ranges', () => {
    const figures = summary(simulatedBooks());
    console.log('simulated books', figures);
    expectLikeKeepa(figures);
  });

  it('a simulated product has 34 or 36 csv types, eBay prices (28, 29) as triples', () => {
    const now = clock.now();
    const products = sim.catalog
      .asins()
      .slice(0, 60)
      .map((asin) => sim.productAt(asin, now));
    const lengths = new Set(products.map((p) => p?.csv?.length));
    expect([...lengths].sort()).toEqual([34, 36]);
    const ebay = products.filter((p) => (p?.csv?.[29]?.length ?? 0) > 0);
    expect(ebay.length).toBeGreaterThan(0);
    for (const p of ebay) for (const type of [28, 29]) expect((p?.csv?.[type]?.length ?? 0) % 3).toBe(0);
  });

  it('keeps the ground truth: each sale priced at the lowest price of its condition just before its offer drop', () => {
    const now = clock.now();
    let checked = 0;
    for (const asin of sim.catalog.asins().slice(0, 60)) {
      const product = sim.productAt(asin, now);
      const truth = sim.marketTruth(asin);
      if (!product?.csv || !truth) continue;
      for (const sale of truth.sales.filter((s) => s.ms > now - YEAR_MS)) {
        const minute = msToKeepaMinutes(sale.ms);
        const used = sale.condition !== 1;
        const prices = product.csv[used ? CsvType.USED : CsvType.NEW] ?? [];
        let before = -1;
        for (let i = 0; i + 1 < prices.length && (prices[i] ?? Infinity) < minute; i += 2) before = prices[i + 1] ?? -1;
        expect(before).toBe(sale.price);
        // The count of its condition drops at that very minute: the sale is an offer drop.
        expect(countDrops(product.csv[used ? CsvType.COUNT_USED : CsvType.COUNT_NEW], minute)[0]).toBe(minute);
        checked++;
      }
      for (const w of truth.withdrawals.filter((x) => x.ms > now - YEAR_MS)) {
        const minute = msToKeepaMinutes(w.ms);
        expect(countDrops(product.csv[w.condition === 1 ? CsvType.COUNT_NEW : CsvType.COUNT_USED], minute)[0]).toBe(minute);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
