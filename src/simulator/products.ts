// `/product` answers: one book as Keepa's product object as of "now", shaped by the request's
// parameters (stats, history, days, offers, only-live-offers, rating, buybox). Returns the number
// of offer pages it delivered, which is what the offers part of the call is charged by.

import { keepaMinutesToMs, msToKeepaMinutes } from '../keepa/time.js';
import { CsvType, type KeepaOffer, type KeepaProduct } from '../keepa/types.js';
import { AMAZON_SELLER_ID, DAYS_KEEPS_POINT_BEFORE, OFFERS_PER_PAGE } from './assumptions.js';
import type { Book } from './catalog.js';
import { type MarketTimeline, OFFER_MEMORY_MS } from './market.js';
import { landed, type MarketOffer } from './offers.js';
import type { SellerPool } from './sellers.js';
import { computeStats, type StatsWindow } from './stats.js';
import { BOOKS_ROOT } from './words.js';

export interface ProductQuery {
  stats: StatsWindow | null;
  history: boolean;
  /** Trim histories to the last N days. */
  days: number | null;
  /** Number of offers asked for (20-100), or null without offers. */
  offers: number | null;
  onlyLiveOffers: boolean;
  rating: boolean;
  buybox: boolean;
}

export interface BuiltProduct {
  product: KeepaProduct;
  /** Pages of up to 10 live offers delivered; 0 without `offers`. */
  offerPages: number;
}

export function buildProduct(book: Book, timeline: MarketTimeline, sellers: SellerPool, query: ProductQuery, nowMs: number): BuiltProduct {
  const now = msToKeepaMinutes(nowMs);
  const withRating = query.rating || query.offers !== null;
  const product: KeepaProduct = {
    asin: book.asin,
    domainId: 1,
    title: book.title,
    csv: query.history ? csvOf(timeline, nowMs, query.days, withRating) : null,
    categoryTree: [{ ...BOOKS_ROOT }, { ...book.category }],
    rootCategory: BOOKS_ROOT.catId,
    categories: [book.category.catId],
    author: book.author,
    binding: book.binding,
    manufacturer: book.publisher,
    brand: book.publisher,
    productGroup: 'Book',
    type: 'ABIS_BOOK',
    partNumber: null,
    format: null,
    edition: book.edition,
    languages: [['English', 'Published']],
    contributors: [[book.author, 'author']],
    numberOfItems: 1,
    numberOfPages: book.numberOfPages,
    publicationDate: book.publicationDate,
    releaseDate: -1,
    packageHeight: book.packageHeight,
    packageLength: book.packageLength,
    packageWidth: book.packageWidth,
    packageWeight: book.packageWeight,
    packageQuantity: 1,
    trackingSince: msToKeepaMinutes(book.trackingSinceMs),
    listedSince: msToKeepaMinutes(book.listedSinceMs),
    // Keepa refreshes a product older than an hour before answering, so it is always fresh.
    lastUpdate: now,
    lastPriceChange: Math.max(...[CsvType.AMAZON, CsvType.NEW, CsvType.USED].map((t) => timeline.get(t).sinceAt(now))),
    fbaFees: book.pickAndPackFee === null ? null : { pickAndPackFee: book.pickAndPackFee },
    referralFeePercentage: book.referralFeePercentage,
    frequentlyBoughtTogether: null,
    salesRankReference: BOOKS_ROOT.catId,
  };
  if (withRating) product.lastRatingUpdate = now;

  const stats = query.stats ? computeStats(timeline, nowMs, query.stats) : null;
  let offerPages = 0;
  if (query.offers !== null) {
    const offered = offersOf(timeline, sellers, query.offers, query.onlyLiveOffers, nowMs);
    product.offers = offered.offers;
    product.liveOffersOrder = offered.liveOrder;
    offerPages = Math.max(1, Math.ceil(offered.live.length / OFFERS_PER_PAGE));
    if (stats) {
      stats.totalOfferCount = offered.liveTotal;
      // As on real answers: these two count New offers only.
      const fresh = offered.live.filter((o) => o.condition === 1);
      stats.offerCountFBA = fresh.filter((o) => o.isFBA).length;
      stats.offerCountFBM = fresh.length - stats.offerCountFBA;
      stats.retrievedOfferCount = offered.offers.length;
    }
  }
  if (stats && (query.offers !== null || query.buybox)) {
    const live = offersAt(timeline, nowMs);
    const bestNew = cheapest(live.filter((o) => o.condition === 1));
    const bestUsed = cheapest(live.filter((o) => o.condition !== 1));
    stats.buyBoxPrice = bestNew ? bestNew.price : -1;
    stats.buyBoxShipping = bestNew ? Math.max(0, bestNew.shipping) : -1;
    stats.buyBoxUsedPrice = bestUsed ? bestUsed.price : -1;
    stats.buyBoxUsedShipping = bestUsed ? Math.max(0, bestUsed.shipping) : -1;
  }
  product.stats = stats;
  return { product, offerPages };
}

