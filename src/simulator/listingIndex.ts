// Which books have a live deal listing at a given moment, without scanning the catalog on every
// query: listings of the last day and a half (the longest lifetime) are kept in time order, and a
// heap of each book's next listing time says which books to ask when the clock moves on.

import { type Listing, MAX_LISTING_LIFETIME_MS } from './listings.js';
import type { MarketStore } from './markets.js';

export interface LiveListing {
  index: number;
  listing: Listing;
}

export class ListingIndex {
  /** Listings younger than the longest lifetime, oldest first. */
  private recent: LiveListing[] = [];
  /** Min-heap of [next listing time, book index]. */
  private readonly heap: [number, number][] = [];
  private indexedUntil: number | null = null;

  constructor(
    private readonly markets: MarketStore,
    private readonly size: number,
  ) {}

  /**
   * Books with a listing in Keepa's list at `nowMs` (visible, live, at most `windowMs` old): each
   * book's newest such listing, newest first.
   */
  live(nowMs: number, windowMs: number): LiveListing[] {
    this.catchUp(nowMs);
    const oldest = nowMs - Math.min(windowMs, MAX_LISTING_LIFETIME_MS);
    const seen = new Set<number>();
    const found: LiveListing[] = [];
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const item = this.recent[i];
      if (!item || item.listing.atMs > nowMs) continue;
      if (item.listing.atMs < oldest) break;
      if (seen.has(item.index) || item.listing.visibleMs > nowMs || nowMs >= item.listing.atMs + item.listing.lifetimeMs) continue;
      seen.add(item.index);
      found.push(item);
    }
    return found;
  }

  private catchUp(nowMs: number): void {
    const keepFrom = nowMs - MAX_LISTING_LIFETIME_MS;
    if (this.indexedUntil === null) {
      for (let index = 0; index < this.size; index++) {
        const stream = this.markets.listings(index);
        for (const listing of stream.between(keepFrom, nowMs)) this.recent.push({ index, listing });
        this.push([stream.nextAfter(nowMs), index]);
      }
      this.recent.sort((a, b) => a.listing.atMs - b.listing.atMs);
      this.indexedUntil = nowMs;
      return;
    }
    if (nowMs <= this.indexedUntil) return;
    const since = this.indexedUntil;
    const added: LiveListing[] = [];
    for (let top = this.heap[0]; top && top[0] <= nowMs; top = this.heap[0]) {
      this.pop();
      const stream = this.markets.listings(top[1]);
      for (const listing of stream.between(since + 1, nowMs)) added.push({ index: top[1], listing });
      this.push([stream.nextAfter(nowMs), top[1]]);
    }
    added.sort((a, b) => a.listing.atMs - b.listing.atMs);
    const firstKept = this.recent.findIndex((item) => item.listing.atMs >= keepFrom);
    this.recent = [...(firstKept < 0 ? [] : this.recent.slice(firstKept)), ...added];
    this.indexedUntil = nowMs;
  }

  private push(entry: [number, number]): void {
    const heap = this.heap;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      const [a, b] = [heap[parent], heap[i]];
      if (!a || !b || a[0] <= b[0]) break;
      heap[parent] = b;
      heap[i] = a;
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if ((heap[l]?.[0] ?? Infinity) < (heap[smallest]?.[0] ?? Infinity)) smallest = l;
      if ((heap[r]?.[0] ?? Infinity) < (heap[smallest]?.[0] ?? Infinity)) smallest = r;
      if (smallest === i) break;
      const [a, b] = [heap[i], heap[smallest]];
      if (!a || !b) break;
      heap[i] = b;
      heap[smallest] = a;
      i = smallest;
    }
  }
}
