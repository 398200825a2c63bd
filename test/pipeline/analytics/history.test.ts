import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeepaProduct } from '../../../src/keepa/types.js';
import { history, timeAt, valueAt } from '../../../src/pipeline/analytics/history.js';
import { REAL_KEEPA } from './realBooks.js';

describe('csv histories', () => {
  it('reads csv 28 and 29 (eBay new and used, with shipping) as triples, as Keepa sends them', () => {
    // 1292025824's csv 29 holds 309 numbers: 103 triples, not pairs (309 is odd).
    const product = JSON.parse(readFileSync(join(REAL_KEEPA, 'books', '1292025824.json'), 'utf8')) as KeepaProduct;
    for (const type of [28, 29]) {
      const h = history(product, type);
      expect(h.stride).toBe(3);
      expect(h.n * 3).toBe(product.csv?.[type]?.length);
      for (let i = 1; i < h.n; i++) expect(timeAt(h, i)).toBeGreaterThan(timeAt(h, i - 1));
    }
    const used = history(product, 29);
    // First point: $82.22 plus $3.99 shipping (read as pairs, the 399 would be taken for a time).
    expect([timeAt(used, 0), valueAt(used, 0), product.csv?.[29]?.[2]]).toEqual([5052912, 8222, 399]);
  });
});
