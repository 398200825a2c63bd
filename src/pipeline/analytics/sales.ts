// The inferred sales engine (docs/analytics.md, "Inferred sales"). Keepa reports no sales. What
// its histories do show (docs/keepa.md): the sales rank, sampled every 1-8 hours, improves when
// a copy sells and wobbles by a few percent otherwise; offer counts fall both when a copy sells
// and when a seller withdraws a listing. So a sale is a significant rank improvement, and an offer
// drop only tells which condition sold and at what price, when one lies near that improvement.
// Histories are read in place (binary searches, one pass over the rank), never copied.
import { keepaMinutesToMs } from '../../keepa/time.js';
import { CsvType, type KeepaProduct } from '../../keepa/types.js';
import { firstAfter, type History, history, MINUTES_PER_DAY, MINUTES_PER_HOUR, valueAt, windowStart } from './history.js';
import { quantile } from './numeric.js';
import type { PricedSale, Sale, SaleCondition } from './types.js';

export const SALES_WINDOW_MINUTES = 3 * 365 * MINUTES_PER_DAY;
export const YEAR_MINUTES = 365 * MINUTES_PER_DAY;

/**
 * A rank fall counts as a sale when it is larger than this share of the previous rank... On the
 * real books Keepa's own salesRankDrops30/90/180/365 are matched exactly by a 5% threshold on
 * slow sellers (ranks above 500,000), while below that a sale moves the rank less: at rank 32 or
 * 1,000 Keepa counts every decrease. Hence the share shrinks with the rank (next constant).
 */
export const MAX_FALL_SHARE = 0.05;
/** ...or, below rank 500,000, than rank / 10,000,000 of it (rank 100,000: 1%; 10,000: 0.1%). */
export const FALL_SHARE_RANK_SCALE = 10_000_000;
/**
 * An offer drop pairs with a sale when it lies between the last rank point before the improvement
 * and the improved point, widened by these margins: Amazon's rank lags a sale by hours, so the
 * listing often vanishes before the rank moves; Keepa may see the offer list a little after.
 */
export const PAIR_BEFORE_MINUTES = 48 * MINUTES_PER_HOUR;
export const PAIR_AFTER_MINUTES = 24 * MINUTES_PER_HOUR;

export interface InferredSales {
  /** Every inferred sale of the 3-year window, ascending by time. */
  sales: Sale[];
  /** The sales whose price is known, price outliers removed: what the prices rest on. */
  priced: PricedSale[];
  /** Offer-count drops (Used and New) seen in the window, sales and withdrawals alike. */
  offerDrops: number;
}

const MS_PER_DAY = 86_400_000;

/**
 * UTC month (0 = Jan) of a Keepa minute, by Howard Hinnant's civil-from-days arithmetic: a Date
 * per sale was a sixth of the analysis time.
 */
function monthOf(t: number): number {
  const z = Math.floor(keepaMinutesToMs(t) / MS_PER_DAY) + 719_468;
  const dayOfEra = z - Math.floor(z / 146_097) * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  return (monthFromMarch + 2) % 12;
}

/** A priced sale with its month worked out once; List at and seasonality both group by it. */
export function saleAt(t: number, priceCents: number, condition: SaleCondition = 'Used'): PricedSale {
  return { t, month: monthOf(t), priceCents, condition };
}

/** A rank fall from `prev` to `next` big enough to be a sale (see MAX_FALL_SHARE). */
export function isSaleFall(prev: number, next: number): boolean {
  return prev - next > prev * Math.min(MAX_FALL_SHARE, prev / FALL_SHARE_RANK_SCALE);
}

interface RankSale {
  /** The last valid rank point before the improvement. */
  from: number;
  /** The improved rank point: the sale's time when no offer drop pairs with it. */
  at: number;
}

interface OfferDrop {
  t: number;
  condition: SaleCondition;
}

