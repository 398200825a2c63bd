import { describe, expect, it } from 'vitest';
import { msToKeepaMinutes } from '../../../src/keepa/time.js';
import { inferSales, saleAt } from '../../../src/pipeline/analytics/sales.js';
import { csv, DAY, HOUR, NOW, product, salesHistories } from './builders.js';

const T = NOW - 30 * DAY;

/** Daily rank points of 200,000 from T - 5 days to T + `days` days, then `last` at T + `lastAt` minutes. */
function denseRanks(days: number, lastAt: number, last: number): number[] {
  const out: number[] = [];
  for (let d = -5; d <= days; d++) out.push(T + d * DAY, 200_000);
  out.push(T + lastAt, last);
  return out;
}

describe('inferred sales', () => {
  it('counts an offer drop confirmed by a rank drop 100 h later as a sale at the nearest used price', () => {
    // Used count 3 -> 2 at T; ranks daily at 200,000 until T+96h, then 150,000 at T+100h
    // (inside [T, T+240h]); the only used price is $15.00.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: denseRanks(4, 100 * HOUR, 150_000), 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [saleAt(T, 1500)], offerDrops: 1 });
  });

  it('does not count a rank drop 300 h after the offer drop', () => {
    // Ranks are daily (so not sparse) and flat for 12 days; the drop at T+300h is past T+240h.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: denseRanks(12, 300 * HOUR, 150_000), 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [], offerDrops: 1 });
  });

  it('in a sparse rank history, counts the next rank 20 days later when it is lower, not when it is higher', () => {
    // No rank point in (T, T+240h]: compare 200,000 (T-2d) with the first rank within 30 days.
    const lower = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: [T - 2 * DAY, 200_000, T + 20 * DAY, 150_000], 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(lower, NOW).sales).toEqual([saleAt(T, 1500)]);
    const higher = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: [T - 2 * DAY, 200_000, T + 20 * DAY, 250_000], 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(higher, NOW).sales).toEqual([]);
    // A lower rank 40 days later is past the 30-day look-ahead (drop moved back so that it lies before now).
    const t = T - 60 * DAY;
    const tooLate = product({ csv: csv({ 12: [t - 10 * DAY, 3, t, 2], 3: [t - 2 * DAY, 200_000, t + 40 * DAY, 150_000], 2: [t - 10 * DAY, 1500] }) });
    expect(inferSales(tooLate, NOW).sales).toEqual([]);
  });

  it('drops a sale whose nearest used price is -1', () => {
    // Price points: $15.00 at T-10d and -1 (out of stock) at T-1h; the nearer one to T is -1.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: [T - DAY, 200_000, T + HOUR, 150_000], 2: [T - 10 * DAY, 1500, T - HOUR, -1] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [], offerDrops: 1 });
  });

  it('never reads a rank of -1 as a rank drop', () => {
    // 200,000 -> -1 -> 250,000: the valid ranks only rise, and there are points within 240 h.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: [T - DAY, 200_000, T + HOUR, -1, T + 2 * HOUR, 250_000], 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW).sales).toEqual([]);
  });

  it('never reads an offer count of -1 as an offer drop', () => {
    // 3 -> -1 -> 3: no decrease between valid counts, although the rank improves at T+1h.
    const p = product({ csv: csv({ 12: [T - DAY, 3, T, -1, T + DAY, 3], 3: [T - DAY, 200_000, T + HOUR, 150_000], 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [], offerDrops: 0 });
  });

  it('ignores a dangling timestamp and null points instead of losing the product', () => {
    // Count history of odd length (T+5d has no value) with a null point in the middle.
    const counts = [T - 10 * DAY, 3, null, null, T, 2, T + 5 * DAY] as unknown as number[];
    const p = product({ csv: csv({ 12: counts, 3: [T - DAY, 200_000, T + HOUR, 150_000, T + 2 * DAY], 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [saleAt(T, 1500)], offerDrops: 1 });
  });

  it('prices a New drop from the New history, and from Used when there is no New history', () => {
    // New count 4 -> 3 at T, rank 200,000 -> 150,000 at T+1h; New price $25.00, Used $18.00.
    const base = { 11: [T - 10 * DAY, 4, T, 3], 3: [T - DAY, 200_000, T + HOUR, 150_000] };
    expect(inferSales(product({ csv: csv({ ...base, 1: [T - 10 * DAY, 2500] }) }), NOW).sales).toEqual([saleAt(T, 2500)]);
    expect(inferSales(product({ csv: csv({ ...base, 2: [T - 10 * DAY, 1800] }) }), NOW).sales).toEqual([saleAt(T, 1800)]);
  });

  it('counts a drop just inside the 3-year window whose previous point lies before it, and nothing older', () => {
    const edge = NOW - 3 * 365 * DAY;
    // Count 3 at edge-5d (outside), 2 at edge+1d (inside): one drop, confirmed at edge+1d+1h.
    const inside = product({ csv: csv({ 12: [edge - 5 * DAY, 3, edge + DAY, 2], 3: [edge - DAY, 200_000, edge + DAY + HOUR, 150_000], 2: [edge - 10 * DAY, 1500] }) });
    expect(inferSales(inside, NOW)).toEqual({ sales: [saleAt(edge + DAY, 1500)], offerDrops: 1 });
    const outside = product({ csv: csv({ 12: [edge - 5 * DAY, 3, edge - DAY, 2], 3: [edge - 2 * DAY, 200_000, edge - DAY + HOUR, 150_000], 2: [edge - 10 * DAY, 1500] }) });
    expect(inferSales(outside, NOW)).toEqual({ sales: [], offerDrops: 0 });
  });

  it('removes a $500 sale among $20 sales', () => {
    // Sorted [20, 20, 20, 20, 500]: q1 = q3 = 20, IQR 0, so only $20 stays.
    const times = [100, 90, 80, 70, 60].map((d) => NOW - d * DAY);
    const p = product({ csv: csv(salesHistories(times.map((t, i) => ({ t, price: i === 2 ? 50_000 : 2000 })))) });
    const { sales, offerDrops } = inferSales(p, NOW);
    expect(offerDrops).toBe(5);
    expect(sales.map((s) => s.priceCents)).toEqual([2000, 2000, 2000, 2000]);
  });

  it('keeps an even spread of sale prices', () => {
    // [10, 20, 30, 40, 50]: q1 = 20, q3 = 40, IQR 20, bounds [-10, 70]: all kept.
    const times = [100, 90, 80, 70, 60].map((d) => NOW - d * DAY);
    const p = product({ csv: csv(salesHistories(times.map((t, i) => ({ t, price: (i + 1) * 1000 })))) });
    expect(inferSales(p, NOW).sales.map((s) => s.priceCents)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it('finds nothing, without error, in a product with no csv at all', () => {
    expect(inferSales(product({ csv: null }), NOW)).toEqual({ sales: [], offerDrops: 0 });
  });
});

describe('sale months', () => {
  it('agree with the UTC calendar on every day from 2011 to 2030, leap days and year ends included', () => {
    const wrong: string[] = [];
    for (let ms = Date.UTC(2011, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 6 * 3600_000) {
      const t = msToKeepaMinutes(ms);
      if (saleAt(t, 1).month !== new Date(ms).getUTCMonth()) wrong.push(new Date(ms).toISOString());
    }
    expect(wrong).toEqual([]);
  });
});
