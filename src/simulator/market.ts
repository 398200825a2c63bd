// One book's market as a stream of events from the start of tracking: sellers list and delist
// copies, buyers buy the cheapest copy (the offer count drops, and within hours the sales rank
// improves sharply: rank.ts), Amazon goes in and out of stock, and deal listings (listings.ts)
// bring a cheap copy for a few days. The events are drawn from the book's own generator in
// time order and stop at the requested time, so extending the timeline later continues exactly
// where it stopped: histories only ever reach "now", and the result does not depend on when
// or how often it was extended.

import { msToKeepaMinutes } from '../keepa/time.js';
import { CsvType } from '../keepa/types.js';
import { shelfPrice, type Book } from './catalog.js';
import type { ListingStream } from './listings.js';
import {
  TEXTBOOK_DEMAND_MAX, USED_CONDITION_CSV, drawNewOffer, drawUsedOffer, landed, recordOfferHistories, textbookDemand,
  type MarketOffer, type OfferFields,
} from './offers.js';
import { Random, hashSeed } from './random.js';
import { SalesRank } from './rank.js';
import { Series } from './series.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Each offer is withdrawn by its seller after 90 days on average. */
const DELIST_PER_DAY = 1 / 90;
const MAX_USED_OFFERS = 30;
const MAX_NEW_OFFERS = 15;
const NEW_SALE_SHARE = 0.15;
/** Offers gone for longer than this are dropped from memory; Keepa returns only recent ones. */
export const OFFER_MEMORY_MS = 90 * DAY_MS;

export class MarketTimeline {
  readonly series = new Map<number, Series>();
  /** Live offers and those gone within OFFER_MEMORY_MS, in listing order. */
  offers: MarketOffer[] = [];
  /** The live subset of `offers`, which every event scans. */
  private live: MarketOffer[] = [];
  private cursorMs: number;
  private readonly rng: Random;
  private nextOfferId = 1;
  private nextSaleCandidate: number;
  private nextUsedArrival: number;
  private nextNewArrival: number;
  private nextDelist = Infinity;
  private nextAmazonToggle: number;
  private readonly rank: SalesRank;
  private readonly candidates = new Float64Array(8);
  /** Removable offers when the next delisting was drawn; it is redrawn only when that changes. */
  private delistBase = -1;
  private dealExpiries: { atMs: number; offer: MarketOffer }[] = [];
  private listingCursor = 0;
  private amazonInStock: boolean;
  private reviewCount: number;
  private readonly usedArrivalPerDay: number;
  private readonly newArrivalPerDay: number;
  private readonly saleCandidatePerDay: number;

  constructor(
    private readonly book: Book,
    seed: number,
    private readonly listings: ListingStream,
    private readonly sellerCount: number,
  ) {
    const rng = new Random(hashSeed(seed, book.index, 'market'));
    this.rng = rng;
    const t0 = book.trackingSinceMs;
    this.cursorMs = t0;
    this.usedArrivalPerDay = book.usedOffersTarget * DELIST_PER_DAY + book.salesPerDay * (1 - NEW_SALE_SHARE);
    this.newArrivalPerDay = book.newOffersTarget * DELIST_PER_DAY + book.salesPerDay * NEW_SALE_SHARE;
    this.saleCandidatePerDay = book.salesPerDay * (book.seasonal ? TEXTBOOK_DEMAND_MAX : 1);
    const startRank = book.archetype === 'dead' ? book.saleRank : Math.round(book.saleRank * rng.range(1, 3));
    this.amazonInStock = book.amazonPrice > 0 && rng.chance(0.5);
    this.reviewCount = book.reviewCount;

    for (const type of [CsvType.AMAZON, CsvType.NEW, CsvType.USED, CsvType.SALES_RANK, CsvType.LIST_PRICE,
      CsvType.COUNT_NEW, CsvType.COUNT_USED, CsvType.RATING, CsvType.COUNT_REVIEWS]) {
      this.series.set(type, new Series(2));
    }
    for (const type of Object.values(USED_CONDITION_CSV)) this.series.set(type, new Series(3));
    this.rank = new SalesRank(this.get(CsvType.SALES_RANK), book, seed, t0, startRank);

    const usedCount = Math.min(MAX_USED_OFFERS, Math.max(1, Math.round(book.usedOffersTarget * rng.range(0.6, 1.2))));
    for (let i = 0; i < usedCount; i++) this.addOffer(drawUsedOffer(rng, book, t0, sellerCount));
    for (let i = 0; i < book.newOffersTarget; i++) this.addOffer(drawNewOffer(rng, book, t0, sellerCount));
    const m = msToKeepaMinutes(t0);
    this.get(CsvType.LIST_PRICE).push(m, book.listPrice);
    this.get(CsvType.RATING).push(m, book.rating);
    this.get(CsvType.COUNT_REVIEWS).push(m, this.reviewCount);
    this.recordOffers(t0);

    this.nextSaleCandidate = t0 + rng.exp(this.saleCandidatePerDay) * DAY_MS;
    this.nextUsedArrival = t0 + rng.exp(this.usedArrivalPerDay) * DAY_MS;
    this.nextNewArrival = t0 + rng.exp(this.newArrivalPerDay) * DAY_MS;
    this.nextAmazonToggle = book.amazonPrice > 0 ? t0 + this.amazonSpellMs() : Infinity;
    this.redrawDelist(t0, true);
  }

