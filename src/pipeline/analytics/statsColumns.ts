// Columns read straight from Keepa's `stats` (docs/analytics.md, "Columns read from the product"): the price
// blocks, sales rank, offer counts, reviews and Amazon's presence. A missing stats array gives
// `undefined` (not in this fetch), a -1 or null entry gives NULL (Keepa has no data).
import { CsvType, type KeepaProduct, type KeepaStats } from '../../keepa/types.js';
import { sanitizeColumnName } from '../../state/columns.js';
import { percentDown, toDollars } from './money.js';
import { roundTo } from './numeric.js';
import type { Put } from './types.js';

type Series = readonly (number | null)[] | undefined;
type Extremes = readonly ([number, number] | null)[] | undefined;

function entry(arr: Series, i: number): number | null | undefined {
  if (!Array.isArray(arr)) return undefined;
  const v = arr[i];
  return typeof v === 'number' && v >= 0 ? v : null;
}

function extreme(arr: Extremes, i: number): number | null | undefined {
  if (!Array.isArray(arr)) return undefined;
  const v = arr[i]?.[1];
  return typeof v === 'number' && v >= 0 ? v : null;
}

function map(v: number | null | undefined, f: (x: number) => number): number | null | undefined {
  return typeof v === 'number' ? f(v) : v;
}

const PRICE_BLOCKS: ReadonlyArray<readonly [string, number]> = [
  ['Buy Box', CsvType.BUY_BOX_SHIPPING],
  ['Amazon', CsvType.AMAZON],
  ['New', CsvType.NEW],
  ['New, 3rd Party FBA', CsvType.NEW_FBA],
  ['New, 3rd Party FBM', CsvType.NEW_FBM_SHIPPING],
  ['Buy Box Used', CsvType.BUY_BOX_USED_SHIPPING],
  ['Used', CsvType.USED],
  ['Used, like new', CsvType.USED_LIKE_NEW_SHIPPING],
  ['Used, very good', CsvType.USED_VERY_GOOD_SHIPPING],
  ['Used, good', CsvType.USED_GOOD_SHIPPING],
  ['Used, acceptable', CsvType.USED_ACCEPTABLE_SHIPPING],
  ['List Price', CsvType.LIST_PRICE],
];

type Source = (s: KeepaStats, i: number) => number | null | undefined;

// Keepa's stats have no 60-day window and stock needs an extra-cost parameter, so those
// headers were dropped from headers.json; every suffix here has a source.
const BLOCK_SOURCES: ReadonlyArray<readonly [string, Source]> = [
  ['Current', (s, i) => entry(s.current, i)],
  ['30 days avg.', (s, i) => entry(s.avg30, i)],
  ['90 days avg.', (s, i) => entry(s.avg90, i)],
  ['180 days avg.', (s, i) => entry(s.avg180, i)],
  ['365 days avg.', (s, i) => entry(s.avg365, i)],
  // The "365 days" extremes are Keepa's in-interval ones: the stats window, 365 days with stats=365.
  ['Lowest', (s, i) => extreme(s.min, i)],
  ['Lowest 365 days', (s, i) => extreme(s.minInInterval, i)],
  ['Highest', (s, i) => extreme(s.max, i)],
  ['Highest 365 days', (s, i) => extreme(s.maxInInterval, i)],
];

function columns(block: string, suffixes: readonly (readonly [string, Source])[]): Array<readonly [string, Source]> {
  return suffixes.map(([suffix, source]) => [sanitizeColumnName(`${block} - ${suffix}`), source] as const);
}

const PRICE_COLUMNS = PRICE_BLOCKS.map(([block, index]) => ({
  index,
  money: columns(block, BLOCK_SOURCES),
  oos: sanitizeColumnName(`${block} - 90 days OOS`),
}));