export function inferSales(product: KeepaProduct, nowMinute: number): InferredSales {
  const from = nowMinute - SALES_WINDOW_MINUTES;
  // Falls and drops are read beyond the window's start by the pairing margins: a fall just inside
  // the window whose drop lies just outside it is a sale of before the window, and must not take
  // a withdrawal of after it instead.
  const rankSales = rankImprovements(history(product, CsvType.SALES_RANK), from - PAIR_AFTER_MINUTES, nowMinute);
  const drops = mergeDrops(countDrops(history(product, CsvType.COUNT_USED), from - PAIR_BEFORE_MINUTES, nowMinute, 'Used'), countDrops(history(product, CsvType.COUNT_NEW), from - PAIR_BEFORE_MINUTES, nowMinute, 'New'));
  const usedPrices = history(product, CsvType.USED);
  const newPrices = history(product, CsvType.NEW);
  const pairs = pairDrops(rankSales, drops);

  const sales: Sale[] = [];
  rankSales.forEach((s, k) => {
    const d = pairs[k] ?? -1;
    if (d < 0) {
      if (s.at >= from) sales.push({ t: s.at, month: monthOf(s.at), priceCents: null, condition: null });
      return;
    }
    const drop = drops[d] as OfferDrop;
    if (drop.t < from) return;
    const prices = drop.condition === 'New' && newPrices.n > 0 ? newPrices : usedPrices;
    // The listing leaves when the copy sells; the rank shows it hours later.
    sales.push({ t: drop.t, month: monthOf(drop.t), priceCents: priceBefore(prices, drop.t), condition: drop.condition });
  });
  // A drop paired ahead of its rank fall can precede the sale before it.
  sales.sort((a, b) => a.t - b.t);
  const withPrice = sales.filter((s): s is PricedSale => s.priceCents !== null);
  let offerDrops = 0;
  for (const d of drops) if (d.t >= from) offerDrops++;
  return { sales, priced: withoutOutliers(withPrice), offerDrops };
}

/**
 * Sales rank improvements (isSaleFall) between consecutive valid points whose later point lies in
 * [fromMinute, toMinute]; -1 is a gap, compared across. The hot loop, written against the raw array.
 */
function rankImprovements(h: History, fromMinute: number, toMinute: number): RankSale[] {
  const out: RankSale[] = [];
  const { raw, stride } = h;
  let prev = -1;
  let prevT = 0;
  for (let i = windowStart(h, fromMinute) * stride, end = h.n * stride; i < end; i += stride) {
    const t = raw[i];
    const v = raw[i + 1];
    if (typeof t !== 'number' || typeof v !== 'number' || v <= 0) continue;
    if (t > toMinute) break;
    if (prev > 0 && t >= fromMinute && isSaleFall(prev, v)) out.push({ from: prevT, at: t });
    prev = v;
    prevT = t;
  }
  return out;
}

/**
 * Decreases of an offer count with the later point in [fromMinute, toMinute]. Keepa writes -1
 * when the last offer is gone, so -1 reads as 0 here: 1 -> -1 is the last copy leaving.
 */
function countDrops(h: History, fromMinute: number, toMinute: number, condition: SaleCondition): OfferDrop[] {
  const out: OfferDrop[] = [];
  const { raw, stride } = h;
  let prev = -1;
  for (let i = windowStart(h, fromMinute) * stride, end = h.n * stride; i < end; i += stride) {
    const t = raw[i];
    const v = raw[i + 1];
    if (typeof t !== 'number' || typeof v !== 'number') continue;
    if (t > toMinute) break;
    const count = Math.max(0, v);
    if (prev >= 0 && count < prev && t >= fromMinute) out.push({ t, condition });
    prev = count;
  }
  return out;
}

/** Offer-count drops (Used and New) with the later point in [fromMinute, toMinute]: sales and withdrawals alike. */
export function offerDropsBetween(product: KeepaProduct, fromMinute: number, toMinute: number): number {
  return countDrops(history(product, CsvType.COUNT_USED), fromMinute, toMinute, 'Used').length + countDrops(history(product, CsvType.COUNT_NEW), fromMinute, toMinute, 'New').length;
}

