// Whether a saved deal matches an alert rule: the figures a rule looks at, read from the deal row
// (database column names), and the rule's conditions. Pure.
import type { DealRow } from '../pipeline/analytics/types.js';
import type { AlertConditions } from './config.js';

export interface DealFacts {
  profit: number | null;
  /** Profit over the all-in cost (what the reseller pays), in percent. */
  roi: number | null;
  salesRank: number | null;
  /**
   * Sales a year: Keepa's count of sales-rank drops over 365 days, the usual proxy (each drop is
   * most likely a sale); the inferred-sales engine counts only sales it can price.
   */
  salesPerYear: number | null;
  condition: string | null;
  season: string | null;
}

const num = (row: DealRow, column: string): number | null => {
  const v = row[column];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const text = (row: DealRow, column: string): string | null => {
  const v = row[column];
  return typeof v === 'string' && v !== '' ? v : null;
};

export function dealFacts(row: DealRow): DealFacts {
  const profit = num(row, 'Profit');
  const cost = num(row, 'All_in_Cost');
  const seasons = [text(row, 'Detailed_Seasonality'), text(row, 'Seasonality_Type')].filter((s): s is string => s !== null);
  return {
    profit,
    roi: profit !== null && cost !== null && cost > 0 ? Math.round((profit / cost) * 1000) / 10 : null,
    salesRank: num(row, 'Sales_Rank_Current'),
    salesPerYear: num(row, 'Sales_Rank_Drops_last_365_days'),
    condition: text(row, 'Condition'),
    season: seasons.length > 0 ? [...new Set(seasons)].join(', ') : null,
  };
}

/**
 * A deal matches when it is one a dashboard shows (a profit and a list price) and every condition
 * holds. A figure the deal lacks fails a condition that needs it: an alert says what is known.
 */
export function matchesRule(conditions: AlertConditions, row: DealRow): boolean {
  const f = dealFacts(row);
  if (f.profit === null || f.profit <= 0 || (num(row, 'List_at') ?? 0) <= 0) return false;
  const c = conditions;
  if (c.minProfit !== null && f.profit < c.minProfit) return false;
  if (c.minRoi !== null && (f.roi === null || f.roi < c.minRoi)) return false;
  if (c.maxSalesRank !== null && (f.salesRank === null || f.salesRank > c.maxSalesRank)) return false;
  if (c.minSalesPerYear !== null && (f.salesPerYear === null || f.salesPerYear < c.minSalesPerYear)) return false;
  if (!containsAny(f.condition, c.condition)) return false;
  if (!containsAny(f.season, c.season)) return false;
  return true;
}

function containsAny(value: string | null, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  if (value === null) return false;
  const v = value.toLowerCase();
  return words.some((w) => v.includes(w.toLowerCase()));
}
