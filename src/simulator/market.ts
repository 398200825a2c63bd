// One book's market as a stream of events from the start of tracking: sellers list copies and
// withdraw them (most offer-count drops, as on real books), buyers buy the lowest-priced copy (the
// offer count drops and the sales rank improves at once: rank.ts), Amazon goes in and out of
// stock, eBay prices move, and deal listings (listings.ts) bring a cheap copy that stays until it
// is bought or withdrawn. The events are drawn from the book's own generator in time order and
// stop at the requested time, so extending the timeline later continues exactly where it stopped:
// histories only ever reach "now", and the result does not depend on when or how often it was
// extended.
//
// Keepa samples the rank every few hours, so two offer drops between the same two rank samples
// could not be told apart by anyone: which one was the sale? The simulator does not make such
// pairs. A sale waits until after the next rank sample when an offer already left since the last
// one, and a withdrawal waits when a sale happened since the last one. So the ground truth (the
// sales and withdrawals it keeps) is what a perfect reader of the histories could find.

import { keepaMinutesToMs, msToKeepaMinutes } from '../keepa/time.js';
import { CsvType } from '../keepa/types.js';
import { type Book, shelfPrice } from './catalog.js';
import type { ListingStream } from './listings.js';
import { drawNewOffer, drawUsedOffer, EBAY_NEW_SHIPPING, EBAY_USED_SHIPPING, landed, type MarketOffer, type OfferFields, offerAt, recordOfferHistories, TEXTBOOK_DEMAND_MAX, textbookDemand, USED_CONDITION_CSV } from './offers.js';
import { hashSeed, Random } from './random.js';
import { SalesRank } from './rank.js';
import { Series } from './series.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/**
 * Each offer is withdrawn by its seller after 20 days on average: with a few offers listed (3 to
 * 7 used on the real books), that makes withdrawals the majority of offer-count drops, as there.
 */
const DELIST_PER_DAY = 1 / 20;
const MAX_USED_OFFERS = 30;
const MAX_NEW_OFFERS = 15;
const NEW_SALE_SHARE = 0.15;
/** Share of withdrawals that take the cheapest copy; the others take any. */
const CHEAPEST_WITHDRAWN = 0.5;
/** eBay prices (csv 28, 29) of the books that have them move about every 10 days. */
const EBAY_UPDATES_PER_DAY = 1 / 10;
/** Offers gone for longer than this are dropped from memory; Keepa returns only recent ones. */
export const OFFER_MEMORY_MS = 90 * DAY_MS;

/** A sale the simulator made: the ground truth the inference is measured against. */
export interface TrueSale {
  ms: number;
  /** Cents, without shipping: the offer's price, which is the lowest of its condition just before. */
  price: number;
  /** 1 new, 2-5 used. */
  condition: number;
  offerId: number;
  /** The deal listing's cheap copy was the one bought. */
  deal: boolean;
}

/** A listing its seller withdrew (an offer-count drop that is not a sale). */
export interface Withdrawal {
  ms: number;
  price: number;
  condition: number;
  offerId: number;
}

export class MarketTimeline {
  readonly series = new Map<number, Series>();
  /** Live offers and those gone within OFFER_MEMORY_MS, in listing order. */
  offers: MarketOffer[] = [];
  readonly sales: TrueSale[] = [];
  readonly withdrawals: Withdrawal[] = [];
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
  private nextEbay: number;
  private readonly rank: SalesRank;
  private readonly candidates = new Float64Array(9);
  /** Removable offers when the next delisting was drawn; it is redrawn only when that changes. */
  private delistBase = -1;
  private dealExpiries: { atMs: number; offer: MarketOffer }[] = [];
  /** A deal offer's price falling again (listings.ts re-drops), in time order. */
  private repricings: { atMs: number; offer: MarketOffer; price: number }[] = [];
  private listingCursor = 0;
  private amazonInStock: boolean;
  private reviewCount: number;
  private readonly usedArrivalPerDay: number;
  private readonly newArrivalPerDay: number;
  private readonly saleCandidatePerDay: number;
  /** The rank sample that opened the current gap between samples, and what happened in it. */
  private gapOpenedMs = -1;
  /** The first moment of the minute after the last event's. */
  private nextFreeMs = -Infinity;
  private gapSale = false;
  private gapDrop = false;

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

