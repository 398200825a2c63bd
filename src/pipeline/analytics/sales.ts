// The inferred sales engine (analytics.md, "Inferred sales"). Keepa reports no sales, so a sale
// is an offer leaving (offer count down) confirmed by Amazon's sales rank improving soon after.
// The rank history is read once (for its drops); for each offer drop the rank and price
// histories are binary-searched in place, never copied.
import { keepaMinutesToMs } from '../../keepa/time.js';
import { CsvType, type KeepaProduct } from '../../keepa/types.js';
import { decreaseTimes, firstAfter, history, lowerBound, MINUTES_PER_DAY, MINUTES_PER_HOUR, timeAt, valueAt, type History } from './history.js';
import { quantile } from './numeric.js';
import type { Sale } from './types.js';

export const SALES_WINDOW_MINUTES = 3 * 365 * MINUTES_PER_DAY;
const CONFIRM_MINUTES = 240 * MINUTES_PER_HOUR;
const SPARSE_LOOKAHEAD_MINUTES = 30 * MINUTES_PER_DAY;

export interface InferredSales {
  /** Ascending by time, outliers removed. */
  sales: Sale[];
  offerDrops: number;
}

const MS_PER_DAY = 86_400_000;

/**
 * A sale with its UTC month worked out once; List at and seasonality both group by it. The
 * month comes from the day count by Howard Hinnant's civil-from-days arithmetic, because a
 * Date per sale was a sixth of the analysis time.
 */
export function saleAt(t: number, priceCents: number): Sale {
  const z = Math.floor(keepaMinutesToMs(t) / MS_PER_DAY) + 719_468;
  const dayOfEra = z - Math.floor(z / 146_097) * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  return { t, priceCents, month: (monthFromMarch + 2) % 12 };
}

export function inferSales(product: KeepaProduct, nowMinute: number): InferredSales {
  const from = nowMinute - SALES_WINDOW_MINUTES;
  const ranks = history(product, CsvType.SALES_RANK);
  const rankDrops = decreaseTimes(ranks, from, Infinity);
  const usedPrices = history(product, CsvType.USED);
  const newPrices = history(product, CsvType.NEW);

  const confirmed = (countType: number, prices: History): { sales: Sale[]; drops: number } => {
    const drops = decreaseTimes(history(product, countType), from, nowMinute);
    const sales: Sale[] = [];
    for (const t of drops) {
      if (!confirmedByRankDrop(t, rankDrops) && !confirmedBySparseRanks(t, ranks)) continue;
      const p = nearestValue(prices, t);
      if (p !== null && p > 0) sales.push(saleAt(t, p));
    }
    return { sales, drops: drops.length };
  };
  const used = confirmed(CsvType.COUNT_USED, usedPrices);
  const fresh = confirmed(CsvType.COUNT_NEW, newPrices.n > 0 ? newPrices : usedPrices);
  return { sales: withoutOutliers(mergeByTime(used.sales, fresh.sales)), offerDrops: used.drops + fresh.drops };
}

/** Both lists ascend by time (drops come out of a history in order), so a merge orders them. */
function mergeByTime(a: readonly Sale[], b: readonly Sale[]): Sale[] {
  const out: Sale[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.t <= y.t)) {
      if (x !== undefined) out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** A rank decrease whose later point lies in [t, t + 240 h]. */
function confirmedByRankDrop(t: number, rankDrops: readonly number[]): boolean {
  const d = rankDrops[lowerBound(rankDrops, t)];
  return d !== undefined && d <= t + CONFIRM_MINUTES;
}

/**
 * The sparse-history rule: when no valid rank point lies in (t, t + 240 h], the first rank
 * within 30 days after t must be lower than the last rank at or before t.
 */
function confirmedBySparseRanks(t: number, ranks: History): boolean {
  const after = firstAfter(ranks, t);
  let before = after - 1;
  while (before >= 0 && valueAt(ranks, before) < 0) before--;
  let next = after;
  while (next < ranks.n && valueAt(ranks, next) < 0) next++;
  if (before < 0 || next >= ranks.n) return false;
  const nextT = timeAt(ranks, next);
  return nextT > t + CONFIRM_MINUTES && nextT <= t + SPARSE_LOOKAHEAD_MINUTES && valueAt(ranks, next) < valueAt(ranks, before);
}

/**
 * The value of the point nearest in time to t, -1 included (a sale priced at no data is
 * dropped); on a tie the earlier point, the one in force at t. Null for an empty history.
 */
function nearestValue(prices: History, t: number): number | null {
  const after = firstAfter(prices, t);
  const before = after - 1;
  if (before < 0) return after < prices.n ? valueAt(prices, after) : null;
  if (after >= prices.n) return valueAt(prices, before);
  return timeAt(prices, after) - t < t - timeAt(prices, before) ? valueAt(prices, after) : valueAt(prices, before);
}

/** Keeps sales within [q1 - 1.5 IQR, q3 + 1.5 IQR] of the sale prices. */
export function withoutOutliers(sales: Sale[]): Sale[] {
  // A typed array sorts numerically without a comparator call per step.
  const sorted = new Float64Array(sales.length);
  sales.forEach((s, i) => (sorted[i] = s.priceCents));
  sorted.sort();
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const lo = q1 - 1.5 * (q3 - q1);
  const hi = q3 + 1.5 * (q3 - q1);
  return sales.filter((s) => s.priceCents >= lo && s.priceCents <= hi);
}
