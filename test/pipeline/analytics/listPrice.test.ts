import { describe, expect, it } from 'vitest';
import { analyzeProduct } from '../../../src/pipeline/analytics/index.js';
import { listPrice, yearAverage } from '../../../src/pipeline/analytics/listPrice.js';
import { saleAt } from '../../../src/pipeline/analytics/sales.js';
import type { PricedSale } from '../../../src/pipeline/analytics/types.js';
import { csv, DAY, NOW, NOW_MS, offer, product, SETTINGS, salesHistories, series, stats, utc } from './builders.js';

function sale(month: number, day: number, priceCents: number, year = month >= 7 ? 2024 : 2025): PricedSale {
  return saleAt(utc(year, month, day), priceCents);
}

describe('List at', () => {
  it("takes the peak month's most frequent price with 3+ sales", () => {
    // Jan [20, 20, 26] median 20; Sep [20, 30, 30, 36] median (30 + 30) / 2 = 30: Sep is the
    // peak and $30 occurs twice, so List at is $30. Trough: Jan at $20.
    const sales = [sale(1, 5, 2000), sale(1, 12, 2000), sale(1, 20, 2600), sale(9, 2, 2000), sale(9, 9, 3000), sale(9, 16, 3000), sale(9, 23, 3600)];
    expect(listPrice(sales, null)).toEqual({ cents: 3000, fromFewSales: false, capped: false, peakMonth: 8, troughMonth: 0, troughCents: 2000 });
  });

  it("falls back to the peak month's median when no price repeats", () => {
    // Sep [28, 30, 39]: no repeat, median $30 (the mean would be $32.33); Jan [20] is the trough.
    const sales = [sale(9, 2, 2800), sale(9, 9, 3000), sale(9, 16, 3900), sale(1, 5, 2000)];
    expect(listPrice(sales, null)?.cents).toBe(3000);
  });

  it('uses the median of 1 or 2 sales', () => {
    // (20 + 30) / 2 = 25.
    expect(listPrice([sale(1, 5, 2000), sale(9, 2, 3000)], null)).toMatchObject({ cents: 2500, fromFewSales: true, peakMonth: null });
    expect(listPrice([sale(3, 5, 1999)], null)?.cents).toBe(1999);
  });

  it('is capped at 90% of the lowest positive Amazon price', () => {
    // Amazon current $30.00, 180-day $28.00, 365-day none: 0.9 x 28.00 = $25.20 < $30.00.
    const s = stats({ current: series({ 0: 3000 }), avg180: series({ 0: 2800 }), avg365: series({ 0: -1 }) });
    expect(listPrice([sale(9, 2, 3000), sale(9, 9, 3000), sale(9, 16, 3000)], s)).toMatchObject({ cents: 2520, capped: true });
  });

  it('averages the sales of the last 365 days only', () => {
    // $20 and $30 within the year, $90 fourteen months ago: (20 + 30) / 2 = 25.
    const sales = [saleAt(NOW - 420 * DAY, 9000), saleAt(NOW - 100 * DAY, 2000), saleAt(NOW - 10 * DAY, 3000)];
    expect(yearAverage(sales, NOW)).toBe(2500);
    expect(yearAverage(sales.slice(0, 1), NOW)).toBeNull();
  });
});

describe('List at in the analysis', () => {
  const threeSales = (price: number) => salesHistories([60, 50, 40].map((d) => ({ t: NOW - d * DAY, price })));

  it('rejects a List at of $1,600 as absurd_price', () => {
    // Three sales at $1,600: List at $1,600 > $1,500.
    const p = product({ csv: csv(threeSales(160_000)), stats: stats({ current: series({ 2: 150_000 }) }), offers: [offer({ price: 150_000 })] });
    const { rejected, row } = analyzeProduct({ product: p, settings: SETTINGS, nowMs: NOW_MS });
    expect(rejected).toBe('absurd_price');
    expect(row['List_at']).toBeNull();
    expect(row['Profit']).toBeNull();
  });

  it('rejects a List at above 3x the current used price, unless the Amazon ceiling set it', () => {
    // Three sales at $90, current used $20: 90 > 3 x 20 = 60.
    const p = product({ csv: csv(threeSales(9000)), stats: stats({ current: series({ 2: 2000 }) }), offers: [offer({ price: 2000 })] });
    expect(analyzeProduct({ product: p, settings: SETTINGS, nowMs: NOW_MS }).rejected).toBe('suspicious_price');
    // Amazon at $80: capped to $72 and kept although 72 > 60.
    const capped = { ...p, stats: stats({ current: series({ 0: 8000, 2: 2000 }) }) };
    const result = analyzeProduct({ product: capped, settings: SETTINGS, nowMs: NOW_MS });
    expect(result.rejected).toBeNull();
    expect(result.row['List_at']).toBe(72);
  });

  it('rejects a product without inferred sales as no_inferred_sales', () => {
    const { rejected, row, sales } = analyzeProduct({ product: product({ csv: csv({ 2: [NOW - DAY, 1500] }) }), settings: SETTINGS, nowMs: NOW_MS });
    expect([rejected, sales.length, row['List_at'], row['1yr_Avg']]).toEqual(['no_inferred_sales', 0, null, null]);
  });
});