  /** The time up to which events have been applied. */
  get untilMs(): number {
    return this.cursorMs;
  }

  get(type: number): Series {
    const series = this.series.get(type);
    if (!series) throw new RangeError(`The simulator keeps no history for csv type ${type}`);
    return series;
  }

  liveOffers(): MarketOffer[] {
    return [...this.live];
  }

  /** Applies every event up to and including `targetMs`. */
  extendTo(targetMs: number): void {
    if (targetMs <= this.cursorMs) return;
    const listings = this.listings.upTo(targetMs);
    for (;;) {
      const listing = listings[this.listingCursor];
      // The earliest pending event; ties go to the earlier position in this list.
      const candidates = this.candidates;
      candidates[0] = this.rank.nextDropAt;
      candidates[1] = this.nextSaleCandidate;
      candidates[2] = this.nextUsedArrival;
      candidates[3] = this.nextNewArrival;
      candidates[4] = this.nextDelist;
      candidates[5] = this.dealExpiries[0]?.atMs ?? Infinity;
      candidates[6] = listing?.atMs ?? Infinity;
      candidates[7] = this.nextAmazonToggle;
      let which = 0;
      let t = candidates[0] ?? Infinity;
      for (let i = 1; i < 8; i++) {
        const c = candidates[i] ?? Infinity;
        if (c < t) {
          t = c;
          which = i;
        }
      }
      if (t > targetMs) break;
      this.rank.sampleUntil(t, false);
      this.apply(which, t);
      this.redrawDelist(t, which === 4);
    }
    this.rank.sampleUntil(targetMs, true);
    this.cursorMs = targetMs;
    if (this.offers.length > 128) {
      const horizon = targetMs - OFFER_MEMORY_MS;
      this.offers = this.offers.filter((o) => o.removedMs === null || o.removedMs >= horizon);
    }
  }

  private apply(which: number, t: number): void {
    const rng = this.rng;
    switch (which) {
      case 0:
        this.rank.drop(t, rng);
        return;
      case 1:
        if (!this.book.seasonal || rng.chance(textbookDemand(t) / TEXTBOOK_DEMAND_MAX)) this.sale(t);
        this.nextSaleCandidate = t + rng.exp(this.saleCandidatePerDay) * DAY_MS;
        return;
      case 2:
        if (this.countLive(false) < MAX_USED_OFFERS) {
          this.addOffer(drawUsedOffer(rng, this.book, t, this.sellerCount));
          this.recordOffers(t);
        }
        this.nextUsedArrival = t + rng.exp(this.usedArrivalPerDay) * DAY_MS;
        return;
      case 3:
        if (this.countLive(true) < MAX_NEW_OFFERS) {
          this.addOffer(drawNewOffer(rng, this.book, t, this.sellerCount));
          this.recordOffers(t);
        }
        this.nextNewArrival = t + rng.exp(this.newArrivalPerDay) * DAY_MS;
        return;
      case 4: {
        const removable = this.live.filter((o) => o.dealSeq === null);
        const gone = removable[Math.floor(rng.float() * removable.length)];
        if (gone) {
          this.remove(gone, t);
          this.recordOffers(t);
        }
        return;
      }
      case 5: {
        const expired = this.dealExpiries.shift();
        if (expired && expired.offer.removedMs === null) {
          this.remove(expired.offer, t);
          this.recordOffers(t);
        }
        return;
      }
      case 6:
        this.listDeal(t);
        return;
      default:
        this.amazonInStock = !this.amazonInStock;
        this.recordOffers(t);
        this.nextAmazonToggle = t + this.amazonSpellMs();
    }
  }

