// The one rule deciding which saved deals a dashboard shows. Every reader (the refresh, the
// store's counts and lists, the status page) goes through `isVisible`.
import type { DealRow } from './types.js';
import { sellsOftenEnough } from './velocity.js';

/** The columns the rule reads. */
export const VISIBILITY_COLUMNS = [
  'Profit',
  'List_at',
  '1yr_Avg',
  'Sales_Rank_Drops_last_30_days',
  'Sales_Rank_Drops_last_90_days',
  'Sales_Rank_Drops_last_180_days',
  'Sales_Rank_Drops_last_365_days',
] as const;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Profit > 0, List at > 0, a 1-year average, and a book that sells at least `minSalesPerYear`
 * times a year (Keepa's rank drops, velocity.ts: an unknown velocity is not visible).
 */
export function isVisible(row: DealRow, minSalesPerYear: number): boolean {
  const profit = num(row['Profit']);
  const listAt = num(row['List_at']);
  if (profit === null || profit <= 0 || listAt === null || listAt <= 0 || num(row['1yr_Avg']) === null) return false;
  return sellsOftenEnough({
    d30: num(row['Sales_Rank_Drops_last_30_days']),
    d90: num(row['Sales_Rank_Drops_last_90_days']),
    d180: num(row['Sales_Rank_Drops_last_180_days']),
    d365: num(row['Sales_Rank_Drops_last_365_days']),
  }, minSalesPerYear);
}
