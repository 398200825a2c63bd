// Golden tests on the real Keepa books: the engine, blind to Keepa's own counts, must find about as
// many sales as Keepa counts sales-rank drops.
import { describe, expect, it } from 'vitest';
import { msToKeepaMinutes } from '../../../src/keepa/time.js';
import type { KeepaProduct } from '../../../src/keepa/types.js';
import { analyzeProduct } from '../../../src/pipeline/analytics/index.js';
import { inferSales, salesInLastYear } from '../../../src/pipeline/analytics/sales.js';
import { SETTINGS } from './builders.js';
import { realBooks } from './realBooks.js';

const BOOKS = realBooks();

/** The product with every stats.salesRankDrops* removed, so nothing can lean on Keepa's answer. */
function blind(product: KeepaProduct): KeepaProduct {
  if (!product.stats) return product;
  const { salesRankDrops30: _a, salesRankDrops90: _b, salesRankDrops180: _c, salesRankDrops365: _d, ...stats } = product.stats;
  return { ...product, stats };
}

describe('inferred sales on the real books', () => {
  it('has the 9 books of the fixtures', () => {
    expect(BOOKS.map((b) => b.asin)).toEqual(['0470820942', '055299068X', '0593655036', '1292025824', '1593694512', '184297291X', '1854001558', '193288436X', '1937565750']);
  });

  for (const { asin, product, nowMs } of BOOKS) {
    const keepa = product.stats?.salesRankDrops365;
    if (typeof keepa !== 'number' || keepa > 100) continue;
    it(`${asin}: sales of the last 365 days within 25% (or 2) of Keepa's salesRankDrops365 (${keepa})`, () => {
      const { salesLast365 } = analyzeProduct({ product: blind(product), settings: SETTINGS, nowMs });
      expect(Math.abs(salesLast365 - keepa)).toBeLessThanOrEqual(Math.max(2, 0.25 * keepa));
    });
  }

  it('matches Keepa over 30, 90 and 180 days as well on the slow books', () => {
    const off: string[] = [];
    for (const { asin, product, nowMs } of BOOKS) {
      const stats = product.stats;
      if (typeof stats?.salesRankDrops365 !== 'number' || stats.salesRankDrops365 > 100) continue;
      const now = msToKeepaMinutes(nowMs);
      const { sales } = inferSales(blind(product), now);
      for (const [days, keepa] of [
        [30, stats.salesRankDrops30],
        [90, stats.salesRankDrops90],
        [180, stats.salesRankDrops180],
      ] as const) {
        const ours = sales.filter((s) => s.t >= now - days * 1440 && s.t <= now).length;
        if (typeof keepa === 'number' && Math.abs(ours - keepa) > Math.max(2, 0.25 * keepa)) off.push(`${asin} ${days} d: ${ours} vs ${keepa}`);
      }
    }
    expect(off).toEqual([]);
  });

  it('counts a fast seller (0593655036, rank about 30) within 25% of Keepa: every rank decrease is a sale there', () => {
    const book = BOOKS.find((b) => b.asin === '0593655036')!;
    const keepa = book.product.stats?.salesRankDrops365 ?? 0;
    expect(keepa).toBe(955);
    const now = msToKeepaMinutes(book.nowMs);
    const n = salesInLastYear(inferSales(blind(book.product), now).sales, now);
    expect(Math.abs(n - keepa)).toBeLessThanOrEqual(0.25 * keepa);
  });

  it('prices most sales of 055299068X from the used price in force before the paired offer drop', () => {
    const book = BOOKS.find((b) => b.asin === '055299068X')!;
    const now = msToKeepaMinutes(book.nowMs);
    const { sales, priced, offerDrops } = inferSales(book.product, now);
    const year = sales.filter((s) => s.t >= now - 365 * 1440);
    // 57 offer drops a year, 13 rank-confirmed sales: most drops are withdrawn listings.
    expect(year.length).toBe(13);
    expect(offerDrops).toBeGreaterThan(3 * sales.length);
    expect(priced.length).toBeGreaterThan(0);
    for (const s of priced) expect(s.priceCents).toBeGreaterThan(0);
  });
});
