// The moments a seller lists a book well below its usual price: what makes a book appear in
// Keepa's deal list. Each book has its own stream on its own generator, separate from the
// rest of its market, so the deal list can be computed for the whole catalog without
// generating every book's three-year history.

import type { Book } from './catalog.js';
import { shelfPrice } from './catalog.js';
import { Random, hashSeed } from './random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Listing {
  /** Position in the book's stream; with the book index it names the deal. */
  seq: number;
  atMs: number;
  price: number;
  /** -1 = unknown (merchant offers only). */
  shipping: number;
  condition: number;
  isFBA: boolean;
  sellerIdx: number;
  /** The offer is live in [atMs, atMs + lifetimeMs). */
  lifetimeMs: number;
  /** How often Keepa re-reads the product while the deal is listed (moves `lastUpdate`). */
  refreshMs: number;
}

/** A deal offer stays live 1 to 5 days. */
const MIN_LIFETIME_DAYS = 1;
const MAX_LIFETIME_DAYS = 5;
export const MAX_LISTING_LIFETIME_MS = MAX_LIFETIME_DAYS * DAY_MS;

/** Opportunities are listed at $20.99 or more, so they pass the usual `currentRange` minimum ($20). */
const OPPORTUNITY_MIN_PRICE = 2_099;

export class ListingStream {
  private readonly rng: Random;
  private readonly items: Listing[] = [];
  private nextAtMs: number;

  constructor(
    private readonly book: Book,
    seed: number,
    private readonly perDay: number,
    private readonly sellerCount: number,
  ) {
    this.rng = new Random(hashSeed(seed, book.index, 'listings'));
    this.nextAtMs = book.trackingSinceMs + this.rng.exp(perDay) * DAY_MS;
  }

  /** When the next listing not yet drawn by `upTo` will appear. */
  get pendingAtMs(): number {
    return this.nextAtMs;
  }

  /** Listings with atMs <= ms, oldest first. A book's deal offers never overlap in time. */
  upTo(ms: number): readonly Listing[] {
    while (this.nextAtMs <= ms) {
      const listing = this.draw(this.nextAtMs);
      this.items.push(listing);
      this.nextAtMs = listing.atMs + listing.lifetimeMs + this.rng.exp(this.perDay) * DAY_MS;
    }
    return this.items;
  }

  /** The latest listing at or before `ms`, if any. */
  latestAt(ms: number): Listing | undefined {
    const items = this.upTo(ms);
    let lo = 0;
    let hi = items.length - 1;
    let found: Listing | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const item = items[mid];
      if (item && item.atMs <= ms) {
        found = item;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private draw(atMs: number): Listing {
    const rng = this.rng;
    const [lo, hi] = this.book.dealPriceFactor;
    let price = shelfPrice(this.book.typicalPrice * rng.range(lo, hi));
    if (this.book.archetype === 'opportunity') price = Math.max(price, OPPORTUNITY_MIN_PRICE);
    const isFBA = rng.chance(0.4);
    // Opportunities never carry unknown shipping, so "Price Now" can always use their offer.
    const unknownShipping = !isFBA && this.book.archetype !== 'opportunity' && rng.chance(0.1);
    return {
      seq: this.items.length,
      atMs: Math.floor(atMs),
      price,
      shipping: isFBA ? 0 : unknownShipping ? -1 : 399,
      condition: rng.weighted([[2, 0.2], [3, 0.4], [4, 0.3], [5, 0.1]]),
      isFBA,
      sellerIdx: rng.int(0, this.sellerCount - 1),
      lifetimeMs: Math.floor(rng.range(MIN_LIFETIME_DAYS, MAX_LIFETIME_DAYS) * DAY_MS),
      refreshMs: Math.floor(rng.range(2, 12) * HOUR_MS),
    };
  }
}