const RANK_COLUMNS = columns('Sales Rank', BLOCK_SOURCES);
const RANK_DROPS: ReadonlyArray<readonly [string, (s: KeepaStats) => number | undefined]> = [
  ['Sales_Rank_Drops_last_30_days', (s) => s.salesRankDrops30],
  ['Sales_Rank_Drops_last_90_days', (s) => s.salesRankDrops90],
  ['Sales_Rank_Drops_last_180_days', (s) => s.salesRankDrops180],
  ['Sales_Rank_Drops_last_365_days', (s) => s.salesRankDrops365],
];
const COUNT_AVERAGES = BLOCK_SOURCES.slice(1, 5);
const NEW_COUNT_AVERAGES = columns('New Offer Count', COUNT_AVERAGES);
const USED_COUNT_AVERAGES = columns('Used Offer Count', COUNT_AVERAGES);

/** Current Used offer count: total - (new FBA + new FBM) when Keepa counted the live offers, else csv 12. */
export function usedOfferCount(stats: KeepaStats): number | null | undefined {
  const { totalOfferCount: total, offerCountFBA: fba, offerCountFBM: fbm } = stats;
  if (typeof total === 'number' && typeof fba === 'number' && typeof fbm === 'number' && total >= 0 && fba >= 0 && fbm >= 0) {
    return Math.max(0, total - fba - fbm);
  }
  return entry(stats.current, CsvType.COUNT_USED);
}

function newOfferCount(stats: KeepaStats): number | null | undefined {
  const { offerCountFBA: fba, offerCountFBM: fbm } = stats;
  if (typeof fba === 'number' && typeof fbm === 'number' && fba >= 0 && fbm >= 0) return fba + fbm;
  return entry(stats.current, CsvType.COUNT_NEW);
}

/** Writes every stats-derived column; writes nothing when the product has no stats. */
export function putStatsColumns(product: KeepaProduct, put: Put): void {
  const s = product.stats;
  if (!s || !Array.isArray(s.current)) return;
  for (const block of PRICE_COLUMNS) {
    for (const [name, source] of block.money) put(name, map(source(s, block.index), toDollars));
    put(block.oos, entry(s.outOfStockPercentage90, block.index));
  }
  for (const [name, source] of RANK_COLUMNS) put(name, source(s, CsvType.SALES_RANK));
  for (const [name, source] of RANK_DROPS) {
    const v = source(s);
    put(name, v === undefined ? undefined : typeof v === 'number' && v >= 0 ? v : null);
  }

  const used = usedOfferCount(s);
  put('New_Offer_Count_Current', newOfferCount(s));
  put('Used_Offer_Count_Current', used);
  for (const [name, source] of NEW_COUNT_AVERAGES) put(name, source(s, CsvType.COUNT_NEW));
  for (const [name, source] of USED_COUNT_AVERAGES) put(name, source(s, CsvType.COUNT_USED));
  // `Offers` is an INTEGER column, so its trend arrow is left to the dashboard: compare
  // Offers with Offers_180 (more offers now = rising competition).
  put('Offers', used);
  put('Offers_180', entry(s.avg180, CsvType.COUNT_USED));
  put('Offers_365', entry(s.avg365, CsvType.COUNT_USED));

  const amazon = entry(s.current, CsvType.AMAZON);
  put('AMZ', typeof amazon === 'number' && amazon > 0 ? 1 : 0);
  put(
    'Reviews_Rating',
    map(entry(s.current, CsvType.RATING), (v) => v / 10),
  );
  put('Reviews_Review_Count', entry(s.current, CsvType.COUNT_REVIEWS));

  const usedNow = entry(s.current, CsvType.USED);
  for (const [days, avg] of [
    [90, s.avg90],
    [365, s.avg365],
  ] as const) {
    const average = entry(avg, CsvType.USED);
    put(`Avg_Price_${days}`, map(average, toDollars));
    const known = typeof average === 'number' && average > 0 && typeof usedNow === 'number';
    put(`Percent_Down_${days}`, known ? roundTo(percentDown(average, usedNow), 2) : average === undefined ? undefined : null);
  }
}
