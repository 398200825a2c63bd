import { describe, expect, it } from 'vitest';
import { analyzeProduct, type DealRow, isVisible, lightUpdate } from '../../../src/pipeline/analytics/index.js';
import { DEFAULT_PEEK } from '../../../src/settings.js';
import { csv, DAY, NOW, NOW_MS, offer, product, SETTINGS, salesHistories, series, stats } from './builders.js';

const STORED: DealRow = {
  ASIN: '0123456789',
  Title: 'A Plain Book',
  List_at: 50,
  '1yr_Avg': 30,
  Seasonality_Type: 'Textbook (Summer)',
  Detailed_Seasonality: 'Textbook (Summer)',
  Sells: 'Jul-Sep',
  Peak_Season: 'Sep',
  Seller_ID: 'S1',
  Seller: 'Good Books',
  Seller_Quality_Score: 0.95,
  Price_Now: 14,
  Profit: 9,
};

/** A cheap fetch: stats and live offers, no csv history. */
function cheap(offers = [offer({ sellerId: 'S1', price: 1000 })]) {
  return product({ csv: null, offers, stats: stats({ current: series({ 2: 1000, 3: 80_000 }), salesRankDrops365: 12 }) });
}

describe('light update', () => {
  it('keeps List at, 1yr Avg, seasonality and the known seller name, and recomputes the money from them', () => {
    const { row, rejected } = lightUpdate({ product: cheap(), stored: STORED, settings: SETTINGS, nowMs: NOW_MS });
    expect(rejected).toBeNull();
    for (const kept of ['List_at', '1yr_Avg', 'Seasonality_Type', 'Detailed_Seasonality', 'Sells', 'Peak_Season', 'Seller', 'Seller_Quality_Score', 'Title']) {
      expect(row).not.toHaveProperty(kept);
    }
    // Price Now $10: All-in 10 + 0.50 + 2.75 = $13.25; fees 5.50 + 15% x 50 = $13.00;
    // Profit 50 - 13.25 - 13.00 = $23.75; Margin 23.75 / 50 = 47.5%; % Down (30 - 10) / 30 = 66.67%.
    expect(row).toMatchObject({ Price_Now: 10, Seller_ID: 'S1', All_in_Cost: 13.25, Total_AMZ_fees: 13, Profit: 23.75, Margin: 47.5, Percent_Down: 66.67 });
    expect(row).toMatchObject({ Sales_Rank_Current: 80_000, Sales_Rank_Drops_last_365_days: 12 });
    expect(isVisible({ ...STORED, ...row }, DEFAULT_PEEK.minSalesPerYear)).toBe(true);
  });

  it("names a new winning seller from its record, and blanks the old seller's name without one", () => {
    const offers = [offer({ sellerId: 'S2', price: 1000 })];
    const named = lightUpdate({ product: cheap(offers), stored: STORED, seller: { sellerId: 'S2', sellerName: 'Other Shop', currentRating: 100, currentRatingCount: 100 }, settings: SETTINGS, nowMs: NOW_MS });
    expect([named.row['Seller_ID'], named.row['Seller'], named.row['Seller_Quality_Score']]).toEqual(['S2', 'Other Shop', 0.963]);
    const unnamed = lightUpdate({ product: cheap(offers), stored: STORED, settings: SETTINGS, nowMs: NOW_MS });
    expect([unnamed.row['Seller_ID'], unnamed.row['Seller'], unnamed.row['Seller_Quality_Score']]).toEqual(['S2', null, null]);
  });

  it('clears Price Now and Profit, but not List at, when the used offers are gone', () => {
    const { row, rejected } = lightUpdate({ product: cheap([]), stored: STORED, settings: SETTINGS, nowMs: NOW_MS });
    expect(rejected).toBe('no_used_offer');
    expect([row['Price_Now'], row['Profit'], row['Margin']]).toEqual([null, null, null]);
    expect(row).not.toHaveProperty('List_at');
    expect(isVisible({ ...STORED, ...row }, DEFAULT_PEEK.minSalesPerYear)).toBe(false);
  });

  it('writes no money that depends on a List at the row never had', () => {
    const { row } = lightUpdate({ product: cheap(), stored: { ASIN: '0123456789' }, settings: SETTINGS, nowMs: NOW_MS });
    expect(row['All_in_Cost']).toBe(13.25);
    for (const absent of ['Profit', 'Margin', 'Total_AMZ_fees', 'Percent_Down', 'List_at']) expect(row).not.toHaveProperty(absent);
  });

  it('after a full analysis, refreshes the same columns without touching the history-based ones', () => {
    const full = analyzeProduct({ product: product({ csv: csv(salesHistories([{ t: NOW - 30 * DAY, price: 4000 }])) }), settings: SETTINGS, nowMs: NOW_MS });
    const { row } = lightUpdate({ product: cheap(), stored: full.row, settings: SETTINGS, nowMs: NOW_MS });
    for (const column of Object.keys(row)) expect(full.row).toHaveProperty(column);
    expect(full.row['List_at']).toBe(40);
    expect({ ...full.row, ...row }['List_at']).toBe(40);
  });
});
