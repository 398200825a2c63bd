// Where books' markets live: listing streams (small until a timeline draws them) and full
// timelines (large); both kept for the most recently used books only. An evicted timeline is
// simply regenerated: generation is deterministic, so the regenerated history is the same one.

import type { Catalog } from './catalog.js';
import { ListingStream } from './listings.js';
import { MarketTimeline } from './market.js';

export interface MarketStoreOptions {
  catalog: Catalog;
  /** Deal listings per book per day. */
  listingsPerDay: number;
  sellerCount: number;
  /** How many full timelines stay in memory. */
  capacity?: number;
}

export class MarketStore {
  private readonly streams = new Map<number, ListingStream>();
  private readonly timelines = new Map<number, MarketTimeline>();
  private readonly capacity: number;

  constructor(private readonly options: MarketStoreOptions) {
    this.capacity = options.capacity ?? 800;
  }

  get catalog(): Catalog {
    return this.options.catalog;
  }

  listings(index: number): ListingStream {
    let stream = this.streams.get(index);
    if (!stream) {
      const { catalog, listingsPerDay, sellerCount } = this.options;
      stream = new ListingStream(catalog.book(index), catalog.seed, listingsPerDay, sellerCount);
      this.streams.set(index, stream);
    }
    return stream;
  }

  /** The book's timeline with every event up to `untilMs` applied. */
  timeline(index: number, untilMs: number): MarketTimeline {
    let timeline = this.timelines.get(index);
    if (timeline && timeline.untilMs > untilMs) {
      // Asked about an earlier moment than we have generated (clocks never go back, but two
      // callers may hold different "now"s); histories are read up to a time, so it still serves.
      this.touch(index, timeline);
      return timeline;
    }
    if (!timeline) {
      const { catalog, sellerCount } = this.options;
      timeline = new MarketTimeline(catalog.book(index), catalog.seed, this.listings(index), sellerCount);
    }
    timeline.extendTo(untilMs);
    this.touch(index, timeline);
    return timeline;
  }

  private touch(index: number, timeline: MarketTimeline): void {
    this.timelines.delete(index);
    this.timelines.set(index, timeline);
    if (this.timelines.size > this.capacity) {
      const oldest = this.timelines.keys().next();
      if (!oldest.done) {
        this.timelines.delete(oldest.value);
        // The timeline drew its stream's listings from the start of tracking (some 45 kB a book):
        // a fresh stream draws nothing until a timeline asks again.
        this.streams.delete(oldest.value);
      }
    }
  }
}
