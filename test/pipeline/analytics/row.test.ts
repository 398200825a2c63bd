import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KeepaCategoryNode, KeepaDeal, KeepaProduct } from '../../../src/keepa/types.js';
import { analyzeProduct, isVisible } from '../../../src/pipeline/analytics/index.js';
import { DEFAULT_PEEK } from '../../../src/settings.js';
import { columnType, sanitizeColumnName } from '../../../src/state/columns.js';
import { csv, DAY, NOW, NOW_MS, offer, product, SETTINGS, salesHistories, series, stats, utc } from './builders.js';

const HEADERS = JSON.parse(readFileSync(new URL('../../../headers.json', import.meta.url), 'utf8')) as string[];
const COLUMNS = new Set(HEADERS.map(sanitizeColumnName));
/** Set by the pipeline when it saves, not by the analysis. */
const PIPELINE_COLUMNS = ['last_seen_utc', 'source'];

// Sales (Used, from salesHistories): Mar 7 $28, Apr 6 $30, Apr 16 $30, May 6 $26 (2025).
const SALES = [100, 70, 60, 40].map((d, i) => ({ t: NOW - d * DAY, price: [2800, 3000, 3000, 2600][i] ?? 0 }));

const BOOK: KeepaProduct = product({
  asin: '0134685997',
  title: 'Effective Java',
  manufacturer: 'Addison-Wesley Professional',
  binding: 'paperback',
  author: 'Joshua Bloch',
  categoryTree: [
    { catId: 283155, name: 'Books' },
    { catId: 5, name: 'Computers & Technology' },
    { catId: 3952, name: 'Programming' },
  ],
  publicationDate: 20180106,
  releaseDate: 201801,
  trackingSince: utc(2017, 12, 1),
  listedSince: 0,
  numberOfPages: 412,
  packageWeight: 680,
  languages: [
    ['English', 'Published'],
    ['English', 'Original Language'],
  ],
  contributors: [['Joshua Bloch', 'author']],
  fbaFees: { pickAndPackFee: 322 },
  referralFeePercentage: 15,
  salesRankReference: 283155,
  lastUpdate: utc(2025, 6, 14),
  csv: csv(salesHistories(SALES)),
  stats: stats({
    current: series({ 0: -1, 2: 1500, 3: 45_000, 16: 47, 17: 1234 }),
    avg90: series({ 2: 2500 }),
    avg180: series({ 12: 22 }),
    avg365: series({ 2: 3000, 12: 18 }),
    min: series({}).map((_, i) => (i === 2 ? [utc(2020, 1, 1), 900] : null)) as ([number, number] | null)[],
    salesRankDrops365: 40,
    totalOfferCount: 30,
    offerCountFBA: 3,
    offerCountFBM: 5,
  }),
  offers: [offer({ sellerId: 'S1', price: 1400, shipping: 399 })],
});

const DEAL: KeepaDeal = { asin: '0134685997', creationDate: utc(2025, 6, 13), lastUpdate: utc(2025, 6, 14, 12), current: [], currentSince: series({ 2: utc(2025, 6, 12) }) as number[] };

describe('the full row', () => {
  const { row, rejected, sales, offerDrops } = analyzeProduct({ product: BOOK, deal: DEAL, settings: SETTINGS, nowMs: NOW_MS });

  it('fills every column of headers.json but the pipeline ones, and nothing else', () => {
    expect(Object.keys(row).sort()).toEqual([...COLUMNS].filter((c) => !PIPELINE_COLUMNS.includes(c)).sort());
  });

  it('stores numbers in number columns and text in TEXT columns', () => {
    for (const [column, value] of Object.entries(row)) {
      if (value === null) continue;
      const type = columnType(column);
      expect([column, typeof value]).toEqual([column, type === 'TEXT' ? 'string' : 'number']);
      if (type === 'INTEGER') expect([column, Number.isInteger(value)]).toEqual([column, true]);
    }
  });

  it('reads the product, the deal and the stats', () => {
    expect(row).toMatchObject({
      ASIN: '0134685997',
      AMZ_link: 'https://www.amazon.com/dp/0134685997',
      Keepa_Link: 'https://keepa.com/#!product/1-0134685997',
      Categories_Root: 'Books',
      Categories_Sub: 'Programming',
      Categories_Tree: 'Books > Computers & Technology > Programming',
      Binding: 'Paperback',
      Publication_Date: '2018-01-06',
      Release_Date: '2018-01',
      Tracking_since: '2017-12-01T00:00:00.000Z',
      Listed_since: null,
      Languages: 'English',
      Contributors: 'Joshua Bloch (author)',
      Number_of_Pages: 412,
      Package_Weight: 680,
      Reviews_Rating: 4.7,
      Reviews_Review_Count: 1234,
      Deal_found: '2025-06-13T00:00:00.000Z',
      last_update: '2025-06-14T12:00:00.000Z',
      last_price_change: '2025-06-12T00:00:00.000Z',
      FBA_PickandPack_Fee: 3.22,
      Referral_Fee_Percent: 15,
      AMZ: 0,
      Sales_Rank_Current: 45_000,
      Sales_Rank_Drops_last_365_days: 40,
      Used_Current: 15,
      Used_Lowest: 9,
      Used_Highest: null,
      // (25 - 15) / 25 = 40%; (30 - 15) / 30 = 50%.
      Avg_Price_90: 25,
      Percent_Down_90: 40,
      Avg_Price_365: 30,
      Percent_Down_365: 50,
      // New = FBA 3 + FBM 5 = 8; Used = 30 - 8 = 22.
      New_Offer_Count_Current: 8,
      Used_Offer_Count_Current: 22,
      Offers: 22,
      Offers_180: 22,
      Offers_365: 18,
    });
  });

  it('derives the deal columns from the inferred sales', () => {
    // Months: Mar [28], Apr [30, 30], May [26]. Peak Apr (median 30, $30 twice): List at $30.
    // Trough May $26. 1yr avg (28 + 30 + 30 + 26) / 4 = $28.50. Price Now 14.00 + 3.99 = $17.99.
    // % Down (28.50 - 17.99) / 28.50 = 36.88%. Trend: used levels 28, 33, 30, 35, 30, 35, 26, 31
    // (each drop's minute carries the next lowest price, sale + $5), newest 31 above oldest 28.
    // All-in 17.99 + 0.90 (5%, 89.95c rounded) + 2.75 = $21.64; fees 3.22 + 4.50 = $7.72;
    // Profit 30 - 21.64 - 7.72 = $0.64; Margin 0.64 / 30 = 2.13%; Min listing (21.64 + 3.22) / 0.75 = $33.15 (33.1467 up).
    expect([rejected, sales.length, offerDrops]).toEqual([null, 4, 4]);
    expect(row).toMatchObject({
      List_at: 30,
      '1yr_Avg': 28.5,
      Price_Now: 17.99,
      Percent_Down: 36.88,
      Peak_Season: 'Apr',
      Trough_Season: 'May',
      Expected_Trough_Price: 26,
      Recent_Inferred_Sale_Price: 26,
      Deal_Trust: 100,
      Drops: 4,
      Trend: 'up',
      Seasonality_Type: 'Year-round',
      Sells: 'All Year',
      Detailed_Seasonality: 'Year-round',
      All_in_Cost: 21.64,
      Total_AMZ_fees: 7.72,
      Profit: 0.64,
      Margin: 2.13,
      Min_Listing_Price: 33.15,
    });
    expect(isVisible(row, DEFAULT_PEEK.minSalesPerYear)).toBe(true);
  });

  it('leaves the deal columns out when there is no deal', () => {
    const { row: noDeal } = analyzeProduct({ product: BOOK, settings: SETTINGS, nowMs: NOW_MS });
    expect(noDeal).not.toHaveProperty('Deal_found');
    expect(noDeal).not.toHaveProperty('last_price_change');
    expect(noDeal['last_update']).toBe('2025-06-14T00:00:00.000Z');
  });
});

