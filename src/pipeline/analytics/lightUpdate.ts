// The light update after a cheap fetch (stats and live offers, no csv history): only what that
// fetch can tell is written, so an upsert never puts NULL over `List at`, `1yr. Avg.` or the
// seasonality of the last full analysis.

import type { KeepaProduct, KeepaSeller } from '../../keepa/types.js';
import type { BusinessSettings } from '../../settings.js';
import { lastUpdate } from './metadata.js';
import { feesOrDefaults, productPickAndPack, productReferralPercent, toCents, toDollars } from './money.js';
import { winningOffer } from './offers.js';
import { partialPut, putMoneyColumns, putOfferColumns } from './row.js';
import { putStatsColumns } from './statsColumns.js';
import type { DealRow, RejectReason } from './types.js';

export interface LightUpdateInput {
  product: KeepaProduct;
  /** The row as stored; its `List_at`, `1yr_Avg`, `Seller_ID` and fees are read. */
  stored: DealRow;
  seller?: KeepaSeller | null;
  settings: BusinessSettings;
  nowMs: number;
}

function storedPositive(stored: DealRow, column: string): number | null {
  const v = stored[column];
  return typeof v === 'number' && v > 0 ? v : null;
}

/**
 * Returns only the columns it computed. Stored `List_at` and `1yr_Avg` feed Profit, Margin and
 * % Down; a row stored without them has no such columns written. Fees Keepa does not send this
 * time are taken from the stored row (or the defaults) and not rewritten. `nowMs` is accepted
 * for symmetry with analyzeProduct; nothing here depends on the time.
 */
export function lightUpdate({ product, stored, seller, settings }: LightUpdateInput): { row: DealRow; rejected: RejectReason | null } {
  const row: DealRow = {};
  const put = partialPut(row);
  put('ASIN', product.asin);
  putStatsColumns(product, put);
  put('last_update', lastUpdate(product, null));

  const pickAndPack = productPickAndPack(product);
  const referral = productReferralPercent(product);
  put('FBA_PickandPack_Fee', pickAndPack === null ? undefined : toDollars(pickAndPack));
  put('Referral_Fee_Percent', referral ?? undefined);
  const storedFee = storedPositive(stored, 'FBA_PickandPack_Fee');
  const fees = feesOrDefaults(pickAndPack ?? (storedFee === null ? null : toCents(storedFee)), referral ?? storedPositive(stored, 'Referral_Fee_Percent'));

  // Stale offers (offersSuccessful false) tell nothing about the price now: the stored one stays.
  const staleOffers = product.offersSuccessful === false;
  const offer = Array.isArray(product.offers) && !staleOffers ? winningOffer(product) : undefined;
  const storedSeller = stored['Seller_ID'];
  putOfferColumns(offer, seller, typeof storedSeller === 'string' ? storedSeller : null, put);

  const listAt = storedPositive(stored, 'List_at');
  const yearAvg = storedPositive(stored, '1yr_Avg');
  putMoneyColumns(
    {
      offer,
      listAtCents: listAt === null ? undefined : toCents(listAt),
      yearAvgCents: yearAvg === null ? undefined : toCents(yearAvg),
      fees,
      settings,
    },
    put,
  );

  const rejected: RejectReason | null = !product.stats ? 'no_stats' : staleOffers ? 'stale_offers' : offer == null ? 'no_used_offer' : null;
  return { row, rejected };
}
