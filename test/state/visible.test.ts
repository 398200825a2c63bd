import { describe, expect, it } from 'vitest';
import type { DealRow } from '../../src/pipeline/analytics/types.js';
import { isVisible } from '../../src/pipeline/analytics/visible.js';
import { DealQuery } from '../../src/state/dealQuery.js';
import { DealStore } from '../../src/state/deals.js';
import { memoryStore, smallColumns, T0 } from '../helpers.js';

const DROPS = ['Sales Rank - Drops last 30 days', 'Sales Rank - Drops last 90 days', 'Sales Rank - Drops last 180 days', 'Sales Rank - Drops last 365 days'];

/** Every combination of missing, zero, negative and positive figures the rule reads. */
function rows(): DealRow[] {
  const out: DealRow[] = [];
  const counts = [null, -1, 1, 3];
  let i = 0;
  for (const Profit of [null, -2, 0, 3.5]) {
    for (const List_at of [null, 0, 20]) {
      for (const yearAvg of [null, 19]) {
        for (const d30 of counts)
          for (const d90 of counts)
            for (const d180 of counts)
              for (const d365 of counts) {
                out.push({
                  ASIN: `A${String(i++).padStart(9, '0')}`,
                  Profit,
                  List_at,
                  '1yr_Avg': yearAvg,
                  Sales_Rank_Drops_last_30_days: d30,
                  Sales_Rank_Drops_last_90_days: d90,
                  Sales_Rank_Drops_last_180_days: d180,
                  Sales_Rank_Drops_last_365_days: d365,
                });
              }
      }
    }
  }
  return out;
}

const ALL = { minProfit: null, minRoi: null, maxRank: null, minSales: null, season: null, condition: null, q: null, sort: 'profit', order: 'desc', all: false } as const;

describe('the visible rule', () => {
  it('the database readers (store counts and lists, the desk) show exactly the deals isVisible shows', () => {
    const columns = smallColumns(DROPS);
    const store = memoryStore(columns);
    const all = rows();
    store.db.transaction(() => {
      for (const [i, row] of all.entries()) store.deals.upsert(row, T0 + i, 'full');
    })();
    for (const minSalesPerYear of [0, 4, 12.2, 36.5]) {
      const expected = all.filter((row) => isVisible(row, minSalesPerYear)).map((row) => row.ASIN);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(all.length);
      const deals = new DealStore(store.db, columns, minSalesPerYear);
      expect(deals.visibleCount()).toBe(expected.length);
      expect(
        deals
          .newestVisible(all.length)
          .map((r) => r.ASIN)
          .sort(),
      ).toEqual([...expected].sort());
      const desk = new DealQuery(store.db, columns, minSalesPerYear);
      expect(desk.count(ALL)).toBe(expected.length);
      expect(
        desk
          .page(ALL, 0, all.length)
          .map((d) => d.row.ASIN)
          .sort(),
      ).toEqual([...expected].sort());
      expect(desk.one(expected[0] as string)?.visible).toBe(true);
    }
  });
});
