// What a Keepa call will cost, before it is sent (docs/design.md rule 2). The old system reserved
// 2 tokens per ASIN while Keepa charged 6 per page of offers; its balance fell to -231 and every
// call got 429. So the baseline follows Keepa's documented pricing per call shape, and a learner
// corrects it from the `tokensConsumed` Keepa reports, per shape.
//
// Keepa's pricing, from its API documentation (keepa.com/#!api: "Product Request", "Browsing
// Deals", "Request Seller Information", "Retrieve Token Status"; summarised in
// docs/keepa.md):
//   /product   "1 per product".
//     offers=N (20..100): "6 for every found offer page (contains up to 10 offers) per product ...
//              the basic 1 token cost per ASIN of the product request does not apply"; "if we fail
//              to retrieve/refresh the offers data, the request will consume 1 token".
//     rating=1: "up to 1 extra token per product".   buybox=1: "2 per product", "ignored" with offers.
//     update=0: "1 extra token" when Keepa's last update is under an hour old.
//     stats, history, days, only-live-offers: "no extra token cost".
//   /deal      "5 per request providing up to 150 deals" (the old system observed 5 too).
//   /seller    "1 per requested seller"; none when not found.   /token: free.
// How many offer pages a product will have is unknown before it is fetched. The baseline takes the
// caller's `expectedOffers` (from the deal: `dealOfferCount`), else the full `offers` asked for (the
// worst case), and charges at least one page; the learner corrects towards what Keepa charges.

import type { KeepaDeal } from './types.js';

/** csv indices of the offer counts: New, Used, Refurbished, Collectible. */
const OFFER_COUNT_TYPES = [11, 12, 13, 14] as const;

/**
 * The live offers a deal's product has, all conditions together, from the counts the deal
 * carries (-1 means none): Keepa charges for every page of offers it finds, New and collectible
 * ones included, not only the Used offers the daemon buys. Undefined when the deal shows no count.
 */
export function dealOfferCount(deal: KeepaDeal): number | undefined {
  let total = 0;
  let known = false;
  for (const i of OFFER_COUNT_TYPES) {
    const n = deal.current[i];
    if (typeof n !== 'number') continue;
    known = true;
    total += Math.max(0, n);
  }
  return known ? total : undefined;
}

export type CallShape = { path: 'token' } | { path: 'deal'; count: number } | ProductShape | { path: 'seller'; count: number };

export interface ProductShape {
  path: 'product';
  /** ASINs in the batch. */
  count: number;
  /** The `offers` parameter (20..100), when offers are requested. */
  offers?: number;
  /** Offers the caller expects per product (for example the deal's used-offer count). */
  expectedOffers?: number;
  rating?: boolean;
  buybox?: boolean;
  update?: number;
}

/** Shapes whose size a caller chooses: pages for /deal, ASINs for /product, ids for /seller. */
export type BatchShape = Exclude<CallShape, { path: 'token' }>;

export const DEAL_PAGE_TOKENS = 5;
export const OFFER_PAGE_TOKENS = 6;
export const OFFERS_PER_PAGE = 10;
/**
 * Keepa accepts up to 100 ASINs or seller ids per call, and at most 10,000 deals (67 pages). (Its
 * Java client's javadoc says "max 20 ASINs if the offers parameter is used"; the current docs say
 * 100. Unverified; at 5-20 tokens/minute an offers batch is bounded by tokens well before either.)
 */
export const MAX_BATCH = { product: 100, seller: 100, deal: 67 } as const;

/**
 * The correction is the dearest ratio (charged / baseline) among this many recent answers of a
 * shape. An average would be lower than the dear answers it averages, and each of those would then
 * overshoot the deficit floor; the maximum of a short window follows a real change of price
 * within a few calls and stays safe in between.
 */
const RECENT_ANSWERS = 10;
/**
 * A streak of cheap answers (ASINs Keepa does not know cost nothing) must not talk the estimate
 * down to nothing: the next full-price batch would overshoot the deficit floor.
 */
const MIN_CORRECTION = 0.25;

export interface CostSnapshot {
  /** Recent charged / baseline ratios per shape, oldest first. */
  recent: Record<string, number[]>;
}

