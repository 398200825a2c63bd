import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepaMinutesToMs } from '../../../src/keepa/time.js';
import type { KeepaProduct } from '../../../src/keepa/types.js';
import { analyzeProduct } from '../../../src/pipeline/analytics/index.js';
import { SETTINGS } from './builders.js';
import { REAL_KEEPA } from './realBooks.js';

const BOOK = JSON.parse(readFileSync(join(REAL_KEEPA, 'other', 'aa_1886940606_product.json'), 'utf8')) as KeepaProduct;
const FETCHED_MS = keepaMinutesToMs(BOOK.lastUpdate ?? 0);

describe('Keepa dates', () => {
  it('stores a negative Keepa minute as the date before 2011 it is', () => {
    // 1886940606: listedSince -912280, trackingSince 119880.
    const { row } = analyzeProduct({ product: BOOK, settings: SETTINGS, nowMs: FETCHED_MS });
    expect([row['Listed_since'], row['Tracking_since']]).toEqual(['2009-04-07T11:20:00.000Z', '2011-03-25T06:00:00.000Z']);
  });

  it("stores no date after the fetch, and none for Keepa's 0 or -1", () => {
    const fetched = BOOK.lastUpdate ?? 0;
    const odd = { ...BOOK, listedSince: fetched + 60, trackingSince: 0 };
    const { row } = analyzeProduct({ product: odd, settings: SETTINGS, nowMs: FETCHED_MS });
    expect([row['Listed_since'], row['Tracking_since']]).toEqual([null, null]);
    const unknown = analyzeProduct({ product: { ...BOOK, listedSince: -1 }, settings: SETTINGS, nowMs: FETCHED_MS }).row;
    expect(unknown['Listed_since']).toBeNull();
  });
});
