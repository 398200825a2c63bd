// Writing a deals row: how a missing source is treated, and the offer and money columns that
// both the full analysis and the light update compute.

import type { KeepaSeller } from '../../keepa/types.js';
import type { BusinessSettings } from '../../settings.js';
import { allInCostCents, amazonFeesCents, type Fees, minListingPriceCents, percentDown, toDollars } from './money.js';
import { roundTo } from './numeric.js';
import { sellerQualityScore, type WinningOffer } from './offers.js';
import type { DealRow, Put } from './types.js';

/** null: known to be absent; undefined: not known to this fetch. */
type Maybe<T> = T | null | undefined;

function one<A, R>(a: Maybe<A>, f: (a: A) => Maybe<R>): Maybe<R> {
  if (a === null) return null;
  return a === undefined ? undefined : f(a);
}

/** A value known to be absent makes the result absent, even when the other is unknown. */
function both<A, B, R>(a: Maybe<A>, b: Maybe<B>, f: (a: A, b: B) => Maybe<R>): Maybe<R> {
  if (a === null || b === null) return null;
  if (a === undefined || b === undefined) return undefined;
  return f(a, b);
}

export function dollars(cents: Maybe<number>): Maybe<number> {
  return one(cents, toDollars);
}

/** A full analysis owns its columns: a source missing from the fetch is stored as NULL. */
export function fullPut(row: DealRow): Put {
  return (column, value) => {
    row[column] = value ?? null;
  };
}

/** A light update writes only what its fetch could tell; `undefined` leaves the stored value. */
export function partialPut(row: DealRow): Put {
  return (column, value) => {
    if (value !== undefined) row[column] = value;
  };
}

/**
 * `offer` undefined: the fetch had no offers, nothing is written. A seller record counts only
 * when it is the winning offer's seller. When the winner is `storedSellerId` (a light update
 * seeing the same seller), the stored name stays, and so does the score unless a record came.
 */
export function putOfferColumns(offer: Maybe<WinningOffer>, seller: KeepaSeller | null | undefined, storedSellerId: string | null, put: Put): void {
  if (offer === undefined) return;
  put('Price_Now', dollars(offer?.totalCents ?? null));
  put('Shipping_Included', offer === null ? null : offer.shippingIncluded ? 'yes' : 'no');
  put('Seller_ID', offer?.sellerId ?? null);
  put('Condition', offer?.condition ?? null);
  const record = offer !== null && seller?.sellerId === offer.sellerId ? seller : null;
  const sameSeller = offer !== null && offer.sellerId === storedSellerId;
  const columns = sellerColumns(record);
  if (!sameSeller) put('Seller', columns.Seller);
  if (record !== null || !sameSeller) put('Seller_Quality_Score', columns.Seller_Quality_Score);
}

/** The seller's name and quality score as the deal row holds them; both null without its record. */
export function sellerColumns(record: KeepaSeller | null): { Seller: string | null; Seller_Quality_Score: number | null } {
  const score = record === null ? null : sellerQualityScore(record);
  return { Seller: record?.sellerName ?? null, Seller_Quality_Score: score === null ? null : roundTo(score, 4) };
}

export interface MoneyInputs {
  offer: Maybe<WinningOffer>;
  listAtCents: Maybe<number>;
  yearAvgCents: Maybe<number>;
  fees: Fees;
  settings: BusinessSettings;
}

/** All-in Cost, Min. Listing Price, Total AMZ fees, Profit, Margin and % Down, in cents until stored. */
export function putMoneyColumns({ offer, listAtCents, yearAvgCents, fees, settings }: MoneyInputs, put: Put): void {
  const price = one(offer, (o) => o.totalCents);
  const allIn = one(offer, (o) => allInCostCents(o.totalCents, o.shippingIncluded, settings));
  const profit = both(allIn, listAtCents, (cost, listAt) => listAt - cost - amazonFeesCents(listAt, fees));
  put('All_in_Cost', dollars(allIn));
  put('Min_Listing_Price', dollars(one(allIn, (cost) => minListingPriceCents(cost, fees, settings))));
  put('Total_AMZ_fees', dollars(one(listAtCents, (listAt) => amazonFeesCents(listAt, fees))));
  put('Profit', dollars(profit));
  put(
    'Margin',
    both(profit, listAtCents, (p, listAt) => (listAt > 0 ? roundTo((p / listAt) * 100, 2) : null)),
  );
  put(
    'Percent_Down',
    both(yearAvgCents, price, (avg, now) => (avg > 0 ? roundTo(percentDown(avg, now), 2) : null)),
  );
}