export class CostModel {
  private readonly recent = new Map<string, number[]>();

  /** Keepa's documented price for the shape, without correction. */
  baseline(shape: CallShape): number {
    switch (shape.path) {
      case 'token':
        return 0;
      case 'deal':
        return DEAL_PAGE_TOKENS * shape.count;
      case 'seller':
        return shape.count;
      case 'product':
        return productBaseline(shape);
    }
  }

  /** What the next call of this shape is expected to cost, corrected by what Keepa charged before. */
  estimate(shape: CallShape): number {
    return this.baseline(shape) * this.correction(shape);
  }

  /** Multiplier learned for the shape: 1 until Keepa's answers say otherwise. */
  correction(shape: CallShape): number {
    const ratios = this.recent.get(shapeKey(shape));
    if (ratios === undefined || ratios.length === 0) return 1;
    return Math.max(MIN_CORRECTION, ...ratios);
  }

  /**
   * Learns from what Keepa charged (`tokensConsumed` of a successful answer; a 429 consumes nothing
   * and teaches nothing). An answer dearer than expected raises the correction at once, because an
   * underestimate is what drives the balance below the floor; cheaper ones lower it only once the
   * dear answers have left the recent window.
   */
  learn(shape: CallShape, tokensConsumed: number): void {
    const baseline = this.baseline(shape);
    if (baseline <= 0 || !Number.isFinite(tokensConsumed) || tokensConsumed < 0) return;
    const key = shapeKey(shape);
    const ratios = this.recent.get(key) ?? [];
    ratios.push(tokensConsumed / baseline);
    if (ratios.length > RECENT_ANSWERS) ratios.shift();
    this.recent.set(key, ratios);
  }

  /**
   * The largest batch of this shape (its `count` is ignored) whose estimate fits in `capacity`
   * tokens, within Keepa's per-call limits; 0 when not even one item fits. Size work with the
   * bucket's `grantableNow()` to run at once, or its `ceiling()` to run at all.
   */
  maxBatchSize(shape: BatchShape, capacity: number): number {
    const limit = MAX_BATCH[shape.path];
    const perItem = this.estimate({ ...shape, count: 1 });
    if (perItem <= 0) return limit;
    let size = Math.min(limit, Math.floor(capacity / perItem + 1e-9));
    // Estimates are linear in count today; checking keeps that an implementation detail.
    while (size > 0 && this.estimate({ ...shape, count: size }) > capacity + 1e-9) size -= 1;
    return Math.max(0, size);
  }

  snapshot(): CostSnapshot {
    return { recent: Object.fromEntries([...this.recent].map(([key, ratios]) => [key, [...ratios]])) };
  }

  restore(snapshot: CostSnapshot): void {
    this.recent.clear();
    for (const [key, ratios] of Object.entries(snapshot.recent)) {
      if (!Array.isArray(ratios)) continue;
      const valid = ratios.filter((r) => Number.isFinite(r) && r >= 0).slice(-RECENT_ANSWERS);
      if (valid.length > 0) this.recent.set(key, valid);
    }
  }
}

function productBaseline(shape: ProductShape): number {
  let perProduct: number;
  if (shape.offers !== undefined && shape.offers > 0) {
    const expected = Math.min(shape.offers, shape.expectedOffers ?? shape.offers);
    perProduct = OFFER_PAGE_TOKENS * Math.max(1, Math.ceil(expected / OFFERS_PER_PAGE));
  } else {
    perProduct = 1 + (shape.buybox ? 2 : 0);
  }
  if (shape.rating) perProduct += 1;
  if (shape.update === 0) perProduct += 1;
  return perProduct * shape.count;
}

/**
 * Calls that Keepa prices alike share a correction. The batch size and the expected offer count
 * are left out: the correction is a ratio to the baseline, which already scales with both.
 */
function shapeKey(shape: CallShape): string {
  if (shape.path !== 'product') return shape.path;
  const parts = ['product'];
  if (shape.offers !== undefined && shape.offers > 0) parts.push(`offers=${shape.offers}`);
  else if (shape.buybox) parts.push('buybox');
  if (shape.rating) parts.push('rating');
  if (shape.update === 0) parts.push('update=0');
  return parts.join(':');
}