describe('the analysis of odd products', () => {
  it('analyses a product with only New history', () => {
    // New count 4 -> 3 at T, rank improves an hour later, New price $24: List at $24.
    const t = NOW - 20 * DAY;
    const p = product({ csv: csv({ 1: [t - 10 * DAY, 2400], 11: [t - 10 * DAY, 4, t, 3], 3: [t - DAY, 90_000, t + 60, 70_000] }), offers: [offer({ price: 900 })] });
    const { row, rejected } = analyzeProduct({ product: p, settings: SETTINGS, nowMs: NOW_MS });
    expect([rejected, row['List_at'], row['Trend']]).toEqual([null, 24, null]);
  });

  it('reports bad data as bad_data with the ASIN, not as an exception', () => {
    const p = { ...product(), categoryTree: 42 as unknown as KeepaCategoryNode[] };
    expect(analyzeProduct({ product: p, settings: SETTINGS, nowMs: NOW_MS })).toEqual({ row: { ASIN: '0123456789' }, rejected: 'bad_data', sales: [], priced: [], salesLast365: 0, offerDrops: 0 });
  });

  it('rejects a product without stats as no_stats', () => {
    expect(analyzeProduct({ product: product({ stats: null }), settings: SETTINGS, nowMs: NOW_MS }).rejected).toBe('no_stats');
  });

  it('applies the business limits: max sales rank, min price, min percent drop', () => {
    // One sale at $20 a month ago: List at = 1yr avg = $20.
    const base = { csv: csv(salesHistories([{ t: NOW - 30 * DAY, price: 2000 }])) };
    const run = (p: Partial<KeepaProduct>) => analyzeProduct({ product: product({ ...base, ...p }), settings: SETTINGS, nowMs: NOW_MS }).rejected;
    expect(run({ stats: stats({ current: series({ 3: 40_000_000 }) }) })).toBe('rank_above_max');
    expect(run({ offers: [offer({ price: 300 })] })).toBe('price_below_min');
    // Price Now $19.60: (20 - 19.60) / 20 = 2% < 3%.
    expect(run({ offers: [offer({ price: 1960 })] })).toBe('small_drop');
    expect(run({ offers: [offer({ price: 1900 })] })).toBeNull();
  });
});

describe('Trend', () => {
  // Used price levels, oldest first: 9, 20, 10, 12, 11, 15 (with a repeat and a -1 that are not levels).
  const prices = [900, 2000, 2000, 1000, -1, 1200, 1100, 1500].flatMap((v, i) => [NOW - (10 - i) * DAY, v]);
  const trend = (rank: number) => analyzeProduct({ product: product({ csv: csv({ 2: prices }), stats: stats({ current: series({ 3: rank }) }) }), settings: SETTINGS, nowMs: NOW_MS }).row['Trend'];

  it('compares the newest with the oldest of 10, 5 or 3 recent prices by sales rank', () => {
    // Rank 50k: up to 10, all 6 levels: 15 > 9, up. Rank 200k: 5 levels back to 20: 15 < 20, down.
    // Rank 1M: 3 levels (15, 11, 12): 15 > 12, up.
    expect(trend(50_000)).toBe('up');
    expect(trend(200_000)).toBe('down');
    expect(trend(1_000_000)).toBe('up');
  });
});
