// What the book should sell for: `List at` from the inferred sales' peak month, the Amazon
// ceiling and the sanity checks, the 1-year average and the trough (docs/analytics.md, "Columns").
import { CsvType, type KeepaStats } from '../../keepa/types.js';
import { MINUTES_PER_DAY } from './history.js';
import { median, mode } from './numeric.js';
import type { PricedSale, RejectReason } from './types.js';

export const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const ABSURD_CENTS = 150_000;
const SUSPICIOUS_FACTOR = 3;
const CEILING_SHARE = 0.9;

/** Sale prices per calendar month (0 = Jan), each list sorted ascending. */
function pricesByMonth(sales: readonly PricedSale[]): number[][] {
  const months: number[][] = Array.from({ length: 12 }, () => []);
  for (const s of sales) months[s.month]?.push(s.priceCents);
  for (const m of months) m.sort((a, b) => a - b);
  return months;
}

export interface ListPrice {
  cents: number;
  /** Came from 1 or 2 sales, where no month can be told apart. */
  fromFewSales: boolean;
  capped: boolean;
  /** Months (0-11) of the highest and lowest median price; null with fewer than 3 sales. */
  peakMonth: number | null;
  troughMonth: number | null;
  troughCents: number | null;
}

/**
 * 3+ sales: the peak month (highest median) gives its most frequent price if one repeats, else
 * its median; 1-2 sales: their median; none: null. Equal medians go to the earlier month.
 * Then capped at 90% of the lowest positive Amazon price (current, 180- or 365-day average).
 */
export function listPrice(sales: readonly PricedSale[], stats: KeepaStats | null | undefined): ListPrice | null {
  if (sales.length === 0) return null;
  let cents: number;
  let peakMonth: number | null = null;
  let troughMonth: number | null = null;
  let troughCents: number | null = null;
  if (sales.length < 3) {
    cents = median(sales.map((s) => s.priceCents).sort((a, b) => a - b)) ?? 0;
  } else {
    const months = pricesByMonth(sales);
    let peakMedian = -Infinity;
    let troughMedian = Infinity;
    let peak: number[] = [];
    for (let m = 0; m < 12; m++) {
      const prices = months[m] ?? [];
      const med = median(prices);
      if (med === null) continue;
      if (med > peakMedian) [peakMedian, peakMonth, peak] = [med, m, prices];
      if (med < troughMedian) [troughMedian, troughMonth] = [med, m];
    }
    cents = mode(peak) ?? peakMedian;
    troughCents = troughMedian;
  }
  const ceiling = amazonCeiling(stats);
  const capped = ceiling !== null && cents > ceiling;
  return { cents: capped ? ceiling : cents, fromFewSales: sales.length < 3, capped, peakMonth, troughMonth, troughCents };
}

function amazonCeiling(stats: KeepaStats | null | undefined): number | null {
  let lowest = Infinity;
  for (const v of [stats?.current?.[CsvType.AMAZON], stats?.avg180?.[CsvType.AMAZON], stats?.avg365?.[CsvType.AMAZON]]) {
    if (typeof v === 'number' && v > 0 && v < lowest) lowest = v;
  }
  return lowest === Infinity ? null : Math.floor(lowest * CEILING_SHARE);
}

/**
 * Above $1,500 is absurd; above 3x the current used price is suspicious unless the Amazon
 * ceiling already bounded it or it rests on 1-2 sales (docs/analytics.md, "sanity").
 */
export function listPriceProblem(lp: ListPrice, currentUsedCents: number | null): RejectReason | null {
  if (lp.cents > ABSURD_CENTS) return 'absurd_price';
  if (!lp.capped && !lp.fromFewSales && currentUsedCents !== null && lp.cents > SUSPICIOUS_FACTOR * currentUsedCents) {
    return 'suspicious_price';
  }
  return null;
}

/** Mean sale price of the last 365 days in cents, or null when there was no such sale. */
export function yearAverage(sales: readonly PricedSale[], nowMinute: number): number | null {
  const from = nowMinute - 365 * MINUTES_PER_DAY;
  let sum = 0;
  let n = 0;
  for (const s of sales) {
    if (s.t >= from && s.t <= nowMinute) {
      sum += s.priceCents;
      n++;
    }
  }
  return n === 0 ? null : Math.round(sum / n);
}
