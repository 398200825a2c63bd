// The peek's verdict: the cheap viability check on stats alone, before paying for history
// (docs/analytics.md, "Peek"). The peek stage that calls it is pipeline/peek.ts.

import { CsvType, type KeepaDeal, type KeepaProduct } from '../../keepa/types.js';
import type { PeekSettings } from '../../settings.js';
import { toCents } from './money.js';
import type { PeekResult, RejectReason } from './types.js';
import { keepaDrops, type RankDrops, sellsOftenEnough } from './velocity.js';

/**
 * Keepa's stats for Used (2) are item prices without shipping; for the four used conditions
 * (19-22) they are landed prices, item plus shipping (docs/keepa.md). A sell candidate is only
 * ever set against a buy price of its own kind.
 */
const CONDITION_INDICES = [CsvType.USED_LIKE_NEW_SHIPPING, CsvType.USED_VERY_GOOD_SHIPPING, CsvType.USED_GOOD_SHIPPING, CsvType.USED_ACCEPTABLE_SHIPPING] as const;

/** A positive price from a stats array; null, -1, 0 and a missing entry are all "no data". */
function price(arr: readonly (number | null)[] | undefined, i: number): number | null {
  const v = arr?.[i];
  return typeof v === 'number' && v > 0 ? v : null;
}

/**
 * Rules in order: stats, buy and sell price of one kind (see CONDITION_INDICES; the best of
 * avg90/avg365 over Used and its four conditions), sales velocity from Keepa's rank drops
 * (velocity.ts: an unknown velocity fails), sell price minimum, buy above 1.1x sell, margin (sell - buy) / buy. The score, for
 * ordering survivors, is the expected spread in dollars.
 */
export function peekProduct(product: KeepaProduct, settings: PeekSettings): PeekResult {
  const stats = product.stats;
  if (!stats || !Array.isArray(stats.current)) return reject('no_stats', null, null);
  const itemBuy = price(stats.current, CsvType.USED) ?? price(stats.current, CsvType.NEW);
  const landedBuy = lowest(CONDITION_INDICES.map((i) => price(stats.current, i)));
  if (itemBuy === null && landedBuy === null) return reject('no_buy_price', null, null);
  const itemSell = highest([price(stats.avg90, CsvType.USED), price(stats.avg365, CsvType.USED)]);
  const landedSell = highest(CONDITION_INDICES.flatMap((i) => [price(stats.avg90, i), price(stats.avg365, i)]));
  // The kind (item or landed) with the wider spread, item prices on a tie; a kind missing either side does not count.
  let best: { buy: number; sell: number } | null = null;
  for (const [b, s] of [
    [itemBuy, itemSell],
    [landedBuy, landedSell],
  ] as const) {
    if (b !== null && s !== null && (best === null || s - b > best.sell - best.buy)) best = { buy: b, sell: s };
  }
  if (best === null) return reject('no_sell_price', itemBuy ?? landedBuy, null);
  return judge(best.buy, best.sell, keepaDrops(stats), settings);
}

/** Keepa's `dateRange` 3: a deal's `avg[3]` holds the 90-day averages (docs/keepa.md). */
const DATE_RANGE_90_DAYS = 3;

/**
 * The peek's rules on what a deal object carries, before any token is spent (docs/tokens.md,
 * "Judged for free"): its current used price against its 90-day used average, and Keepa's rank drops.
 * These are the prices the peek reads first (it adds the 1-year average and the landed prices);
 * a deal they pass goes to its heavy fetch, whose analysis has the last word. Null when the deal
 * does not carry the prices or the drops: the peek then decides.
 */
export function peekDeal(deal: KeepaDeal, settings: PeekSettings): PeekResult | null {
  const buy = price(deal.current, CsvType.USED);
  const sell = price(deal.avg?.[DATE_RANGE_90_DAYS], CsvType.USED);
  const drops = keepaDrops(deal);
  if (buy === null || sell === null || [drops.d30, drops.d90, drops.d180, drops.d365].every((v) => typeof v !== 'number')) return null;
  return judge(buy, sell, drops, settings);
}

/** The rules after the prices: velocity, sell price minimum, buy above sell, margin. */
function judge(buy: number, sell: number, drops: RankDrops, settings: PeekSettings): PeekResult {
  if (!sellsOftenEnough(drops, settings.minSalesPerYear)) return reject('few_rank_drops', buy, sell);
  if (sell < toCents(settings.minSellPrice)) return reject('sell_below_min', buy, sell);
  if (buy > settings.maxBuyToSellRatio * sell) return reject('buy_above_sell', buy, sell);
  if (((sell - buy) / buy) * 100 < settings.minMarginPercent) return reject('low_margin', buy, sell);
  return { ok: true, reason: null, buyPriceCents: buy, sellPriceCents: sell, score: (sell - buy) / 100 };
}

function reject(reason: RejectReason, buy: number | null, sell: number | null): PeekResult {
  return { ok: false, reason, buyPriceCents: buy, sellPriceCents: sell, score: 0 };
}

function lowest(values: readonly (number | null)[]): number | null {
  let out: number | null = null;
  for (const v of values) if (v !== null && (out === null || v < out)) out = v;
  return out;
}

function highest(values: readonly (number | null)[]): number | null {
  let out: number | null = null;
  for (const v of values) if (v !== null && (out === null || v > out)) out = v;
  return out;
}