  private listDeal(t: number): void {
    const listing = this.listings.upTo(t)[this.listingCursor];
    this.listingCursor++;
    if (!listing) return;
    // A deal is a drop of the lowest used price, so the deal offer undercuts the cheapest copy.
    const usedMin = this.get(CsvType.USED).valueAt(msToKeepaMinutes(t));
    const undercut = usedMin > 0 ? shelfPrice(usedMin * this.rng.range(0.8, 0.92)) : Infinity;
    const offer = this.addOffer({
      sellerIdx: listing.sellerIdx,
      condition: listing.condition,
      isFBA: listing.isFBA,
      price: Math.min(listing.price, undercut),
      shipping: listing.shipping,
      listedMs: t,
      dealSeq: listing.seq,
    });
    const atMs = t + listing.lifetimeMs;
    const at = this.dealExpiries.findIndex((e) => e.atMs > atMs);
    this.dealExpiries.splice(at < 0 ? this.dealExpiries.length : at, 0, { atMs, offer });
    this.recordOffers(t);
  }

  private sale(t: number): void {
    const wantNew = this.countLive(true) > 0 && this.rng.chance(NEW_SALE_SHARE);
    const pick = (isNew: boolean): MarketOffer | undefined => {
      let best: MarketOffer | undefined;
      for (const o of this.live) {
        if (o.dealSeq !== null || (o.condition === 1) !== isNew) continue;
        if (!best || landed(o) < landed(best)) best = o;
      }
      return best;
    };
    const sold = pick(wantNew) ?? pick(!wantNew);
    if (!sold) return;
    this.remove(sold, t);
    this.recordOffers(t);
    if (this.rng.chance(0.05)) {
      this.reviewCount++;
      this.get(CsvType.COUNT_REVIEWS).push(msToKeepaMinutes(t), this.reviewCount);
    }
    this.rank.scheduleDrop(t + this.rng.range(0.5, 8) * HOUR_MS);
  }

  private countLive(isNew: boolean): number {
    let n = 0;
    for (const o of this.live) if ((o.condition === 1) === isNew) n++;
    return n;
  }

  // Delistings form a Poisson process whose rate is proportional to the removable offers; being
  // memoryless, the pending draw stays valid until that count changes or the draw is used.
  private redrawDelist(t: number, used: boolean): void {
    let removable = 0;
    for (const o of this.live) if (o.dealSeq === null) removable++;
    if (!used && removable === this.delistBase) return;
    this.delistBase = removable;
    this.nextDelist = t + this.rng.exp(removable * DELIST_PER_DAY) * DAY_MS;
  }

  private amazonSpellMs(): number {
    return this.rng.exp(this.amazonInStock ? 1 / 30 : 1 / 60) * DAY_MS;
  }

  private addOffer(fields: OfferFields): MarketOffer {
    const offer: MarketOffer = {
      id: this.nextOfferId++,
      sellerIdx: fields.sellerIdx,
      condition: fields.condition,
      isFBA: fields.isFBA,
      price: fields.price,
      shipping: fields.shipping,
      listedMs: fields.listedMs,
      removedMs: null,
      dealSeq: fields.dealSeq,
    };
    this.offers.push(offer);
    this.live.push(offer);
    return offer;
  }

  private remove(offer: MarketOffer, t: number): void {
    offer.removedMs = t;
    const at = this.live.indexOf(offer);
    if (at >= 0) this.live.splice(at, 1);
  }

  /** Writes the offer-derived histories (prices, counts, sub-condition triples) at `t`. */
  private recordOffers(t: number): void {
    recordOfferHistories(this.series, this.live, this.amazonInStock ? this.book.amazonPrice : -1, msToKeepaMinutes(t));
  }
}
