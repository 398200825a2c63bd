// The full analysis of a product fetched with history, offers and stats=365.

import { msToKeepaMinutes } from '../../keepa/time.js';
import { CsvType, type KeepaDeal, type KeepaProduct, type KeepaSeller } from '../../keepa/types.js';
import type { BusinessSettings } from '../../settings.js';
import { listPrice, listPriceProblem, MONTH_NAMES, yearAverage } from './listPrice.js';
import { lastUpdate, putDealColumns, putProductColumns } from './metadata.js';
import { feesOrDefaults, percentDown, productPickAndPack, productReferralPercent, toCents, toDollars } from './money.js';
import { roundTo } from './numeric.js';
import { winningOffer } from './offers.js';
import { productShapeProblem } from './productShape.js';
import { dollars, fullPut, putMoneyColumns, putOfferColumns } from './row.js';
import { inferSales, salesInLastYear, YEAR_MINUTES } from './sales.js';
import { detailedSeasonality, keywordSeason, YEAR_ROUND } from './seasonality.js';
import { putStatsColumns } from './statsColumns.js';
import { usedPriceTrend } from './trend.js';
import type { AnalysisResult, DealRow, RejectReason, Sale } from './types.js';

export interface AnalyzeInput {
  product: KeepaProduct;
  deal?: KeepaDeal | null;
  /** The winning offer's seller record, if the caller fetched it. */
  seller?: KeepaSeller | null;
  settings: BusinessSettings;
  /** Epoch ms; the analysis never reads the clock. */
  nowMs: number;
}

function positiveCurrent(product: KeepaProduct, index: number): number | null {
  const v = product.stats?.current?.[index];
  return typeof v === 'number' && v > 0 ? v : null;
}

/**
 * The row is filled as far as the data allows even when rejected; the reason says why it is not
 * a deal. Without a deal, `Deal_found` and `last_price_change` are left out so stored values stay.
 */
export function analyzeProduct({ product, deal, seller, settings, nowMs }: AnalyzeInput): AnalysisResult {
  // Keepa sent something the analysis cannot read: a verdict on this product; the chunk goes on.
  if (productShapeProblem(product) !== null) {
    const asin: unknown = product.asin;
    return { row: typeof asin === 'string' && asin !== '' ? { ASIN: asin } : {}, rejected: 'bad_data', sales: [], priced: [], salesLast365: 0, offerDrops: 0 };
  }
  const row: DealRow = {};
  const put = fullPut(row);
  const now = msToKeepaMinutes(nowMs);

  putProductColumns(product, put, now);
  putStatsColumns(product, put);
  putDealColumns(deal, put, now);
  put('last_update', lastUpdate(product, deal));
  const fees = feesOrDefaults(productPickAndPack(product), productReferralPercent(product));
  put('FBA_PickandPack_Fee', toDollars(fees.pickAndPackCents));
  put('Referral_Fee_Percent', fees.referralPercent);

  // Offers Keepa failed to refresh are old news: no Price Now (or seller) comes from them.
  const staleOffers = product.offersSuccessful === false;
  const offer = staleOffers ? null : winningOffer(product);
  putOfferColumns(offer, seller, null, put);

  const { sales, priced, offerDrops } = inferSales(product, now);
  const salesLast365 = salesInLastYear(sales, now);
  const yearAvg = yearAverage(priced, now);
  const lp = listPrice(priced, product.stats);
  const priceProblem = lp === null ? null : listPriceProblem(lp, positiveCurrent(product, CsvType.USED) ?? offer?.totalCents ?? null);
  const listAt = lp !== null && priceProblem === null ? lp.cents : null;
  put('1yr_Avg', dollars(yearAvg));
  put('List_at', dollars(listAt));
  put('Recent_Inferred_Sale_Price', dollars(priced[priced.length - 1]?.priceCents ?? null));
  put('Deal_Trust', dealTrust(sales, now));
  put('Drops', offerDrops);

  const keywords = keywordSeason(product);
  put('Seasonality_Type', keywords.label);
  put('Sells', keywords.sells);
  put('Detailed_Seasonality', detailedSeasonality(sales, keywords));
  // A peak and trough seen in 3+ sales win over the label; without them the label's months stand.
  const peak = lp?.peakMonth ?? null;
  const trough = lp?.troughMonth ?? null;
  put('Peak_Season', peak !== null ? MONTH_NAMES[peak] : keywords === YEAR_ROUND ? null : keywords.sells);
  put('Trough_Season', trough !== null ? MONTH_NAMES[trough] : null);
  put('Expected_Trough_Price', dollars(lp?.troughCents ?? null));
  const salesRank = positiveCurrent(product, CsvType.SALES_RANK);
  put('Trend', usedPriceTrend(product, salesRank));

  putMoneyColumns({ offer, listAtCents: listAt, yearAvgCents: yearAvg, fees, settings }, put);

  let rejected: RejectReason | null = null;
  if (!product.stats) rejected = 'no_stats';
  else if (staleOffers) rejected = 'stale_offers';
  else if (offer === null) rejected = 'no_used_offer';
  else if (lp === null) rejected = 'no_inferred_sales';
  else if (priceProblem !== null) rejected = priceProblem;
  else if (salesRank !== null && salesRank > settings.maxSalesRank) rejected = 'rank_above_max';
  else if (offer.totalCents < toCents(settings.minPrice)) rejected = 'price_below_min';
  else if (yearAvg !== null && percentDown(yearAvg, offer.totalCents) < settings.minPercentDrop) rejected = 'small_drop';
  return { row, rejected, sales, priced, salesLast365, offerDrops };
}

/**
 * How sure the prices are: the share (percent) of the last year's sales whose price is known from
 * a paired offer drop. Low when the rank shows sales but the offer counts do not (one seller with
 * several copies, or withdrawals and arrivals masking them), so `List at` rests on few of them.
 * Null without a sale in the year.
 */
function dealTrust(sales: readonly Sale[], nowMinute: number): number | null {
  const from = nowMinute - YEAR_MINUTES;
  let all = 0;
  let priced = 0;
  for (const s of sales) {
    if (s.t < from || s.t > nowMinute) continue;
    all++;
    if (s.priceCents !== null) priced++;
  }
  return all === 0 ? null : roundTo((priced / all) * 100, 2);
}
