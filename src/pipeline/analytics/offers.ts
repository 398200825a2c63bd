// `Price Now` and its seller: the cheapest live Used offer, judged by what the buyer pays
// (price + shipping), and the seller's quality as a Wilson lower bound.
import type { KeepaOffer, KeepaProduct, KeepaSeller } from '../../keepa/types.js';

const CONDITION_NAMES: Readonly<Record<number, string>> = {
  2: 'Used - Like New',
  3: 'Used - Very Good',
  4: 'Used - Good',
  5: 'Used - Acceptable',
};

export interface WinningOffer {
  sellerId: string;
  condition: string;
  totalCents: number;
  /**
   * Whether the total holds the offer's real shipping charge. False only for an FBA offer with
   * unknown shipping, which ranks as free (Prime) but whose cost is then estimated once in
   * All-in Cost (money.ts).
   */
  shippingIncluded: boolean;
}

/**
 * The lowest total among live Used offers (Like New to Acceptable). A merchant-fulfilled offer
 * with unknown shipping is ignored; equal totals go to the earlier offer in Keepa's live order.
 * Without `liveOffersOrder` every offer is taken as live (a fetch with only-live-offers).
 */
export function winningOffer(product: KeepaProduct): WinningOffer | null {
  const offers = product.offers;
  if (!Array.isArray(offers)) return null;
  const order = Array.isArray(product.liveOffersOrder) ? product.liveOffersOrder : offers.map((_, i) => i);
  let best: WinningOffer | null = null;
  for (const i of order) {
    const offer = offers[i];
    if (offer === undefined || offer === null) continue;
    const candidate = offerTotal(offer);
    if (candidate !== null && (best === null || candidate.totalCents < best.totalCents)) best = candidate;
  }
  return best;
}

function offerTotal(offer: KeepaOffer): WinningOffer | null {
  const condition = CONDITION_NAMES[offer.condition];
  const csv = offer.offerCSV;
  if (condition === undefined || !Array.isArray(csv) || csv.length < 3 || typeof offer.sellerId !== 'string') return null;
  const last = csv.length - (csv.length % 3) - 3;
  const price = csv[last + 1];
  const shipping = csv[last + 2];
  if (typeof price !== 'number' || !(price > 0) || typeof shipping !== 'number') return null;
  const known = shipping >= 0;
  if (!known && !offer.isFBA) return null;
  return { sellerId: offer.sellerId, condition, totalCents: price + (known ? shipping : 0), shippingIncluded: known };
}

export function winningOfferSellerId(product: KeepaProduct): string | null {
  return winningOffer(product)?.sellerId ?? null;
}

const Z95 = 1.959964;

/**
 * Lower bound of the 95% Wilson score interval of the positive share, from the rating in
 * percent and the rating count; a 0..1 share, null without a usable rating.
 */
export function sellerQualityScore(seller: KeepaSeller): number | null {
  const rating = seller.currentRating;
  const n = seller.currentRatingCount ?? seller.ratingCount;
  if (typeof rating !== 'number' || rating < 0 || rating > 100 || typeof n !== 'number' || n <= 0) return null;
  const p = rating / 100;
  const z2 = Z95 * Z95;
  const centre = p + z2 / (2 * n);
  const spread = Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (centre - spread) / (1 + z2 / n);
}
