// seller_cache: a seller Keepa named is reused until it is older than the cache's age, a new
// answer replaces it, and the janitor's prune deletes what is too old to be read.
import { describe, expect, it } from 'vitest';
import type { KeepaSeller } from '../../src/keepa/types.js';
import { memoryStore, T0 } from '../helpers.js';

const DAY = 86_400_000;
const seller = (sellerId: string, currentRating: number): KeepaSeller => ({ sellerId, sellerName: `Books of ${sellerId}`, currentRating, currentRatingCount: 120, ratingCount: 120 });

describe('seller cache', () => {
  it('gives back a seller fetched within the age, not an older one, and takes the newest answer', () => {
    const store = memoryStore();
    store.sellers.put({ A1: seller('A1', 97), A2: seller('A2', 90) }, T0 - 8 * DAY);
    store.sellers.put({ A1: seller('A1', 95) }, T0 - DAY);
    expect(store.sellers.fresh(['A1', 'A2', 'A3'], T0 - 7 * DAY)).toEqual({ A1: seller('A1', 95) });
    expect(Object.keys(store.sellers.fresh(['A1', 'A2'], T0 - 9 * DAY)).sort()).toEqual(['A1', 'A2']);
    expect(store.sellers.prune(T0 - 7 * DAY)).toBe(1);
    expect(store.sellers.fresh(['A2'], 0)).toEqual({});
  });
});
