import { describe, expect, it } from 'vitest';
import { msToKeepaMinutes } from '../../../src/keepa/time.js';
import { inferSales, isSaleFall, SALES_WINDOW_MINUTES, saleAt } from '../../../src/pipeline/analytics/sales.js';
import { csv, DAY, HOUR, NOW, product } from './builders.js';

const T = NOW - 30 * DAY;

/** Rank 1,000,000 every 4 hours from T - 5 days to T, then `next` at T + 1 h. */
function ranksThen(next: number): number[] {
  const out: number[] = [];
  for (let t = T - 5 * DAY; t <= T; t += 4 * HOUR) out.push(t, 1_000_000);
  out.push(T + HOUR, next);
  return out;
}

const unpriced = (t: number) => ({ t, month: saleAt(t, 0).month, priceCents: null, condition: null });

describe('what counts as a sale', () => {
  it('is a rank fall of more than 5% above rank 500,000, and a smaller share of a faster rank', () => {
    expect([isSaleFall(1_000_000, 960_000), isSaleFall(1_000_000, 940_000)]).toEqual([false, true]);
    // Rank 100,000: the share is 100,000 / 10,000,000 = 1% (1,000 ranks).
    expect([isSaleFall(100_000, 99_100), isSaleFall(100_000, 98_900)]).toEqual([false, true]);
    // Rank 10,000: 0.1% (10 ranks). Rank 1,000: 0.01% of 1,000 is 0.1 rank, so any decrease.
    expect([isSaleFall(10_000, 9_995), isSaleFall(10_000, 9_985), isSaleFall(1_000, 999)]).toEqual([false, true, true]);
  });

  it('prices a sale at the used price in force just before its offer drop, not the one written at the drop, and dates it by the drop', () => {
    // Used count 3 -> 2 at T; rank 1,000,000 -> 600,000 at T + 1 h. Used price $15.00 until T,
    // where Keepa writes $19.00, the lowest price after the sale.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: ranksThen(600_000), 2: [T - 10 * DAY, 1500, T, 1900] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [saleAt(T, 1500)], priced: [saleAt(T, 1500)], offerDrops: 1 });
  });

  it('counts a rank fall of 6% without an offer drop as a sale without a price, and a 4% wobble not at all', () => {
    expect(inferSales(product({ csv: csv({ 3: ranksThen(940_000) }) }), NOW)).toEqual({ sales: [unpriced(T + HOUR)], priced: [], offerDrops: 0 });
    expect(inferSales(product({ csv: csv({ 3: ranksThen(960_000) }) }), NOW).sales).toEqual([]);
  });

  it('does not count an offer drop without a rank improvement: a withdrawn listing', () => {
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: ranksThen(1_100_000), 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [], priced: [], offerDrops: 1 });
  });

  it('pairs an offer drop up to 48 h before the last rank point before the improvement, not 60 h', () => {
    // The last rank point before the fall is at T; drops at T - 47 h and T - 60 h.
    const at = (drop: number) => product({ csv: csv({ 12: [T - 10 * DAY, 3, drop, 2], 3: ranksThen(600_000), 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(at(T - 47 * HOUR), NOW).priced).toEqual([saleAt(T - 47 * HOUR, 1500)]);
    expect(inferSales(at(T - 60 * HOUR), NOW)).toEqual({ sales: [unpriced(T + HOUR)], priced: [], offerDrops: 1 });
  });

  it('pairs an offer drop up to 24 h after the improved rank point', () => {
    const at = (drop: number) => product({ csv: csv({ 12: [T - 10 * DAY, 3, drop, 2], 3: ranksThen(600_000), 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(at(T + 24 * HOUR), NOW).priced).toEqual([saleAt(T + 24 * HOUR, 1500)]);
    expect(inferSales(at(T + 26 * HOUR), NOW).priced).toEqual([]);
  });

  it('pairs each offer drop with one sale at most, and each sale with the nearest drop', () => {
    // Two rank falls (T + 1 h and T + 3 h), one used drop at T + 2 h (nearer the second fall's
    // interval [T + 1 h, T + 3 h], inside it) and a new drop 40 h earlier.
    const ranks = [...ranksThen(600_000), T + 3 * HOUR, 300_000];
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T + 2 * HOUR, 2], 11: [T - 10 * DAY, 2, T - 40 * HOUR, 1], 3: ranks, 2: [T - 10 * DAY, 1500], 1: [T - 10 * DAY, 2500] }) });
    const { sales, offerDrops } = inferSales(p, NOW);
    expect(offerDrops).toBe(2);
    // The used drop lies inside the second fall's interval, so it is the second fall's; the first
    // fall (interval [T, T + 1 h]) takes the new drop 40 h before it. Each sale is dated by its drop.
    expect(sales).toEqual([saleAt(T - 40 * HOUR, 2500, 'New'), saleAt(T + 2 * HOUR, 1500)]);
  });

  it("leaves a fall's own drop to it, so that the fall before cannot push it onto a withdrawal", () => {
    // Falls at T + 1 h (nothing inside [T, T + 1 h]) and T + 3 h (used drop at T + 2 h inside);
    // a used drop at T + 26.5 h is 23.5 h after the second fall, 25.5 h after the first. Paired in
    // time order through its margin, the first fall took T + 2 h and left the second the withdrawal.
    const ranks = [...ranksThen(600_000), T + 3 * HOUR, 300_000];
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 4, T + 2 * HOUR, 3, T + 26.5 * HOUR, 2], 3: ranks, 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW).sales).toEqual([unpriced(T + HOUR), saleAt(T + 2 * HOUR, 1500)]);
  });

  it("takes no drop after the window's start for a fall whose sale was just before it", () => {
    // The window opens at T + 30 min: the used drop at T (the sale) lies before it, the fall at
    // T + 1 h inside, and a withdrawal at T + 10 h. The sale is outside the window; nothing is counted.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 4, T, 3, T + 10 * HOUR, 2], 3: ranksThen(600_000), 2: [T - 10 * DAY, 1500] }) });
    const now = T + 30 + SALES_WINDOW_MINUTES;
    expect(inferSales(p, now)).toEqual({ sales: [], priced: [], offerDrops: 1 });
  });

  it("of two drops inside the fall's interval, pairs the later: one seen with the last unimproved rank point is likelier a withdrawal", () => {
    // Interval [T, T + 1 h]: a used drop at T (with the rank still 1,000,000), a new one at T + 30 min.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 11: [T - 10 * DAY, 2, T + 30, 1], 3: ranksThen(600_000), 2: [T - 10 * DAY, 1500], 1: [T - 10 * DAY, 2500] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [saleAt(T + 30, 2500, 'New')], priced: [saleAt(T + 30, 2500, 'New')], offerDrops: 2 });
  });

  it('reads an offer count of -1 as no offers left: 1 -> -1 is the last copy selling', () => {
    // At the drop's minute Keepa writes -1 for the used price too; the price before is $15.00.
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 1, T, -1], 3: ranksThen(600_000), 2: [T - 10 * DAY, 1500, T, -1] }) });
    expect(inferSales(p, NOW).priced).toEqual([saleAt(T, 1500)]);
    // -1 -> 2 -> -1: an arrival, then a drop of 2.
    const back = product({ csv: csv({ 12: [T - 10 * DAY, -1, T - 5 * DAY, 2, T, -1] }) });
    expect(inferSales(back, NOW).offerDrops).toBe(1);
  });

  it('compares ranks across a -1 gap and never reads -1 as an improvement', () => {
    const gap = (after: number) => product({ csv: csv({ 3: [T - DAY, 200_000, T, -1, T + HOUR, after] }) });
    expect(inferSales(gap(150_000), NOW).sales).toEqual([unpriced(T + HOUR)]);
    expect(inferSales(gap(250_000), NOW).sales).toEqual([]);
  });

  it('keeps a sale whose price before the drop is -1 in the count, without a price', () => {
    const p = product({ csv: csv({ 12: [T - 10 * DAY, 3, T, 2], 3: ranksThen(600_000), 2: [T - 10 * DAY, 1500, T - HOUR, -1] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [{ ...unpriced(T), condition: 'Used' }], priced: [], offerDrops: 1 });
  });

  it('prices a New drop from the New history, and from Used when there is no New history', () => {
    const base = { 11: [T - 10 * DAY, 4, T, 3], 3: ranksThen(600_000) };
    expect(inferSales(product({ csv: csv({ ...base, 1: [T - 10 * DAY, 2500] }) }), NOW).priced).toEqual([saleAt(T, 2500, 'New')]);
    expect(inferSales(product({ csv: csv({ ...base, 2: [T - 10 * DAY, 1800] }) }), NOW).priced).toEqual([saleAt(T, 1800, 'New')]);
  });

  it('ignores a dangling timestamp and null points instead of losing the product', () => {
    const counts = [T - 10 * DAY, 3, null, null, T, 2, T + 5 * DAY] as unknown as number[];
    const p = product({ csv: csv({ 12: counts, 3: [...ranksThen(600_000), T + 2 * DAY], 2: [T - 10 * DAY, 1500] }) });
    expect(inferSales(p, NOW)).toEqual({ sales: [saleAt(T, 1500)], priced: [saleAt(T, 1500)], offerDrops: 1 });
  });

  it('counts a fall just inside the 3-year window from a point before it, and nothing older or after now', () => {
    const edge = NOW - 3 * 365 * DAY;
    const ranks = [edge - 2 * DAY, 1_000_000, edge + DAY, 600_000, NOW - DAY, 900_000, NOW + DAY, 100_000];
    expect(inferSales(product({ csv: csv({ 3: ranks }) }), NOW).sales).toEqual([unpriced(edge + DAY)]);
    const older = [edge - 3 * DAY, 1_000_000, edge - DAY, 600_000];
    expect(inferSales(product({ csv: csv({ 3: older }) }), NOW).sales).toEqual([]);
  });

  it('removes a $500 sale price among $20 ones from the prices, not from the count', () => {
    // Sorted [20, 20, 20, 20, 500]: q1 = q3 = 20, IQR 0, so only $20 stays.
    const times = [100, 90, 80, 70, 60].map((d) => NOW - d * DAY);
    const rank: number[] = [];
    const count: number[] = [times[0]! - DAY, 9];
    const used: number[] = [];
    times.forEach((t, i) => {
      rank.push(t - 2 * DAY, 1_000_000, t + HOUR, 500_000);
      count.push(t, 8 - i);
      used.push(t - 2 * HOUR, i === 2 ? 50_000 : 2000);
    });
    const { sales, priced } = inferSales(product({ csv: csv({ 2: used, 3: rank, 12: count }) }), NOW);
    expect(sales.map((s) => s.priceCents)).toEqual([2000, 2000, 50_000, 2000, 2000]);
    expect(priced.map((s) => s.priceCents)).toEqual([2000, 2000, 2000, 2000]);
  });

  it('finds nothing, without error, in a product with no csv at all', () => {
    expect(inferSales(product({ csv: null }), NOW)).toEqual({ sales: [], priced: [], offerDrops: 0 });
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
