import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeepaDeal, KeepaProduct, KeepaStats } from '../../../src/keepa/types.js';
import { peekDeal, peekProduct } from '../../../src/pipeline/analytics/index.js';
import { DEFAULT_PEEK } from '../../../src/settings.js';
import { product, series, stats } from './builders.js';
import { REAL_KEEPA } from './realBooks.js';

/** Buy (current Used) $10, sell candidates avg90 $20 / avg365 $18, 5 rank drops: a viable book. */
function viable(s: Partial<KeepaStats> = {}): KeepaStats {
  return stats({ current: series({ 2: 1000 }), avg90: series({ 2: 2000 }), avg365: series({ 2: 1800 }), salesRankDrops365: 5, ...s });
}

function peek(s: KeepaStats | null) {
  return peekProduct(product({ stats: s }), DEFAULT_PEEK);
}

describe('peek', () => {
  it('passes a viable book, scored by its expected spread', () => {
    // Best sell candidate $20 (avg90 beats avg365); spread 20 - 10 = $10.
    expect(peek(viable())).toEqual({ ok: true, reason: null, buyPriceCents: 1000, sellPriceCents: 2000, score: 10 });
  });

  it('rejects a product without stats as no_stats', () => {
    expect(peek(null).reason).toBe('no_stats');
  });

  it('rejects without a current Used or New price as no_buy_price, and buys New when Used has none', () => {
    expect(peek(viable({ current: series({ 2: -1, 1: -1 }) })).reason).toBe('no_buy_price');
    // Used null is no data: buy at New $12; (20 - 12) / 12 = 67% margin.
    expect(peek(viable({ current: series({ 2: null, 1: 1200 }) }))).toMatchObject({ ok: true, buyPriceCents: 1200 });
  });

  it('rejects without a sell candidate as no_sell_price, and finds one in a used condition', () => {
    expect(peek(viable({ avg90: series({ 2: -1 }), avg365: series({ 2: null }) })).reason).toBe('no_sell_price');
    // Used avg90 null, Good (21) avg365 $25 landed, Good now $13.99 landed: sell at $25 against $13.99.
    expect(peek(viable({ current: series({ 2: 1000, 21: 1399 }), avg90: series({ 2: null }), avg365: series({ 21: 2500 }) }))).toMatchObject({ ok: true, buyPriceCents: 1399, sellPriceCents: 2500 });
    // Without a landed price now, a landed average has nothing of its kind to be compared with.
    expect(peek(viable({ avg90: series({ 2: null }), avg365: series({ 21: 2500 }) })).reason).toBe('no_sell_price');
  });

  it('rejects a book selling fewer than 4 times a year as few_rank_drops', () => {
    expect(peek(viable({ salesRankDrops365: 3 })).reason).toBe('few_rank_drops');
    expect(peek(viable({ salesRankDrops365: 4 })).ok).toBe(true);
  });

  it('does not skip the velocity check when Keepa has no 365-day count: a shorter window decides, and none at all fails', () => {
    // 1 drop in 90 days is 4 a year; 1 in 180 days is 2 a year.
    expect(peek(viable({ salesRankDrops365: -1, salesRankDrops180: -1, salesRankDrops90: 1 })).ok).toBe(true);
    expect(peek(viable({ salesRankDrops365: -1, salesRankDrops180: 1 })).reason).toBe('few_rank_drops');
    expect(peek(viable({ salesRankDrops365: -1 })).reason).toBe('few_rank_drops');
  });

  it('rejects a best sell price under $12 as sell_below_min', () => {
    // Buy $5, sell $11.00 < $12.00.
    expect(peek(viable({ current: series({ 2: 500 }), avg90: series({ 2: 1100 }), avg365: series({ 2: 1000 }) })).reason).toBe('sell_below_min');
  });

  it('rejects a buy price above 1.1 x sell as buy_above_sell', () => {
    // Buy $23 > 1.1 x $20 = $22.
    expect(peek(viable({ current: series({ 2: 2300 }) })).reason).toBe('buy_above_sell');
  });

  it('rejects a margin under 20% as low_margin', () => {
    // Buy $18, sell $20: (20 - 18) / 18 = 11.1% < 20%. Buy $16: 25% passes.
    expect(peek(viable({ current: series({ 2: 1800 }) })).reason).toBe('low_margin');
    expect(peek(viable({ current: series({ 2: 1600 }) })).ok).toBe(true);
  });
});

describe('peek on a real book', () => {
  it('compares landed prices with landed prices: 0470820942 buys at Good $26.53 landed (item $22.42 + $4.11 shipping), not at the item price', () => {
    const book = JSON.parse(readFileSync(join(REAL_KEEPA, 'books', '0470820942.json'), 'utf8')) as KeepaProduct;
    // current[2] $22.42 (item), avg90[2] $100.35: spread $77.93. Landed: current 20 $69.80, 21
    // $26.53; best landed average avg90[21] $113.56: spread $87.03, the wider one.
    expect(peekProduct(book, DEFAULT_PEEK)).toMatchObject({ ok: true, buyPriceCents: 2653, sellPriceCents: 11356, score: 87.03 });
  });
});

describe("the peek's rules on a deal object", () => {
  const page = JSON.parse(readFileSync(join(REAL_KEEPA, 'deals', 'aa_deal_2025-09-18_p0.json'), 'utf8')) as { deals: { dr: KeepaDeal[] } };

  it('judge every deal of a real page without a token: 130 pass on their own prices and counts, 20 sell too rarely', () => {
    const verdicts: Record<string, number> = {};
    for (const d of page.deals.dr) {
      const v = peekDeal(d, DEFAULT_PEEK);
      const key = v === null ? 'left to the peek' : v.ok ? 'pass' : (v.reason ?? 'unknown');
      verdicts[key] = (verdicts[key] ?? 0) + 1;
    }
    expect(verdicts).toEqual({ pass: 130, few_rank_drops: 20 });
    // 1781255105: Used $25.59 against a 90-day Used average of $122.56, 10 rank drops in a year.
    expect(peekDeal(page.deals.dr.find((d) => d.asin === '1781255105') as KeepaDeal, DEFAULT_PEEK)).toMatchObject({ ok: true, buyPriceCents: 2559, sellPriceCents: 12256 });
  });

  it('leave to the peek a deal without its prices or counts, and one whose own prices fail', () => {
    const d = page.deals.dr.find((x) => x.asin === '1781255105') as KeepaDeal;
    expect(peekDeal({ ...d, avg: undefined }, DEFAULT_PEEK)).toBeNull();
    expect(peekDeal({ ...d, salesRankDrops30: undefined, salesRankDrops90: undefined, salesRankDrops180: undefined, salesRankDrops365: undefined }, DEFAULT_PEEK)).toBeNull();
    expect(peekDeal({ ...d, current: d.current.map((v, i) => (i === 2 ? 11_000 : v)) }, DEFAULT_PEEK)).toMatchObject({ ok: false, reason: 'low_margin' });
  });
});
