// What sellers list and what the offer-derived histories show: conditions, prices around the
// book's typical price (textbooks dearer in season), shipping (FBA free, merchants mostly $3.99,
// sometimes unknown), and from the live offers at a moment the Used / New prices and counts and
// the cheapest landed offer per used sub-condition.

import { CsvType } from '../keepa/types.js';
import { type Book, shelfPrice } from './catalog.js';
import type { Random } from './random.js';
import type { Series } from './series.js';

export interface MarketOffer {
  id: number;
  sellerIdx: number;
  /** 1 new, 2-5 used (like new, very good, good, acceptable). */
  condition: number;
  isFBA: boolean;
  price: number;
  /** -1 = unknown. */
  shipping: number;
  listedMs: number;
  removedMs: number | null;
  /** Listing seq of a deal offer: withdrawals never take it, it leaves when its lifetime ends (or is bought). */
  dealSeq: number | null;
  /** [ms, price] of each price it had, oldest first, once its price has changed (a deal's re-drop). */
  priceHistory?: [number, number][];
}

export type OfferFields = Omit<MarketOffer, 'id' | 'removedMs' | 'priceHistory'>;

/** The offer as it was at `ms`: its price then. */
export function offerAt(offer: MarketOffer, ms: number): MarketOffer {
  if (!offer.priceHistory) return offer;
  let price = offer.priceHistory[0]?.[1] ?? offer.price;
  for (const [at, p] of offer.priceHistory) if (at <= ms) price = p;
  return { ...offer, price };
}

export const USED_CONDITION_CSV: Readonly<Record<number, number>> = {
  2: CsvType.USED_LIKE_NEW_SHIPPING,
  3: CsvType.USED_VERY_GOOD_SHIPPING,
  4: CsvType.USED_GOOD_SHIPPING,
  5: CsvType.USED_ACCEPTABLE_SHIPPING,
};
/** eBay's lowest New and Used prices with shipping: triples like 18-27 (Keepa's CsvType 28, 29). */
export const EBAY_NEW_SHIPPING = 28;
export const EBAY_USED_SHIPPING = 29;
const CONDITION_PRICE: Readonly<Record<number, number>> = { 2: 1.08, 3: 1, 4: 0.95, 5: 0.88 };
const USED_CONDITION_WEIGHTS: readonly (readonly [number, number])[] = [
  [2, 0.15],
  [3, 0.35],
  [4, 0.35],
  [5, 0.15],
];
/** Merchant shipping: mostly the standard $3.99, sometimes unknown (-1), rarely free. */
const MERCHANT_SHIPPING_WEIGHTS: readonly (readonly [number, number])[] = [
  [399, 0.85],
  [-1, 0.1],
  [0, 0.05],
];

/** Textbook demand by UTC month: Aug-Sep and January peak. */
const TEXTBOOK_DEMAND = [2.5, 0.4, 0.25, 0.25, 0.25, 0.25, 0.8, 3, 3, 0.4, 0.25, 0.8] as const;
export const TEXTBOOK_DEMAND_MAX = 3;

export function textbookDemand(ms: number): number {
  return TEXTBOOK_DEMAND[new Date(ms).getUTCMonth()] ?? 1;
}

/** Textbooks are listed 10% dearer in their peak months. */
function seasonalPrice(book: Book, ms: number): number {
  if (!book.seasonal) return 1;
  const month = new Date(ms).getUTCMonth();
  return month === 0 || month === 7 || month === 8 ? 1.1 : 1;
}

export function landed(offer: Pick<MarketOffer, 'price' | 'shipping'>): number {
  return offer.price + Math.max(0, offer.shipping);
}

export function drawUsedOffer(rng: Random, book: Book, ms: number, sellerCount: number): OfferFields {
  const condition = rng.weighted(USED_CONDITION_WEIGHTS);
  const isFBA = rng.chance(0.35);
  const spread = book.archetype === 'dead' ? rng.range(0.9, 1.5) : rng.range(0.95, 1.2);
  return {
    sellerIdx: rng.int(0, sellerCount - 1),
    condition,
    isFBA,
    price: shelfPrice(book.typicalPrice * seasonalPrice(book, ms) * spread * (CONDITION_PRICE[condition] ?? 1)),
    shipping: isFBA ? 0 : rng.weighted(MERCHANT_SHIPPING_WEIGHTS),
    listedMs: ms,
    dealSeq: null,
  };
}

export function drawNewOffer(rng: Random, book: Book, ms: number, sellerCount: number): OfferFields {
  const isFBA = rng.chance(0.5);
  const price = shelfPrice(book.typicalPrice * book.newPriceFactor * rng.range(0.95, 1.15));
  return {
    sellerIdx: rng.int(0, sellerCount - 1),
    condition: 1,
    isFBA,
    // Sellers undercut Amazon, so the lowest New price (csv 1) is always a seller's, the one a
    // buyer of a new copy takes.
    price: book.amazonPrice > 0 ? Math.min(price, book.amazonPrice - 100) : price,
    shipping: isFBA ? 0 : 399,
    listedMs: ms,
    dealSeq: null,
  };
}

const bestByCondition: (MarketOffer | undefined)[] = new Array<MarketOffer | undefined>(6);

/**
 * Records, at Keepa minute `minute`, what the live offers show: Amazon's price (-1 when out of
 * stock), the lowest New (Amazon included) and Used prices, both counts, and per used
 * sub-condition the cheapest landed offer as a triple.
 */
export function recordOfferHistories(series: ReadonlyMap<number, Series>, live: readonly MarketOffer[], amazonPrice: number, minute: number): void {
  let usedMin = -1;
  let usedCount = 0;
  let newMin = amazonPrice;
  let newCount = amazonPrice > 0 ? 1 : 0;
  const best = bestByCondition;
  best.fill(undefined);
  for (const o of live) {
    if (o.condition === 1) {
      newCount++;
      if (newMin < 0 || o.price < newMin) newMin = o.price;
      continue;
    }
    usedCount++;
    if (usedMin < 0 || o.price < usedMin) usedMin = o.price;
    const current = best[o.condition];
    if (!current || landed(o) < landed(current)) best[o.condition] = o;
  }
  series.get(CsvType.AMAZON)?.push(minute, amazonPrice);
  series.get(CsvType.NEW)?.push(minute, newMin);
  series.get(CsvType.USED)?.push(minute, usedMin);
  // Keepa writes -1, never 0, when the last offer is gone.
  series.get(CsvType.COUNT_NEW)?.push(minute, newCount > 0 ? newCount : -1);
  series.get(CsvType.COUNT_USED)?.push(minute, usedCount > 0 ? usedCount : -1);
  for (let condition = 2; condition <= 5; condition++) {
    const offer = best[condition];
    // Sub-condition histories carry a known shipping cost: unknown shipping is shown as 0.
    series.get(USED_CONDITION_CSV[condition] ?? -1)?.push(minute, offer ? offer.price : -1, offer ? Math.max(0, offer.shipping) : -1);
  }
}
