// Keepa's answers as checked, typed objects. A body that is not the expected shape (truncated
// JSON, an HTML error page, a missing `products` or `deals.dr`) becomes BadResponseError or, for
// products and sellers asked for by id, a skipped item that is logged: never a crash, and never a
// silent "no deals". `null` inside histories and stats arrays means "no data" and is kept.
import { BadResponseError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DealPage, KeepaDeal, KeepaProduct, KeepaSeller, TokenFields } from './types.js';

export type Body = Record<string, unknown>;

export function readJson(text: string): Body | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

export function readTokenFields(body: Body, atMs: number): TokenFields | null {
  const { tokensLeft, refillIn, refillRate, tokensConsumed } = body;
  if (!isNumber(tokensLeft) || !isNumber(refillIn) || !isNumber(refillRate) || !isNumber(tokensConsumed)) return null;
  return {
    timestamp: isNumber(body.timestamp) ? body.timestamp : atMs,
    tokensLeft,
    refillIn,
    refillRate,
    tokenFlowReduction: isNumber(body.tokenFlowReduction) ? body.tokenFlowReduction : 0,
    tokensConsumed,
    processingTimeInMs: isNumber(body.processingTimeInMs) ? body.processingTimeInMs : 0,
  };
}

/**
 * A page with one unreadable deal is refused whole: the pipeline pages until a page holds fewer
 * than 150 deals and advances its watermark over what it saw, so a dropped deal would be lost.
 */
export interface KeepaErrorBody {
  type: string;
  message: string;
  /** The parameter at fault, when Keepa names one (`details: "dateRange"`); null or "" otherwise. */
  details: string | null;
}

/** The `error` object of a Keepa error answer (`{type, message, details}`), or null without one. */
export function readKeepaError(body: Body | null): KeepaErrorBody | null {
  const error = body?.error;
  if (!isObject(error) || typeof error.type !== 'string') return null;
  const message = typeof error.message === 'string' ? error.message : '';
  const details = typeof error.details === 'string' && error.details.trim() !== '' ? error.details.trim() : null;
  return { type: error.type, message, details };
}

export function parseDealPage(body: Body): DealPage {
  const deals = body.deals;
  if (!isObject(deals) || !Array.isArray(deals.dr)) throw new BadResponseError('Keepa /deal answered without deals.dr; the page is not "no deals", retry it later');
  const bad = deals.dr.findIndex((d) => !isDeal(d));
  if (bad >= 0) throw new BadResponseError(`Keepa /deal page has an unreadable deal at index ${bad} (asin, creationDate, lastUpdate, current); the page is retried later`);
  const page: DealPage = { dr: deals.dr.filter(isDeal) };
  if (isNumberArray(deals.categoryIds)) page.categoryIds = deals.categoryIds;
  if (Array.isArray(deals.categoryNames) && deals.categoryNames.every((n) => typeof n === 'string')) page.categoryNames = deals.categoryNames;
  if (isNumberArray(deals.categoryCount)) page.categoryCount = deals.categoryCount;
  return page;
}

/**
 * Products that do not fit Keepa's types (a string where a number belongs) are left out and logged:
 * the pipeline retries them as `bad_data` and parks them if that persists, never judges them.
 */
export function parseProducts(body: Body, log: Logger): KeepaProduct[] {
  if (!Array.isArray(body.products)) throw new BadResponseError('Keepa /product answered without a products list');
  const products: KeepaProduct[] = [];
  const unreadable: string[] = [];
  for (const p of body.products) {
    const problem = productProblem(p);
    if (problem === null) products.push(p as KeepaProduct);
    else unreadable.push(`${isObject(p) && typeof p.asin === 'string' ? p.asin : '?'}: ${problem}`);
  }
  if (unreadable.length > 0) log.warn('Keepa /product answer had products that do not fit its types; they are left out and retried', { unreadable: unreadable.slice(0, 10), kept: products.length });
  return products;
}

