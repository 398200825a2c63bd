// The four endpoints the daemon uses, as functions from a request to an answer and its cost.
// HTTP, tokens, delivery faults and the ledger are server.ts's business; content faults (null
// stats, duplicate or same-minute deals) are applied here because they shape the content.

import type { DealPage, KeepaProduct, KeepaSeller } from '../keepa/types.js';
import { MAX_OFFERS_PARAM, MIN_OFFERS_PARAM } from './assumptions.js';
import type { Catalog } from './catalog.js';
import type { DealStream } from './deals.js';
import type { Faults } from './faults.js';
import type { MarketStore } from './markets.js';
import { dealCost, productCost, sellerCost } from './pricing.js';
import { buildProduct, type ProductQuery, unknownProduct } from './products.js';
import { parseSelection } from './selection.js';
import type { SellerPool } from './sellers.js';
import type { StatsWindow } from './stats.js';
import { BOOKS_ROOT } from './words.js';

const DAY_MS = 86_400_000;
const MAX_BATCH = 100;

export interface RouteContext {
  catalog: Catalog;
  markets: MarketStore;
  sellers: SellerPool;
  deals: DealStream;
  faults: Faults;
}

export interface RouteResult {
  /** 200, or 400 for a request Keepa would reject (nothing is charged then). */
  status: number;
  /** The answer without its token fields. */
  payload: Record<string, unknown>;
  cost: number;
  asins: string[];
  /** Content faults applied. */
  faults: string[];
}

export const ROUTES: ReadonlySet<string> = new Set(['/token', '/product', '/seller', '/deal']);

export function route(path: string, params: URLSearchParams, body: string, nowMs: number, ctx: RouteContext): RouteResult {
  switch (path) {
    case '/product':
      return product(params, nowMs, ctx);
    case '/seller':
      return seller(params, ctx);
    case '/deal':
      return deal(params, body, nowMs, ctx);
    default:
      return { status: 200, payload: {}, cost: 0, asins: [], faults: [] };
  }
}

function seller(p: URLSearchParams, ctx: RouteContext): RouteResult {
  if (p.get('domain') === null) return rejected('domain is required (1 = amazon.com).');
  const ids = list(p.get('seller'));
  if (ids.length === 0 || ids.length > MAX_BATCH) return rejected(`seller must list 1 to ${MAX_BATCH} seller ids.`);
  const sellers: Record<string, KeepaSeller> = {};
  for (const id of ids) {
    const found = ctx.sellers.get(id);
    if (found) sellers[id] = { ...found };
  }
  return { status: 200, payload: { sellers }, cost: sellerCost(Object.keys(sellers).length), asins: [], faults: [] };
}

function product(p: URLSearchParams, nowMs: number, ctx: RouteContext): RouteResult {
  const domain = p.get('domain');
  if (domain === null) return rejected('domain is required (1 = amazon.com).');
  if (domain !== '1') return rejected('The simulator only serves domain 1 (amazon.com).');
  const asins = [...new Set(list(p.get('asin')).map((a) => a.toUpperCase()))];
  if (asins.length === 0 || asins.length > MAX_BATCH) return rejected(`asin must list 1 to ${MAX_BATCH} ASINs.`);
  const offersParam = p.get('offers');
  let offers: number | null = null;
  if (offersParam !== null) {
    offers = Number(offersParam);
    if (!Number.isInteger(offers) || offers < MIN_OFFERS_PARAM || offers > MAX_OFFERS_PARAM) {
      return rejected(`offers must be an integer from ${MIN_OFFERS_PARAM} to ${MAX_OFFERS_PARAM}.`);
    }
  }
  const days = positiveInt(p.get('days'));
  const query: ProductQuery = {
    stats: statsWindow(p.get('stats'), nowMs),
    history: p.get('history') !== '0',
    days,
    offers,
    onlyLiveOffers: p.get('only-live-offers') === '1',
    rating: p.get('rating') === '1',
    buybox: p.get('buybox') === '1',
  };
  const nullStats = ctx.faults.take('nullInStats', '/product', nowMs);
  const products: KeepaProduct[] = [];
  const offerPages: number[] = [];
  for (const asin of asins) {
    const index = ctx.catalog.indexOf(asin);
    if (index === undefined) {
      products.push(unknownProduct(asin));
      continue;
    }
    const built = buildProduct(ctx.catalog.book(index), ctx.markets.timeline(index, nowMs), ctx.sellers, query, nowMs);
    if (nullStats) punchNulls(built.product);
    products.push(built.product);
    offerPages.push(built.offerPages);
  }
  const cost = productCost({ offerPages, rating: query.rating, buybox: query.buybox, forceUpdate: p.get('update') === '0' });
  return { status: 200, payload: { products }, cost, asins, faults: nullStats ? ['nullInStats'] : [] };
}

function deal(p: URLSearchParams, body: string, nowMs: number, ctx: RouteContext): RouteResult {
  const text = body.trim() !== '' ? body : p.get('selection');
  if (text === null) return rejected('selection is required: the deal query as JSON.');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return rejected('selection is not valid JSON.');
  }
  const parsed = parseSelection(raw);
  if (!parsed.ok) return rejected(parsed.error);
  const applied: string[] = [];
  const page: DealPage = { dr: [], categoryIds: [], categoryNames: [], categoryCount: [] };
  if (parsed.selection.domainId === 1) {
    const result = ctx.deals.query(parsed.selection, nowMs, () => {
      const duplicate = ctx.faults.take('duplicateAsins', '/deal', nowMs);
      const shared = ctx.faults.take('sharedLastUpdate', '/deal', nowMs);
      if (duplicate) applied.push('duplicateAsins');
      if (shared) applied.push('sharedLastUpdate');
      return {
        ...(duplicate ? { duplicatePerPage: duplicate.perPage ?? 3 } : {}),
        ...(shared ? { sharedGroupSize: shared.groupSize ?? 5 } : {}),
      };
    });
    page.dr = result.deals;
    if (result.total > 0) {
      page.categoryIds = [BOOKS_ROOT.catId];
      page.categoryNames = [BOOKS_ROOT.name];
      page.categoryCount = [result.total];
    }
  }
  return { status: 200, payload: { deals: page }, cost: dealCost(), asins: [], faults: applied };
}

function rejected(message: string): RouteResult {
  return {
    status: 400,
    payload: { error: { type: 'invalidParameter', message, details: null } },
    cost: 0,
    asins: [],
    faults: [],
  };
}

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** `stats=N` (last N days) or `stats=from,to` as epoch ms or dates (YYYY-MM-DD). */
function statsWindow(value: string | null, nowMs: number): StatsWindow | null {
  if (value === null) return null;
  const days = positiveInt(value);
  if (days !== null) return { fromMs: nowMs - days * DAY_MS, toMs: nowMs };
  const [a, b] = value.split(',');
  if (a === undefined || b === undefined) return null;
  const toMs = (s: string): number => (/^\d+$/.test(s) ? Number(s) : Date.parse(`${s}T00:00:00Z`));
  const fromMs = toMs(a);
  const untilMs = toMs(b);
  return Number.isFinite(fromMs) && Number.isFinite(untilMs) && fromMs < untilMs ? { fromMs, toMs: Math.min(untilMs, nowMs) } : null;
}

/** The nullInStats fault: `null` where a number belongs, in the arrays peeks read. */
function punchNulls(product: KeepaProduct): void {
  const stats = product.stats;
  if (!stats) return;
  stats.current[2] = null;
  if (stats.avg90) stats.avg90[2] = null;
  if (stats.avg365) stats.avg365[21] = null;
  if (stats.avg) stats.avg[3] = null;
}
