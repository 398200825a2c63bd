// Reading a `/deal` selection the way Keepa does: every number must be a JSON number, every
// switch a JSON boolean; a value of the wrong type (a string "4", say) is silently ignored,
// as if absent. That is what made the old system's `"dateRange": "3"` do nothing.

import { DEFAULT_DOMAIN_ID, DEFAULT_SORT_TYPE, FALLBACK_DATE_RANGE, PRICE_TYPES_REQUIRED } from './assumptions.js';

const MAX_INT = 2_147_483_647;

export interface DealSelection {
  page: number;
  domainId: number;
  /** The single entry of `priceTypes`. */
  priceType: number;
  /** 0 day, 1 week, 2 month, 3 90 days. */
  dateRange: number;
  sortType: number;
  currentRange: [number, number] | null;
  deltaRange: [number, number] | null;
  deltaPercentRange: [number, number] | null;
  salesRankRange: [number, number] | null;
  includeCategories: number[] | null;
  excludeCategories: number[] | null;
  titleSearch: string | null;
  isRangeEnabled: boolean;
  isFilterEnabled: boolean;
  minRating: number | null;
  hasReviews: boolean;
  mustHaveAmazonOffer: boolean;
  mustNotHaveAmazonOffer: boolean;
}

export type SelectionResult = { ok: true; selection: DealSelection } | { ok: false; error: string };

export function parseSelection(raw: unknown): SelectionResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'The deal selection must be a JSON object.' };
  }
  const fields = new Map<string, unknown>(Object.entries(raw));
  const field = (name: string): unknown => fields.get(name);
  const priceTypes = numbers(field('priceTypes'));
  const priceType = priceTypes?.[0];
  if (priceType === undefined && PRICE_TYPES_REQUIRED) {
    return { ok: false, error: 'priceTypes must be an array with one csv type as a JSON number, e.g. [2].' };
  }
  const dateRange = integer(field('dateRange')) ?? 0;
  const sortType = integer(field('sortType')) ?? DEFAULT_SORT_TYPE;
  return {
    ok: true,
    selection: {
      page: Math.max(0, integer(field('page')) ?? 0),
      domainId: integer(field('domainId')) ?? DEFAULT_DOMAIN_ID,
      priceType: priceType ?? 0,
      dateRange: dateRange >= 0 && dateRange <= 3 ? dateRange : FALLBACK_DATE_RANGE,
      sortType: [1, 2, 3, 4, -2, -3, -4].includes(sortType) ? sortType : DEFAULT_SORT_TYPE,
      currentRange: range(field('currentRange')),
      deltaRange: range(field('deltaRange')),
      deltaPercentRange: range(field('deltaPercentRange')),
      salesRankRange: range(field('salesRankRange')),
      includeCategories: numbers(field('includeCategories')),
      excludeCategories: numbers(field('excludeCategories')),
      titleSearch: typeof field('titleSearch') === 'string' ? String(field('titleSearch')) : null,
      isRangeEnabled: field('isRangeEnabled') === true,
      isFilterEnabled: field('isFilterEnabled') === true,
      minRating: integer(field('minRating')),
      hasReviews: field('hasReviews') === true,
      mustHaveAmazonOffer: field('mustHaveAmazonOffer') === true,
      mustNotHaveAmazonOffer: field('mustNotHaveAmazonOffer') === true,
    },
  };
}

/** The cache key of a selection: everything but the page. */
export function selectionKey(selection: DealSelection): string {
  const { page: _page, ...rest } = selection;
  return JSON.stringify(rest);
}

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function numbers(value: unknown): number[] | null {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  return value.map(Number);
}

/** `[min, max]` with -1 as an open upper bound (DealRequest.java). */
function range(value: unknown): [number, number] | null {
  const pair = numbers(value);
  if (pair?.length !== 2) return null;
  const [min = 0, max = MAX_INT] = pair;
  return [min, max === -1 ? MAX_INT : max];
}
