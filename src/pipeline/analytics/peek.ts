// The cheap viability check on stats alone, before paying for history (analytics.md, "Peek rules").
import type { PeekSettings } from '../../settings.js';
import { CsvType, type KeepaProduct } from '../../keepa/types.js';
import { toCents } from './money.js';
import type { PeekResult, RejectReason } from './types.js';
import { keepaDrops, sellsOftenEnough } from './velocity.js';

const SELL_INDICES = [
  CsvType.USED,
  CsvType.USED_LIKE_NEW_SHIPPING,
  CsvType.USED_VERY_GOOD_SHIPPING,
  CsvType.USED_GOOD_SHIPPING,
  CsvType.USED_ACCEPTABLE_SHIPPING,
] as const;

/** A positive price from a stats array; null, -1, 0 and a missing entry are all "no data". */
function price(arr: readonly (number | null)[] | undefined, i: number): number | null {
  const v = arr?.[i];
  return typeof v === 'number' && v > 0 ? v : null;
}

/**
 * Rules in order: stats, buy price (current Used, else New), a sell candidate (the best of
 * avg90/avg365 over Used and its four conditions), sales velocity from Keepa's rank drops
 * (velocity.ts: an unknown velocity fails), sell price minimum, buy above 1.1x sell, margin (sell - buy) / buy. The score, for
 * ordering survivors, is the expected spread in dollars.
 */
export function peekProduct(product: KeepaProduct, settings: PeekSettings): PeekResult {
  const stats = product.stats;
  if (!stats || !Array.isArray(stats.current)) return reject('no_stats', null, null);
  const buy = price(stats.current, CsvType.USED) ?? price(stats.current, CsvType.NEW);
  if (buy === null) return reject('no_buy_price', null, null);
  let sell: number | null = null;
  for (const i of SELL_INDICES) {
    for (const v of [price(stats.avg90, i), price(stats.avg365, i)]) {
      if (v !== null && (sell === null || v > sell)) sell = v;
    }
  }
  if (sell === null) return reject('no_sell_price', buy, null);
  if (!sellsOftenEnough(keepaDrops(stats), settings.minSalesPerYear)) return reject('few_rank_drops', buy, sell);
  if (sell < toCents(settings.minSellPrice)) return reject('sell_below_min', buy, sell);
  if (buy > settings.maxBuyToSellRatio * sell) return reject('buy_above_sell', buy, sell);
  if (((sell - buy) / buy) * 100 < settings.minMarginPercent) return reject('low_margin', buy, sell);
  return { ok: true, reason: null, buyPriceCents: buy, sellPriceCents: sell, score: (sell - buy) / 100 };
}

function reject(reason: RejectReason, buy: number | null, sell: number | null): PeekResult {
  return { ok: false, reason, buyPriceCents: buy, sellPriceCents: sell, score: 0 };
}
