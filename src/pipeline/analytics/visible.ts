// The one rule deciding which saved deals a dashboard shows. A row in hand (the refresh, bin/analyze)
// is judged by `isVisible`; the database's readers (the store's counts and lists, the status page,
// the desk) filter with `visibleSql`, the same rule written as SQL beside it and tested to agree.
import type { DealRow } from './types.js';
import { type RankDrops, sellsOftenEnough, sellsOftenEnoughSql } from './velocity.js';

/** The columns the rule reads. */
export const VISIBILITY_COLUMNS = ['Profit', 'List_at', '1yr_Avg', 'Sales_Rank_Drops_last_30_days', 'Sales_Rank_Drops_last_90_days', 'Sales_Rank_Drops_last_180_days', 'Sales_Rank_Drops_last_365_days'] as const;

export type VisibilityColumn = (typeof VISIBILITY_COLUMNS)[number];

const DROPS_COLUMNS: Record<keyof RankDrops, VisibilityColumn> = {
  d30: 'Sales_Rank_Drops_last_30_days',
  d90: 'Sales_Rank_Drops_last_90_days',
  d180: 'Sales_Rank_Drops_last_180_days',
  d365: 'Sales_Rank_Drops_last_365_days',
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Profit > 0, List at > 0, a 1-year average, and a book that sells at least `minSalesPerYear`
 * times a year (Keepa's rank drops, velocity.ts: an unknown velocity is not visible).
 */
export function isVisible(row: DealRow, minSalesPerYear: number): boolean {
  const profit = num(row['Profit']);
  const listAt = num(row['List_at']);
  if (profit === null || profit <= 0 || listAt === null || listAt <= 0 || num(row['1yr_Avg']) === null) return false;
  return sellsOftenEnough(
    {
      d30: num(row[DROPS_COLUMNS.d30]),
      d90: num(row[DROPS_COLUMNS.d90]),
      d180: num(row[DROPS_COLUMNS.d180]),
      d365: num(row[DROPS_COLUMNS.d365]),
    },
    minSalesPerYear,
  );
}

/**
 * `isVisible` as an SQL condition; `col` gives the SQL of a column (NULL where the table lacks it).
 * These columns hold a number or NULL (DealStore.upsert refuses anything else), so NULL is the
 * missing value `num` returns null for above, and a comparison with it is false.
 */
export function visibleSql(col: (name: VisibilityColumn) => string, minSalesPerYear: number): string {
  const velocity = sellsOftenEnoughSql((window) => col(DROPS_COLUMNS[window]), minSalesPerYear);
  return `(${col('Profit')} > 0 AND ${col('List_at')} > 0 AND ${col('1yr_Avg')} IS NOT NULL AND ${velocity})`;
}
