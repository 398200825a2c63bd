import { describe, expect, it } from 'vitest';
import { analyzeProduct } from '../../../src/pipeline/analytics/index.js';
import { csv, DAY, NOW, NOW_MS, offer, product, SETTINGS, salesHistories } from './builders.js';

/** One sale at `listAt` 30 days ago gives List at = 1yr Avg = `listAt` (median of one sale). */
function analyzed(o: { price: number; shipping?: number; isFBA?: boolean; listAt: number; fbaFee?: number; referral?: number; settings?: Partial<typeof SETTINGS> }) {
  const p = product({
    csv: csv(salesHistories([{ t: NOW - 30 * DAY, price: o.listAt }])),
    offers: [offer({ price: o.price, shipping: o.shipping ?? 0, isFBA: o.isFBA ?? false })],
    fbaFees: o.fbaFee === undefined ? null : { pickAndPackFee: o.fbaFee },
    referralFeePercentage: o.referral ?? null,
  });
  return analyzeProduct({ product: p, settings: { ...SETTINGS, ...o.settings }, nowMs: NOW_MS });
}

function money(row: Record<string, unknown>) {
  const pick = ['List_at', 'All_in_Cost', 'Total_AMZ_fees', 'Profit', 'Margin', 'Min_Listing_Price', 'FBA_PickandPack_Fee', 'Referral_Fee_Percent'];
  return Object.fromEntries(pick.map((k) => [k, row[k]]));
}

describe('business math', () => {
  it('example 1: default settings, shipping included, Keepa fees missing', () => {
    // Price Now $10.00 (merchant, $0 shipping known). Tax 5% = $0.50, prep $2.75:
    //   All-in = 10.00 + 0.50 + 2.75 = $13.25 (no estimated shipping: it is in the price).
    // Fees default to $5.50 and 15%; List at $50.00: AMZ fees = 5.50 + 7.50 = $13.00.
    // Profit = 50.00 - 13.25 - 13.00 = $23.75; Margin = 23.75 / 50 = 47.5%.
    // Min listing = (13.25 + 5.50) / (1 - 0.10 - 0.15) = 18.75 / 0.75 = $25.00.
    const { row, rejected } = analyzed({ price: 1000, listAt: 5000 });
    expect(rejected).toBeNull();
    expect(money(row)).toEqual({ List_at: 50, All_in_Cost: 13.25, Total_AMZ_fees: 13, Profit: 23.75, Margin: 47.5, Min_Listing_Price: 25, FBA_PickandPack_Fee: 5.5, Referral_Fee_Percent: 15 });
    // % Down = (50 - 10) / 50 = 80%.
    expect(row['Percent_Down']).toBe(80);
  });

  it('example 2: tax exempt, shipping not included (FBA offer with unknown shipping)', () => {
    // Price Now $12.00, no tax, prep $2.75, estimated shipping $3.99: All-in = $18.74.
    // Keepa fees $4.00 and 15%; List at $30.00: AMZ fees = 4.00 + 4.50 = $8.50.
    // Profit = 30.00 - 18.74 - 8.50 = $2.76; Margin = 2.76 / 30 = 9.2%.
    // Min listing = (18.74 + 4.00) / 0.75 = 22.74 / 0.75 = $30.32.
    const { row } = analyzed({ price: 1200, shipping: -1, isFBA: true, listAt: 3000, fbaFee: 400, referral: 15, settings: { taxExempt: true } });
    expect(money(row)).toEqual({ List_at: 30, All_in_Cost: 18.74, Total_AMZ_fees: 8.5, Profit: 2.76, Margin: 9.2, Min_Listing_Price: 30.32, FBA_PickandPack_Fee: 4, Referral_Fee_Percent: 15 });
  });

  it('example 3: tax 8%, prep $1, markup 20%, a loss', () => {
    // Price Now $23.00 + $2.00 shipping = $25.00; tax 8% = $2.00; prep $1.00: All-in = $28.00.
    // List at $30.00, fees $5.50 + 4.50 = $10.00: Profit = 30 - 28 - 10 = -$8.00,
    // Margin = -8 / 30 = -26.67%. Min listing = (28 + 5.50) / (1 - 0.20 - 0.15) = 33.50 / 0.65
    // = 51.538..., rounded up to $51.54.
    const { row } = analyzed({ price: 2300, shipping: 200, listAt: 3000, settings: { taxPercent: 8, prepFee: 1, markupPercent: 20 } });
    expect(money(row)).toMatchObject({ All_in_Cost: 28, Total_AMZ_fees: 10, Profit: -8, Margin: -26.67, Min_Listing_Price: 51.54 });
  });

  it('has no minimum listing price when markup and referral leave nothing', () => {
    // 1 - 0.90 - 0.15 < 0.
    expect(analyzed({ price: 1000, listAt: 5000, settings: { markupPercent: 90 } }).row['Min_Listing_Price']).toBeNull();
  });
});
