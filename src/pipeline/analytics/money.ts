// The business math (docs/analytics.md, "All-in Cost" to "Min. Listing Price"), in integer cents;
// settings arrive in dollars and percent as the operator writes them.

import type { KeepaProduct } from '../../keepa/types.js';
import type { BusinessSettings } from '../../settings.js';

const DEFAULT_PICK_AND_PACK_CENTS = 550;
const DEFAULT_REFERRAL_PERCENT = 15;

export function toCents(dollars: number): number {
  return Math.round(dollars * 100);
}

export function toDollars(cents: number): number {
  return Math.round(cents) / 100;
}

/** Keepa's FBA pick and pack fee in cents, or null when Keepa has none. */
export function productPickAndPack(product: KeepaProduct): number | null {
  const fee = product.fbaFees?.pickAndPackFee;
  return typeof fee === 'number' && fee > 0 ? fee : null;
}

/** Keepa's referral fee in percent, or null when Keepa has none. */
export function productReferralPercent(product: KeepaProduct): number | null {
  const pct = product.referralFeePercentage;
  return typeof pct === 'number' && pct > 0 && pct < 100 ? pct : null;
}

export interface Fees {
  pickAndPackCents: number;
  referralPercent: number;
}

export function feesOrDefaults(pickAndPackCents: number | null, referralPercent: number | null): Fees {
  return {
    pickAndPackCents: pickAndPackCents ?? DEFAULT_PICK_AND_PACK_CENTS,
    referralPercent: referralPercent ?? DEFAULT_REFERRAL_PERCENT,
  };
}

/**
 * Price Now + tax (unless exempt) + prep fee + estimated shipping unless the price already
 * includes the offer's shipping, so shipping is counted once.
 */
export function allInCostCents(priceNowCents: number, shippingIncluded: boolean, s: BusinessSettings): number {
  const tax = s.taxExempt ? 0 : Math.round((priceNowCents * s.taxPercent) / 100);
  return priceNowCents + tax + toCents(s.prepFee) + (shippingIncluded ? 0 : toCents(s.estimatedShipping));
}

export function amazonFeesCents(listAtCents: number, fees: Fees): number {
  return fees.pickAndPackCents + Math.round((listAtCents * fees.referralPercent) / 100);
}

/**
 * The lowest list price that recovers cost and FBA fee after referral fee and markup:
 * (All-in + FBA fee) / (1 - markup% - referral%), rounded up to the cent so it never falls
 * short (the epsilon keeps float noise in the percentages from adding a cent); null when the
 * percentages leave nothing.
 */
export function minListingPriceCents(allInCents: number, fees: Fees, s: BusinessSettings): number | null {
  const share = 1 - s.markupPercent / 100 - fees.referralPercent / 100;
  if (!(share > 0)) return null;
  return Math.ceil((allInCents + fees.pickAndPackCents) / share - 1e-9);
}

/** (1yr avg - Price Now) / 1yr avg x 100, floored at 0. */
export function percentDown(averageCents: number, nowCents: number): number {
  return Math.max(0, ((averageCents - nowCents) / averageCents) * 100);
}
