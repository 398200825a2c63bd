// The real Keepa books of test/fixtures/real-keepa/ (PROVENANCE.md there), loaded for tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepaMinutesToMs } from '../../../src/keepa/time.js';
import type { KeepaProduct } from '../../../src/keepa/types.js';

export const REAL_KEEPA = join(import.meta.dirname, '..', '..', 'fixtures', 'real-keepa');

export interface RealBook {
  asin: string;
  product: KeepaProduct;
  /** The fetch: the product's lastUpdate, which a /product call refreshes. */
  nowMs: number;
}

export function realBooks(): RealBook[] {
  const dir = join(REAL_KEEPA, 'books');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const product = JSON.parse(readFileSync(join(dir, f), 'utf8')) as KeepaProduct;
      return { asin: product.asin, product, nowMs: keepaMinutesToMs(product.lastUpdate ?? 0) };
    });
}
