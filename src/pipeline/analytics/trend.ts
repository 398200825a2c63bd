// `Trend`: where the used price has been heading over its most recent changes.
import { CsvType, type KeepaProduct } from '../../keepa/types.js';
import { history, valueAt } from './history.js';

export type Trend = 'up' | 'down' | 'flat';

/** Faster sellers change price more often, so more of their recent prices say something. */
function sampleSize(salesRank: number | null): number {
  if (salesRank !== null && salesRank < 100_000) return 10;
  if (salesRank !== null && salesRank < 500_000) return 5;
  return 3;
}

/**
 * Walks the Used price history (csv 2) back from the end collecting distinct consecutive
 * positive prices (price levels; -1 and repeats skipped) up to the sample size, then compares
 * the oldest with the newest: higher is `up`, lower `down`, equal or a single level `flat`. An
 * unknown rank counts as slow (3 prices). Null without any used price.
 */
export function usedPriceTrend(product: KeepaProduct, salesRank: number | null): Trend | null {
  const used = history(product, CsvType.USED);
  const k = sampleSize(salesRank);
  let newest: number | null = null;
  let oldest: number | null = null;
  let levels = 0;
  for (let i = used.n - 1; i >= 0 && levels < k; i--) {
    const v = valueAt(used, i);
    if (v <= 0 || v === oldest) continue;
    newest ??= v;
    oldest = v;
    levels++;
  }
  if (newest === null || oldest === null) return null;
  return newest > oldest ? 'up' : newest < oldest ? 'down' : 'flat';
}
