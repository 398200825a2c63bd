// What each call shape costs, following docs/keepa.md; the figures Keepa does not document are
// named in assumptions.ts.

import { DEAL_PAGE_COST, OFFER_PAGE_COST } from './assumptions.js';

export interface ProductCharge {
  /** Offer pages delivered per product found (0 = no `offers` parameter). */
  offerPages: number[];
  rating: boolean;
  buybox: boolean;
  /** `update=0`: a forced refresh. */
  forceUpdate: boolean;
}

/** Per product found: 1, or instead 6 per offer page with `offers`; +1 rating, +2 buybox, +1 update=0. */
export function productCost(charge: ProductCharge): number {
  const extras = (charge.rating ? 1 : 0) + (charge.buybox ? 2 : 0) + (charge.forceUpdate ? 1 : 0);
  return charge.offerPages.reduce((sum, pages) => sum + (pages > 0 ? pages * OFFER_PAGE_COST : 1) + extras, 0);
}

export function dealCost(): number {
  return DEAL_PAGE_COST;
}

/** 1 per seller found; unknown sellers are free. */
export function sellerCost(found: number): number {
  return found;
}
