// Sales velocity: how many times a year a book sells, from Keepa's own sales-rank drop counts.
// One rule for the free check on the deal object, the peek and the visible rule (docs/value.md).
// Keepa writes -1 (or leaves the field out) where it cannot count; the longest window it could
// count is used, scaled to a year, so a missing 365-day count falls back to 180, 90, then 30 days
// instead of skipping the check.

/** Keepa's `salesRankDrops30/90/180/365`, as a deal object, a product's stats or a deal row carry them. */
export interface RankDrops {
  d30: number | null | undefined;
  d90: number | null | undefined;
  d180: number | null | undefined;
  d365: number | null | undefined;
}

const WINDOWS: ReadonlyArray<readonly [keyof RankDrops, number]> = [
  ['d365', 365],
  ['d180', 180],
  ['d90', 90],
  ['d30', 30],
];

/** Sales a year from the longest window Keepa counted; null when it counted none. */
export function salesPerYear(drops: RankDrops): number | null {
  for (const [key, days] of WINDOWS) {
    const v = drops[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return (v * 365) / days;
  }
  return null;
}

/** Whether a book sells often enough to be worth buying: an unknown velocity is not enough. */
export function sellsOftenEnough(drops: RankDrops, minSalesPerYear: number): boolean {
  if (minSalesPerYear <= 0) return true;
  const v = salesPerYear(drops);
  return v !== null && v >= minSalesPerYear;
}

/**
 * `sellsOftenEnough` as an SQL condition over a table's columns, for readers that filter in the
 * database; `col` gives the SQL of each window's column, which holds a number or NULL (the deals
 * table stores nothing else in it). It follows `salesPerYear` step by step.
 */
export function sellsOftenEnoughSql(col: (window: keyof RankDrops) => string, minSalesPerYear: number): string {
  if (minSalesPerYear <= 0) return '1';
  if (!Number.isFinite(minSalesPerYear)) throw new RangeError(`minSalesPerYear must be a number, not ${minSalesPerYear}`);
  const perYear = WINDOWS.map(([key, days]) => `WHEN ${col(key)} >= 0 THEN ${col(key)} * 365.0 / ${days}`).join(' ');
  return `(CASE ${perYear} END) >= ${minSalesPerYear}`;
}

/** The drops fields of a Keepa deal object or stats object. */
export function keepaDrops(o: { salesRankDrops30?: number; salesRankDrops90?: number; salesRankDrops180?: number; salesRankDrops365?: number } | null | undefined): RankDrops {
  return { d30: o?.salesRankDrops30, d90: o?.salesRankDrops90, d180: o?.salesRankDrops180, d365: o?.salesRankDrops365 };
}