/** Answer for an ASIN the catalog does not hold (not charged). */
export function unknownProduct(asin: string): KeepaProduct {
  return { asin, domainId: 1, title: null, csv: null, stats: null, offers: null, categoryTree: null };
}

function csvOf(timeline: MarketTimeline, nowMs: number, days: number | null, withRating: boolean): (number[] | null)[] {
  const now = msToKeepaMinutes(nowMs);
  const from = days === null ? -Infinity : now - days * 1_440;
  return Array.from({ length: timeline.csvLength }, (_, type) => {
    if (!withRating && (type === CsvType.RATING || type === CsvType.COUNT_REVIEWS)) return null;
    const series = timeline.series.get(type);
    return series ? series.flat(from, now, DAYS_KEEPS_POINT_BEFORE) : null;
  });
}

/** Live offers at `nowMs`, Amazon's own included while it has stock. */
function offersAt(timeline: MarketTimeline, nowMs: number): MarketOffer[] {
  const live = timeline.offersLiveAt(nowMs);
  const now = msToKeepaMinutes(nowMs);
  const amazon = timeline.get(CsvType.AMAZON);
  const amazonPrice = amazon.valueAt(now);
  if (amazonPrice > 0) {
    live.push({
      id: 0,
      sellerIdx: -1,
      condition: 1,
      isFBA: true,
      price: amazonPrice,
      shipping: 0,
      listedMs: keepaMinutesToMs(amazon.sinceAt(now)),
      removedMs: null,
      dealSeq: null,
    });
  }
  return live;
}

function cheapest(offers: MarketOffer[]): MarketOffer | undefined {
  let best: MarketOffer | undefined;
  for (const o of offers) if (!best || landed(o) < landed(best)) best = o;
  return best;
}

// Keepa retrieves the best live offers (as Amazon sorts them: by landed price) up to the number
// asked for, and also returns offers it saw recently that are gone, unless only live ones are
// asked for. `liveOffersOrder` lists the live ones' indices, cheapest first.
function offersOf(timeline: MarketTimeline, sellers: SellerPool, wanted: number, onlyLive: boolean, nowMs: number) {
  const byPrice = (a: MarketOffer, b: MarketOffer): number => landed(a) - landed(b) || a.id - b.id;
  const allLive = offersAt(timeline, nowMs);
  const live = allLive.sort(byPrice).slice(0, wanted);
  const gone = onlyLive
    ? []
    : timeline.offers
        .filter((o) => o.removedMs !== null && o.removedMs <= nowMs && o.removedMs > nowMs - OFFER_MEMORY_MS)
        .sort((a, b) => (b.removedMs ?? 0) - (a.removedMs ?? 0))
        .slice(0, wanted - live.length);
  const all = [...live, ...gone].sort((a, b) => a.id - b.id);
  const now = msToKeepaMinutes(nowMs);
  const offers: KeepaOffer[] = all.map((o) => ({
    offerId: o.id,
    lastSeen: o.removedMs === null ? now : msToKeepaMinutes(o.removedMs),
    sellerId: o.sellerIdx < 0 ? AMAZON_SELLER_ID : sellers.idAt(o.sellerIdx),
    condition: o.condition,
    isFBA: o.isFBA,
    isAmazon: o.sellerIdx < 0,
    isPrime: o.isFBA,
    isShippable: true,
    offerCSV: [msToKeepaMinutes(o.listedMs), o.price, o.shipping],
  }));
  const liveOrder = live.map((o) => all.indexOf(o));
  return { offers, live, liveOrder, liveTotal: allLive.length };
}
