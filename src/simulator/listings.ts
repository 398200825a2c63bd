// The moments a seller lists a book well below its usual price: what makes a book appear in
// Keepa's deal list. Each book's listings are drawn day by day, each day from its own generator
// (seed, book, day), so the listings of any period can be had without drawing those before it:
// the deal list of a 30,000-book catalog needs only the last few days of each book, and only a
// book whose history is fetched draws its three years. A listing's price may fall again while
// it is live (a re-drop), and Keepa may list a deal hours after it was created.

import type { Book } from './catalog.js';
import { shelfPrice } from './catalog.js';
import { hashSeed, Random } from './random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Redrop {
  atMs: number;
  /** Cents: the listing's new price, lower than the one before. */
  price: number;
}

export interface Listing {
  /** Unique within the book; with the book index it names the deal. */
  seq: number;
  atMs: number;
  /** Cents at listing; later prices in `redrops`. */
  price: number;
  redrops: readonly Redrop[];
  /** -1 = unknown (merchant offers only). */
  shipping: number;
  condition: number;
  isFBA: boolean;
  sellerIdx: number;
  /** The offer is live in [atMs, atMs + lifetimeMs) unless bought first. */
  lifetimeMs: number;
  /** How often Keepa re-reads the product while the deal is listed (moves `lastUpdate`). */
  refreshMs: number;
  /** When the deal enters Keepa's list: at `atMs`, or for some hours later. */
  visibleMs: number;
}

/** A deal offer stays live half a day to a day and a half: real lists turn over within a day. */
const MIN_LIFETIME_DAYS = 0.5;
const MAX_LIFETIME_DAYS = 1.5;
export const MAX_LISTING_LIFETIME_MS = MAX_LIFETIME_DAYS * DAY_MS;
/** At most this many listings start on one day (a Poisson draw is cut there). */
const MAX_PER_DAY = 16;
/** Share of deals Keepa lists late, and by how many hours at most. */
const LATE_SHARE = 0.12;
const MAX_LATE_HOURS = 20;

/** Opportunities are listed at $20.99 or more, so they pass the usual `currentRange` minimum ($20). */
const OPPORTUNITY_MIN_PRICE = 2_099;
/** No re-drop takes a listing below $4.99. */
const MIN_PRICE = 499;

export class ListingStream {
  private readonly items: Listing[] = [];
  /** The first day not yet drawn into `items`. */
  private nextDay: number;

  constructor(
    private readonly book: Book,
    private readonly seed: number,
    private readonly perDay: number,
    private readonly sellerCount: number,
  ) {
    this.nextDay = Math.floor(book.trackingSinceMs / DAY_MS);
  }

  /** Every listing from the start of tracking with atMs <= ms, oldest first. */
  upTo(ms: number): readonly Listing[] {
    const lastDay = Math.floor(ms / DAY_MS);
    if (this.nextDay > lastDay) return this.items.filter((l) => l.atMs <= ms);
    for (; this.nextDay < lastDay; this.nextDay++) this.items.push(...this.day(this.nextDay));
    const today = this.day(lastDay).filter((l) => l.atMs <= ms);
    return today.length === 0 ? this.items : [...this.items, ...today];
  }

  /**
   * The `index`-th listing from the start of tracking (oldest first) if it starts at or before
   * `ms`. The market asks for its next listing at every deal it lists; answering from the days
   * already drawn keeps a three-year history linear instead of copying the whole list each time.
   */
  at(index: number, ms: number): Listing | undefined {
    const drawn = this.items[index];
    if (drawn !== undefined) return drawn.atMs <= ms ? drawn : undefined;
    return this.upTo(ms)[index];
  }

  /** Listings with atMs in [fromMs, toMs], oldest first. */
  between(fromMs: number, toMs: number): Listing[] {
    const out: Listing[] = [];
    for (let d = Math.floor(fromMs / DAY_MS); d <= Math.floor(toMs / DAY_MS); d++) {
      for (const l of this.day(d)) if (l.atMs >= fromMs && l.atMs <= toMs) out.push(l);
    }
    return out;
  }