/** Both lists ascend by time; Used first at equal times. */
function mergeDrops(a: readonly OfferDrop[], b: readonly OfferDrop[]): OfferDrop[] {
  const out: OfferDrop[] = [];
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

/**
 * For each rank fall, the index of its paired drop or -1. First every fall takes an unpaired drop
 * inside its own interval (from, at], the latest if several: one seen with the last unimproved
 * rank point was seen while the rank still showed no sale. Only then do the falls left without
 * one look into the margins (nearestDrop). Greedy in one pass, a fall could take a later fall's
 * own drop through its margin and leave that fall to take a withdrawal.
 */
function pairDrops(rankSales: readonly RankSale[], drops: readonly OfferDrop[]): Int32Array {
  const pairs = new Int32Array(rankSales.length).fill(-1);
  const paired = new Uint8Array(drops.length);
  rankSales.forEach((s, k) => {
    let best = -1;
    for (let i = firstDropFrom(drops, s.from + 1); i < drops.length && (drops[i] as OfferDrop).t <= s.at; i++) if (paired[i] === 0) best = i;
    if (best < 0) return;
    paired[best] = 1;
    pairs[k] = best;
  });
  rankSales.forEach((s, k) => {
    if ((pairs[k] ?? -1) >= 0) return;
    const d = nearestDrop(drops, paired, s);
    if (d === null) return;
    paired[d] = 1;
    pairs[k] = d;
  });
  return pairs;
}

/** Index of the first drop at or after minute t. */
function firstDropFrom(drops: readonly OfferDrop[], t: number): number {
  let a = 0;
  let b = drops.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if ((drops[mid] as OfferDrop).t < t) a = mid + 1;
    else b = mid;
  }
  return a;
}

/**
 * The unpaired offer drop in [from - PAIR_BEFORE, at + PAIR_AFTER] nearest to the sale's interval
 * [from, at] (inside counts as distance 0), or null. Ties go to the later drop.
 */
function nearestDrop(drops: readonly OfferDrop[], paired: Uint8Array, s: RankSale): number | null {
  const hi = s.at + PAIR_AFTER_MINUTES;
  let best: number | null = null;
  let bestDistance = Infinity;
  for (let i = firstDropFrom(drops, s.from - PAIR_BEFORE_MINUTES); i < drops.length; i++) {
    const t = (drops[i] as OfferDrop).t;
    if (t > hi) break;
    if (paired[i] === 1) continue;
    const distance = t < s.from ? s.from - t : t > s.at ? t - s.at : 0;
    if (distance <= bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The price in force just before minute t: Keepa writes the new lowest price at the very minute
 * the offer count drops, which is the price after the sale. Null when there is none or it is -1.
 */
function priceBefore(prices: History, t: number): number | null {
  const i = firstAfter(prices, t - 1) - 1;
  if (i < 0) return null;
  const v = valueAt(prices, i);
  return v > 0 ? v : null;
}

/** Keeps sales within [q1 - 1.5 IQR, q3 + 1.5 IQR] of the sale prices. */
export function withoutOutliers(sales: PricedSale[]): PricedSale[] {
  // A typed array sorts numerically without a comparator call per step.
  const sorted = new Float64Array(sales.length);
  sales.forEach((s, i) => {
    sorted[i] = s.priceCents;
  });
  sorted.sort();
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const lo = q1 - 1.5 * (q3 - q1);
  const hi = q3 + 1.5 * (q3 - q1);
  return sales.filter((s) => s.priceCents >= lo && s.priceCents <= hi);
}

/** Sales with t in [now - 365 days, now]. */
export function salesInLastYear(sales: readonly Sale[], nowMinute: number): number {
  const from = nowMinute - YEAR_MINUTES;
  let n = 0;
  for (const s of sales) if (s.t >= from && s.t <= nowMinute) n++;
  return n;
}
