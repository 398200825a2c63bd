// The deals desk's whole state lives in the query string, so a view can be bookmarked and shared
// and a script can ask for the same list as CSV or JSON. These names are a public interface:
// min_profit, min_roi, max_rank, min_sales, season, condition, q, sort, order, page, all, limit.
import { type DealFilter, type DealSort, SORTS, type SortOrder } from '../state/dealQuery.js';

export const PAGE_SIZE = 50;

export interface DeskQuery {
  filter: DealFilter;
  /** 1-based. */
  page: number;
  /** Exports only: at most this many rows; null for every matching row. */
  limit: number | null;
}

/** A parameter a person or script got wrong; answered 400 with this message. */
export class QueryError extends Error {
  override name = 'QueryError';
}

/** Best first: a low sales rank, every other figure high. */
export function defaultOrder(sort: DealSort): SortOrder {
  return sort === 'rank' ? 'asc' : 'desc';
}

const DEFAULT_SORT: DealSort = 'profit';

function text(params: URLSearchParams, name: string): string | null {
  const v = params.get(name)?.trim();
  return v === undefined || v === '' ? null : v;
}

function number(params: URLSearchParams, name: string, what: string): number | null {
  const v = text(params, name);
  if (v === null) return null;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new QueryError(`${name} must be ${what}; it is "${v}".`);
  return n;
}

function positiveInt(params: URLSearchParams, name: string): number | null {
  const n = number(params, name, 'a whole number of 1 or more');
  if (n !== null && (!Number.isInteger(n) || n < 1)) throw new QueryError(`${name} must be a whole number of 1 or more; it is "${text(params, name)}".`);
  return n;
}

export function parseDeskQuery(params: URLSearchParams): DeskQuery {
  const sortText = text(params, 'sort');
  const sort = sortText === null ? DEFAULT_SORT : SORTS.find((s) => s === sortText);
  if (sort === undefined) throw new QueryError(`sort must be one of ${SORTS.join(', ')}; it is "${sortText}".`);
  const orderText = text(params, 'order');
  if (orderText !== null && orderText !== 'asc' && orderText !== 'desc') throw new QueryError(`order must be asc or desc; it is "${orderText}".`);
  const all = text(params, 'all');
  if (all !== null && all !== '1' && all !== '0') throw new QueryError(`all must be 1 (include deals that are not visible) or 0; it is "${all}".`);
  return {
    filter: {
      minProfit: number(params, 'min_profit', 'a dollar amount such as 5 or 7.50'),
      minRoi: number(params, 'min_roi', 'a percentage such as 40'),
      maxRank: number(params, 'max_rank', 'a sales rank such as 500000'),
      minSales: number(params, 'min_sales', 'a number of sales a year such as 4'),
      season: text(params, 'season'),
      condition: text(params, 'condition'),
      q: text(params, 'q'),
      sort,
      order: orderText ?? defaultOrder(sort),
      all: all === '1',
    },
    page: positiveInt(params, 'page') ?? 1,
    limit: positiveInt(params, 'limit'),
  };
}

/**
 * The query string of a view, with only what differs from the defaults, so equal views have equal
 * links. `change` replaces parts of the current view (a sort header, a page link).
 */
export function deskQueryString(q: DeskQuery, change: Partial<DealFilter> & { page?: number } = {}): string {
  const f = { ...q.filter, ...change };
  const page = change.page ?? q.page;
  const p = new URLSearchParams();
  const put = (name: string, v: string | number | null): void => {
    if (v !== null) p.set(name, String(v));
  };
  put('q', f.q);
  put('min_profit', f.minProfit);
  put('min_roi', f.minRoi);
  put('max_rank', f.maxRank);
  put('min_sales', f.minSales);
  put('season', f.season);
  put('condition', f.condition);
  if (f.sort !== DEFAULT_SORT) put('sort', f.sort);
  if (f.order !== defaultOrder(f.sort)) put('order', f.order);
  if (f.all) put('all', 1);
  if (page > 1) put('page', page);
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}