  /** When the first listing after `ms` starts (Infinity when none within a year). */
  nextAfter(ms: number): number {
    for (let d = Math.floor(ms / DAY_MS), end = d + 366; d < end; d++) {
      for (const l of this.day(d)) if (l.atMs > ms) return l.atMs;
    }
    return Infinity;
  }

  /** The listings that start on day `d` (days since the epoch), oldest first. */
  private day(d: number): Listing[] {
    if ((d + 1) * DAY_MS <= this.book.trackingSinceMs) return [];
    const rng = new Random(hashSeed(this.seed, this.book.index, 'listings', d));
    let n = 0;
    // Poisson by inversion: the count of listings starting that day.
    for (let p = Math.exp(-this.perDay), cumulative = p, u = rng.float(); u > cumulative && n < MAX_PER_DAY; cumulative += p) {
      n++;
      p *= this.perDay / n;
    }
    const starts = Array.from({ length: n }, () => Math.floor(d * DAY_MS + rng.float() * DAY_MS)).sort((a, b) => a - b);
    return starts.filter((atMs) => atMs >= this.book.trackingSinceMs).map((atMs, k) => this.draw(rng, atMs, d * MAX_PER_DAY + k));
  }

  private draw(rng: Random, atMs: number, seq: number): Listing {
    const [lo, hi] = this.book.dealPriceFactor;
    let price = shelfPrice(this.book.typicalPrice * rng.range(lo, hi));
    if (this.book.archetype === 'opportunity') price = Math.max(price, OPPORTUNITY_MIN_PRICE);
    const isFBA = rng.chance(0.4);
    // Opportunities never carry unknown shipping, so "Price Now" can always use their offer.
    const unknownShipping = !isFBA && this.book.archetype !== 'opportunity' && rng.chance(0.1);
    const lifetimeMs = Math.floor(rng.range(MIN_LIFETIME_DAYS, MAX_LIFETIME_DAYS) * DAY_MS);
    // A third of the deals fall again while live, by 5-15%, once or twice.
    const redrops: Redrop[] = [];
    const falls = rng.chance(1 / 3) ? (rng.chance(0.3) ? 2 : 1) : 0;
    let last = price;
    const times = Array.from({ length: falls }, () => atMs + Math.floor(rng.range(0.1, 0.9) * lifetimeMs)).sort((a, b) => a - b);
    // Never below the lowest price of a listing, so an opportunity stays an opportunity.
    const floor = this.book.archetype === 'opportunity' ? OPPORTUNITY_MIN_PRICE : MIN_PRICE;
    for (const t of times) {
      const lower = Math.max(floor, shelfPrice(last * rng.range(0.85, 0.95)));
      if (lower >= last) break;
      last = lower;
      redrops.push({ atMs: t, price: last });
    }
    const late = rng.chance(LATE_SHARE);
    return {
      seq,
      atMs,
      price,
      redrops,
      shipping: isFBA ? 0 : unknownShipping ? -1 : 399,
      condition: rng.weighted([
        [2, 0.2],
        [3, 0.4],
        [4, 0.3],
        [5, 0.1],
      ]),
      isFBA,
      sellerIdx: rng.int(0, this.sellerCount - 1),
      lifetimeMs,
      refreshMs: Math.floor(rng.range(2, 12) * HOUR_MS),
      visibleMs: late ? atMs + Math.floor(rng.range(1, MAX_LATE_HOURS) * HOUR_MS) : atMs,
    };
  }
}

/** The listing's price as Keepa last read it at `atMs`. */
export function priceAt(listing: Listing, atMs: number): number {
  let price = listing.price;
  for (const r of listing.redrops) if (r.atMs <= atMs) price = r.price;
  return price;
}
