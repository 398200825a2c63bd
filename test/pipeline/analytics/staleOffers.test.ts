import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepaMinutesToMs } from '../../../src/keepa/time.js';
import type { KeepaProduct } from '../../../src/keepa/types.js';
import { analyzeProduct, lightUpdate } from '../../../src/pipeline/analytics/index.js';
import { SETTINGS } from './builders.js';
import { REAL_KEEPA } from './realBooks.js';

const read = (path: string): KeepaProduct => {
  const json = JSON.parse(readFileSync(join(REAL_KEEPA, path), 'utf8')) as KeepaProduct | { products: KeepaProduct[] };
  return 'products' in json ? (json.products[0] as KeepaProduct) : json;
};

describe('offers Keepa could not refresh (offersSuccessful: false)', () => {
  const book = read('books/0470820942.json');
  const nowMs = keepaMinutesToMs(book.lastUpdate ?? 0);

  it('give no Price Now: the real book 0470820942 has one from fresh offers, none once they are stale', () => {
    expect(analyzeProduct({ product: book, settings: SETTINGS, nowMs }).row['Price_Now']).toEqual(expect.any(Number));
    const stale = analyzeProduct({ product: { ...book, offersSuccessful: false }, settings: SETTINGS, nowMs });
    expect([stale.rejected, stale.row['Price_Now'], stale.row['Seller_ID'], stale.row['Profit']]).toEqual(['stale_offers', null, null, null]);
  });

  it('leave the stored Price Now alone in a light update', () => {
    const { row, rejected } = lightUpdate({ product: { ...book, offersSuccessful: false }, stored: { Price_Now: 12.5, List_at: 30 }, settings: SETTINGS, nowMs });
    expect(rejected).toBe('stale_offers');
    expect(row).not.toHaveProperty('Price_Now');
  });

  it('are what Keepa sends for an ASIN it has no product for (productType 4)', () => {
    const unknown = read('other/av_1492056200_productType4_product_2025-10-26.json');
    expect(unknown.offersSuccessful).toBe(false);
    expect(analyzeProduct({ product: unknown, settings: SETTINGS, nowMs: keepaMinutesToMs(unknown.lastUpdate ?? 0) }).rejected).toBe('stale_offers');
  });
});