export function parseSellers(body: Body, log: Logger): Record<string, KeepaSeller> {
  const sellers = body.sellers;
  if (!isObject(sellers) || Array.isArray(sellers)) throw new BadResponseError('Keepa /seller answered without a sellers map');
  const out: Record<string, KeepaSeller> = {};
  let skipped = 0;
  for (const [id, seller] of Object.entries(sellers)) {
    if (isSeller(seller)) out[id] = seller;
    else skipped += 1;
  }
  if (skipped > 0) log.warn('Keepa /seller answer had unreadable sellers; they are left out', { skipped });
  return out;
}

function isDeal(v: unknown): v is KeepaDeal {
  return isObject(v) && typeof v.asin === 'string' && isNumber(v.creationDate) && isNumber(v.lastUpdate) && Array.isArray(v.current);
}

const STATS_SERIES = ['current', 'avg', 'avg30', 'avg90', 'avg180', 'avg365', 'outOfStockPercentage90'] as const;
const STATS_PAIRS = ['min', 'max', 'minInInterval', 'maxInInterval'] as const;
const STATS_NUMBERS = ['salesRankDrops30', 'salesRankDrops90', 'salesRankDrops180', 'salesRankDrops365', 'totalOfferCount', 'offerCountFBA', 'offerCountFBM', 'buyBoxPrice', 'buyBoxShipping', 'buyBoxUsedPrice', 'buyBoxUsedShipping'] as const;

/**
 * The first field the analytics read that does not have Keepa's type, or null. `null` inside
 * histories and stats arrays means "no data" and is not an error; a string or an object is.
 */
export function productProblem(v: unknown): string | null {
  if (!isObject(v) || typeof v.asin !== 'string') return 'no asin';
  if (!isNullableArray(v.csv)) return 'csv is not a list';
  const csv = (v.csv ?? []) as unknown[];
  const badCsv = csv.findIndex((h) => h !== null && !isNumberArray(h));
  if (badCsv >= 0) return `csv[${badCsv}] is not a list of numbers`;
  const stats = v.stats;
  if (stats !== undefined && stats !== null) {
    if (!isObject(stats) || !Array.isArray(stats.current)) return 'stats.current is not a list';
    for (const key of STATS_SERIES) {
      const series = stats[key];
      if (series === undefined || series === null) continue;
      if (!Array.isArray(series)) return `stats.${key} is not a list`;
      // `avg` is one list per csv type in some answers: its rows are checked the same way.
      const rows: unknown[] = series.every((x) => Array.isArray(x) || x === null) && series.some(Array.isArray) ? series.flat() : series;
      if (!rows.every((x) => x === null || isNumber(x))) return `stats.${key} holds a value that is not a number`;
    }
    for (const key of STATS_PAIRS) {
      const pairs = stats[key];
      if (pairs === undefined || pairs === null) continue;
      if (!Array.isArray(pairs) || !pairs.every((p) => p === null || isNumberArray(p))) return `stats.${key} is not a list of [time, value] pairs`;
    }
    for (const key of STATS_NUMBERS) {
      const n = stats[key];
      if (n !== undefined && n !== null && !isNumber(n)) return `stats.${key} is not a number`;
    }
  }
  if (!isNullableArray(v.offers)) return 'offers is not a list';
  const offers = (v.offers ?? []) as unknown[];
  const badOffer = offers.findIndex((o) => !isObject(o) || typeof o.sellerId !== 'string' || !isNumber(o.condition) || !isNumberArray(o.offerCSV));
  if (badOffer >= 0) return `offers[${badOffer}] lacks a sellerId, a numeric condition or a numeric offerCSV`;
  return null;
}

function isSeller(v: unknown): v is KeepaSeller {
  return isObject(v) && typeof v.sellerId === 'string';
}

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null;
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every(isNumber);
}

function isNullableArray(v: unknown): boolean {
  return v === undefined || v === null || Array.isArray(v);
}