    for (const type of [CsvType.AMAZON, CsvType.NEW, CsvType.USED, CsvType.SALES_RANK, CsvType.LIST_PRICE, CsvType.COUNT_NEW, CsvType.COUNT_USED, CsvType.RATING, CsvType.COUNT_REVIEWS]) {
      this.series.set(type, new Series(2));
    }
    for (const type of Object.values(USED_CONDITION_CSV)) this.series.set(type, new Series(3));
    if (book.ebay) for (const type of [EBAY_NEW_SHIPPING, EBAY_USED_SHIPPING]) this.series.set(type, new Series(3));
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
    this.nextEbay = book.ebay ? t0 : Infinity;
    this.redrawDelist(t0, true);
  }

  /** The time up to which events have been applied. */
  get untilMs(): number {
    return this.cursorMs;
  }

  /** Length of the product's csv and stats arrays: 34 in older answers, 36 in newer ones. */
  get csvLength(): number {
    return this.book.csvLength;
  }

  get(type: number): Series {
    const series = this.series.get(type);
    if (!series) throw new RangeError(`The simulator keeps no history for csv type ${type}`);
    return series;
  }

  /** Offers live at `ms` (at most OFFER_MEMORY_MS before the timeline's end). */
  offersLiveAt(ms: number): MarketOffer[] {
    if (ms >= this.cursorMs) return [...this.live];
    return this.offers.filter((o) => o.listedMs <= ms && (o.removedMs === null || o.removedMs > ms)).map((o) => offerAt(o, ms));
  }

  /** Applies every event up to and including `targetMs`. */
  extendTo(targetMs: number): void {
    if (targetMs <= this.cursorMs) return;
    const listings = this.listings.upTo(targetMs);
    for (;;) {
      const listing = listings[this.listingCursor];
      // The earliest pending event; ties go to the earlier position in this list.
      const candidates = this.candidates;
      candidates[0] = this.nextEbay;
      candidates[1] = this.nextSaleCandidate;
      candidates[2] = this.nextUsedArrival;
      candidates[3] = this.nextNewArrival;
      candidates[4] = this.nextDelist;
      candidates[5] = this.dealExpiries[0]?.atMs ?? Infinity;
      candidates[6] = listing?.atMs ?? Infinity;
      candidates[7] = this.nextAmazonToggle;
      candidates[8] = this.repricings[0]?.atMs ?? Infinity;
      let which = 0;
      let t = candidates[0] ?? Infinity;
      for (let i = 1; i < 9; i++) {
        const c = candidates[i] ?? Infinity;
        if (c < t) {
          t = c;
          which = i;
        }
      }
      // Keepa's histories have one point a minute: an event in the minute of the one before waits
      // for the next minute, so that neither hides the other (a sale then a listing would
      // otherwise leave no count drop).
      t = Math.max(t, this.nextFreeMs);
      if (t > targetMs) break;
      this.rank.sampleUntil(t, false);
      // Nor does an event share the minute of a rank sample taken before it: the sample's minute
      // would seem to show the rank after the event when it shows the rank before.
      t = Math.max(t, keepaMinutesToMs(msToKeepaMinutes(this.rank.lastSampleMs) + 1));
      if (t > targetMs) break;
      this.nextFreeMs = keepaMinutesToMs(msToKeepaMinutes(t) + 1);
      if (this.rank.lastSampleMs !== this.gapOpenedMs) {
        this.gapOpenedMs = this.rank.lastSampleMs;
        this.gapSale = false;
        this.gapDrop = false;
      }
      this.apply(which, t);
      this.redrawDelist(t, false);
    }
    this.rank.sampleUntil(targetMs, true);
    this.cursorMs = targetMs;
    if (this.offers.length > 128) {
      const horizon = targetMs - OFFER_MEMORY_MS;
      this.offers = this.offers.filter((o) => o.removedMs === null || o.removedMs >= horizon);
    }
  }

  /** Just after the next rank sample: where an event goes that would be ambiguous now. */
  private afterNextSample(): number {
    return this.rank.nextSampleMs + MINUTE_MS;
  }

  private apply(which: number, t: number): void {
    const rng = this.rng;
    switch (which) {
      case 0:
        this.ebayPrices(t);
        this.nextEbay = t + rng.exp(EBAY_UPDATES_PER_DAY) * DAY_MS;
        return;
      case 1:
        if (this.gapDrop) {
          this.nextSaleCandidate = this.afterNextSample();
          return;
        }
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
        if (this.gapSale) {
          this.nextDelist = this.afterNextSample();
          return;
        }
        const removable = this.live.filter((o) => o.dealSeq === null);
        // The cheapest copies leave more often (sold elsewhere, repriced): on real books most
        // offer drops move the lowest price.
        const gone = rng.chance(CHEAPEST_WITHDRAWN) ? cheapestOf(removable) : removable[Math.floor(rng.float() * removable.length)];
        if (gone) this.withdraw(gone, t);
        this.redrawDelist(t, true);
        return;
      }
      case 5: {
        const expired = this.dealExpiries.shift();
        if (!expired || expired.offer.removedMs !== null) return;
        if (this.gapSale) {
          this.expireAt(expired.offer, this.afterNextSample());
          return;
        }
        this.withdraw(expired.offer, t);
        return;
      }
      case 6:
        this.listDeal(t);
        return;
      case 8: {
        const repricing = this.repricings.shift();
        if (repricing && repricing.offer.removedMs === null) {
          const offer = repricing.offer;
          offer.priceHistory = [...(offer.priceHistory ?? [[offer.listedMs, offer.price]]), [t, repricing.price]];
          offer.price = repricing.price;
          this.recordOffers(t);
        }
        return;
      }
      default:
        // Amazon running out of stock is a New offer-count drop.
        if (this.amazonInStock && this.gapSale) {
          this.nextAmazonToggle = this.afterNextSample();
          return;
        }
        if (this.amazonInStock) this.gapDrop = true;
        this.amazonInStock = !this.amazonInStock;
        this.recordOffers(t);
        this.nextAmazonToggle = t + this.amazonSpellMs();
    }
  }

  private listDeal(t: number): void {
    const listing = this.listings.at(this.listingCursor, t);
    this.listingCursor++;
    if (!listing) return;
    const offer = this.addOffer({
      sellerIdx: listing.sellerIdx,
      condition: listing.condition,
      isFBA: listing.isFBA,
      price: listing.price,
      shipping: listing.shipping,
      listedMs: t,
      dealSeq: listing.seq,
    });
    this.expireAt(offer, t + listing.lifetimeMs);
    for (const r of listing.redrops) {
      const at = this.repricings.findIndex((x) => x.atMs > r.atMs);
      this.repricings.splice(at < 0 ? this.repricings.length : at, 0, { atMs: r.atMs, offer, price: r.price });
    }
    this.recordOffers(t);
  }

  private expireAt(offer: MarketOffer, atMs: number): void {
    const at = this.dealExpiries.findIndex((e) => e.atMs > atMs);
    this.dealExpiries.splice(at < 0 ? this.dealExpiries.length : at, 0, { atMs, offer });
  }

  /** A buyer takes the lowest-priced copy of the condition wanted (a deal's cheap copy included). */
  private sale(t: number): void {
    const wantNew = this.countLive(true) > 0 && this.rng.chance(NEW_SALE_SHARE);
    const pick = (isNew: boolean): MarketOffer | undefined => {
      let best: MarketOffer | undefined;
      for (const o of this.live) {
        if ((o.condition === 1) !== isNew) continue;
        if (!best || o.price < best.price || (o.price === best.price && landed(o) < landed(best))) best = o;
      }
      return best;
    };
    const sold = pick(wantNew) ?? pick(!wantNew);
    if (!sold) return;
    this.remove(sold, t);
    this.recordOffers(t);
    this.sales.push({ ms: t, price: sold.price, condition: sold.condition, offerId: sold.id, deal: sold.dealSeq !== null });
    this.gapSale = true;
    this.gapDrop = true;
    if (this.rng.chance(0.05)) {
      this.reviewCount++;
      this.get(CsvType.COUNT_REVIEWS).push(msToKeepaMinutes(t), this.reviewCount);
    }
    this.rank.sale(t, this.rng);
  }

  private withdraw(offer: MarketOffer, t: number): void {
    this.remove(offer, t);
    this.recordOffers(t);
    this.withdrawals.push({ ms: t, price: offer.price, condition: offer.condition, offerId: offer.id });
    this.gapDrop = true;
  }

  private ebayPrices(t: number): void {
    const m = msToKeepaMinutes(t);
    const shipping = (): number => (this.rng.chance(0.6) ? 0 : 399);
    this.get(EBAY_NEW_SHIPPING).push(m, shelfPrice(this.book.typicalPrice * this.book.newPriceFactor * this.rng.range(0.8, 1.1)), shipping());
    this.get(EBAY_USED_SHIPPING).push(m, shelfPrice(this.book.typicalPrice * this.rng.range(0.7, 1.1)), shipping());
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

function cheapestOf(offers: readonly MarketOffer[]): MarketOffer | undefined {
  let best: MarketOffer | undefined;
  for (const o of offers) if (!best || o.price < best.price) best = o;
  return best;
}
