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

export function parseProducts(body: Body, log: Logger): KeepaProduct[] {
  if (!Array.isArray(body.products)) throw new BadResponseError('Keepa /product answered without a products list');
  const products = body.products.filter(isProduct);
  const skipped = body.products.length - products.length;
  if (skipped > 0) log.warn('Keepa /product answer had unreadable products; they are left out', { skipped, kept: products.length });
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

/** Shallow on purpose: histories and stats arrays may hold null ("no data"), which is not an error. */
function isProduct(v: unknown): v is KeepaProduct {
  if (!isObject(v) || typeof v.asin !== 'string') return false;
  if (!isNullableArray(v.csv) || !isNullableArray(v.offers)) return false;
  const stats = v.stats;
  return stats === undefined || stats === null || (isObject(stats) && isNullableArray(stats.current));
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
