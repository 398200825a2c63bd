// The settings of the deal query, the business and the pipeline: their shapes, the defaults (the
// old system's values, except where Keepa's documentation shows they were wrong) and their checks.
import { booleanField, mergeSection, numberField } from './configFields.js';
import { ConfigError } from './errors.js';

/** Money in dollars and rates in percent, as an operator writes them (the old settings.json). */
export interface BusinessSettings {
  prepFee: number;
  estimatedShipping: number;
  /** Tax in percent of the buy price. */
  taxPercent: number;
  taxExempt: boolean;
  /** Markup in percent, for the minimum listing price. */
  markupPercent: number;
  minPrice: number;
  maxSalesRank: number;
  minPercentDrop: number;
}

/** Thresholds of the cheap peek (docs/analytics.md, "Peek"). */
export interface PeekSettings {
  /** Sales a year (Keepa's rank drops) a book needs at the peek and to be visible; the old system's 4. */
  minSalesPerYear: number;
  /** Dollars. */
  minSellPrice: number;
  /** Reject when buy price > this x expected sell price. */
  maxBuyToSellRatio: number;
  /** Reject when (sell - buy) / buy is below this, in percent. */
  minMarginPercent: number;
}

/** The `/deal` selection. Numbers must be JSON numbers: Keepa silently ignores "4". */
export interface DealQuery {
  domainId: number;
  includeCategories: number[];
  excludeCategories: number[];
  priceTypes: number[];
  deltaRange: [number, number];
  deltaPercentRange: [number, number];
  deltaLastRange: [number, number];
  salesRankRange: [number, number];
  currentRange: [number, number];
  minRating: number;
  isLowest: boolean;
  isLowest90: boolean;
  isLowestOffer: boolean;
  isOutOfStock: boolean;
  titleSearch: string;
  isRangeEnabled: boolean;
  isFilterEnabled: boolean;
  filterErotic: boolean;
  singleVariation: boolean;
  hasReviews: boolean;
  isPrimeExclusive: boolean;
  mustHaveAmazonOffer: boolean;
  mustNotHaveAmazonOffer: boolean;
  sortType: number;
  dateRange: number;
  warehouseConditions: number[];
}

export interface PipelineSettings {
  /** Deal-list pages read at most per ingest run; a later run continues. */
  maxPagesPerRun: number;
  /** A queued candidate older than this is dropped with reason `expired`. */
  candidateMaxAgeHours: number;
  /** Attempts before a failing item is parked. */
  maxAttempts: number;
  /** Share of each run's token budget given to refreshing existing deals (0 to 1). */
  refreshShare: number;
  /** Offers requested per product on the heavy fetch (Keepa accepts 20 to 100). */
  offersPerProduct: number;
  /** How far below zero one call may drive the token balance (a positive number of tokens). */
  maxDeficit: number;
  /** The longest a run waits for tokens before it checkpoints and ends. */
  maxTokenWaitSeconds: number;
  /** Janitor: deals not seen for this long are deleted while ingestion is healthy. */
  staleAfterHours: number;
  /** The target time between looks at the deal list: discovery's share of the tokens buys the pages a look reads in this time, and looks come sooner where tokens allow (docs/tokens.md). */
  discoverEveryMinutes: number;
  /** A run checkpoints and ends after this long, so that the next tick is never skipped for long. */
  maxRunSeconds: number;
  /** A deal list whose newest deal is older than this is reported (wrong sort or query). */
  staleListHours: number;
  /** A saved deal is refreshed when its data is older than this. */
  refreshAfterHours: number;
  /** A saved deal that reappears in the deal list is analysed again with history only after this; before, it is refreshed. */
  reanalyzeAfterDays: number;
  /** ...and refreshed only when its data is older than this: Keepa moves a deal's lastUpdate often. */
  minRefreshGapMinutes: number;
  /** Look up the winning offer's seller (1 token) for the Seller and Seller_Quality_Score columns. */
  lookupSellers: boolean;
  /** A seller looked up is reused for this long before it is paid for again; 0 looks it up every time. */
  sellerCacheDays: number;
  /**
   * Janitor: runs, and queue items finished (done, rejected, expired) longer ago than this, are
   * deleted, so that the database stops growing; the newest runs of each job, the queue rows of
   * saved deals and the /metrics counters stay. Longer than reanalyzeAfterDays, which reads them.
   */
  historyDays: number;
}

export const DEFAULT_DEAL_QUERY: DealQuery = {
  domainId: 1,
  includeCategories: [283155],
  excludeCategories: [],
  priceTypes: [2],
  deltaRange: [0, 2147483647],
  deltaPercentRange: [10, 2147483647],
  deltaLastRange: [0, 2147483647],
  salesRankRange: [10000, 10000000],
  currentRange: [2000, 45100],
  minRating: 10,
  isLowest: false,
  isLowest90: false,
  isLowestOffer: false,
  isOutOfStock: false,
  titleSearch: '',
  isRangeEnabled: true,
  isFilterEnabled: true,
  filterErotic: false,
  singleVariation: true,
  hasReviews: false,
  isPrimeExclusive: false,
  mustHaveAmazonOffer: false,
  mustNotHaveAmazonOffer: false,
  // 4 is percentage delta (measured on real pages): a look that cannot afford the whole list
  // reads the most promising deals first, or the newest when it reads little of it (docs/tokens.md).
  sortType: 4,
  // The old system sent 4, which Keepa does not document (0 day, 1 week, 2 month, 3 90 days).
  // 3 measures the drop against the 90-day average, the closest documented interval.
  dateRange: 3,
  warehouseConditions: [2, 3, 4, 5],
};

export const DEFAULT_BUSINESS: BusinessSettings = {
  prepFee: 2.75,
  estimatedShipping: 3.99,
  taxPercent: 5,
  taxExempt: false,
  markupPercent: 10,
  minPrice: 3.1,
  maxSalesRank: 33_001_000,
  minPercentDrop: 3,
};

export const DEFAULT_PEEK: PeekSettings = {
  minSalesPerYear: 4,
  minSellPrice: 12,
  maxBuyToSellRatio: 1.1,
  minMarginPercent: 20,
};

export const DEFAULT_PIPELINE: PipelineSettings = {
  maxPagesPerRun: 67,
  candidateMaxAgeHours: 72,
  maxAttempts: 5,
  refreshShare: 0.2,
  offersPerProduct: 20,
  maxDeficit: 60,
  maxTokenWaitSeconds: 60,
  staleAfterHours: 72,
  discoverEveryMinutes: 20,
  maxRunSeconds: 240,
  staleListHours: 6,
  refreshAfterHours: 24,
  reanalyzeAfterDays: 30,
  minRefreshGapMinutes: 240,
  lookupSellers: true,
  sellerCacheDays: 7,
  historyDays: 90,
};

export function businessSetting(given: unknown): BusinessSettings {
  const s = 'business';
  const m = mergeSection(DEFAULT_BUSINESS, given, s);
  return {
    prepFee: numberField(m, s, 'prepFee', 0, 1000),
    estimatedShipping: numberField(m, s, 'estimatedShipping', 0, 1000),
    taxPercent: numberField(m, s, 'taxPercent', 0, 100),
    taxExempt: booleanField(m, s, 'taxExempt'),
    markupPercent: numberField(m, s, 'markupPercent', 0, 99),
    minPrice: numberField(m, s, 'minPrice', 0, 100000),
    maxSalesRank: numberField(m, s, 'maxSalesRank', 1, Number.MAX_SAFE_INTEGER),
    minPercentDrop: numberField(m, s, 'minPercentDrop', 0, 100),
  };
}

export function peekSetting(given: unknown): PeekSettings {
  const s = 'peek';
  const m = mergeSection(DEFAULT_PEEK, given, s);
  return {
    minSalesPerYear: numberField(m, s, 'minSalesPerYear', 0, 100000),
    minSellPrice: numberField(m, s, 'minSellPrice', 0, 100000),
    maxBuyToSellRatio: numberField(m, s, 'maxBuyToSellRatio', 0, 100),
    minMarginPercent: numberField(m, s, 'minMarginPercent', -100, 10000),
  };
}

/** The demo (no key) scans the simulator's deal list every 2 minutes so that new deals show up while one watches. */
export const DEMO_PIPELINE: Partial<PipelineSettings> = { discoverEveryMinutes: 2 };

export function pipelineSetting(given: unknown, modeDefaults: Partial<PipelineSettings>): PipelineSettings {
  const s = 'pipeline';
  const m = mergeSection({ ...DEFAULT_PIPELINE, ...modeDefaults }, given, s);
  const offersPerProduct = numberField(m, s, 'offersPerProduct', 20, 100);
  if (!Number.isInteger(offersPerProduct)) throw new ConfigError(`${s}.offersPerProduct must be a whole number from 20 to 100.`);
  const p: PipelineSettings = {
    maxPagesPerRun: numberField(m, s, 'maxPagesPerRun', 1, 1000),
    candidateMaxAgeHours: numberField(m, s, 'candidateMaxAgeHours', 1, 24 * 365),
    maxAttempts: numberField(m, s, 'maxAttempts', 1, 100),
    refreshShare: numberField(m, s, 'refreshShare', 0, 1),
    offersPerProduct,
    maxDeficit: numberField(m, s, 'maxDeficit', 0, 100000),
    maxTokenWaitSeconds: numberField(m, s, 'maxTokenWaitSeconds', 0, 3600),
    staleAfterHours: numberField(m, s, 'staleAfterHours', 1, 24 * 365),
    discoverEveryMinutes: numberField(m, s, 'discoverEveryMinutes', 0, 24 * 60),
    maxRunSeconds: numberField(m, s, 'maxRunSeconds', 1, 24 * 3600),
    staleListHours: numberField(m, s, 'staleListHours', 1, 24 * 365),
    refreshAfterHours: numberField(m, s, 'refreshAfterHours', 0, 24 * 365),
    reanalyzeAfterDays: numberField(m, s, 'reanalyzeAfterDays', 0, 3650),
    minRefreshGapMinutes: numberField(m, s, 'minRefreshGapMinutes', 0, 24 * 60 * 30),
    lookupSellers: booleanField(m, s, 'lookupSellers'),
    sellerCacheDays: numberField(m, s, 'sellerCacheDays', 0, 365),
    historyDays: numberField(m, s, 'historyDays', 1, 3650),
  };
  if (p.historyDays < p.reanalyzeAfterDays) throw new ConfigError(`${s}.historyDays is ${p.historyDays}; it must be at least pipeline.reanalyzeAfterDays (${p.reanalyzeAfterDays}), which reads the queue's history.`);
  return p;
}

export function dealQuerySetting(given: unknown): DealQuery {
  const s = 'dealQuery';
  const m = mergeSection(DEFAULT_DEAL_QUERY, given, s);
  const q = m as Record<string, unknown>;
  for (const [key, def] of Object.entries(DEFAULT_DEAL_QUERY)) {
    const v = q[key];
    const ok =
      typeof def === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof def === 'boolean' ? typeof v === 'boolean' : typeof def === 'string' ? typeof v === 'string' : Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) {
      throw new ConfigError(`${s}.${key} is ${JSON.stringify(v)}; it must be ${describeKind(def)} (Keepa silently ignores a quoted number such as "4").`);
    }
  }
  for (const key of ['deltaRange', 'deltaPercentRange', 'deltaLastRange', 'salesRankRange', 'currentRange'] as const) {
    if ((q[key] as number[]).length !== 2) throw new ConfigError(`${s}.${key} must be a pair [min, max] of numbers.`);
  }
  if (![1, 2, 3, 4, -2, -3, -4].includes(q.sortType as number)) {
    throw new ConfigError(`${s}.sortType is ${String(q.sortType)}; Keepa accepts 1 (deal age, newest first), 2 (absolute delta), 3 (sales rank), 4 (percentage delta), or -2..-4 to invert; 4 puts the most promising deals first.`);
  }
  if (![0, 1, 2, 3].includes(q.dateRange as number)) {
    throw new ConfigError(`${s}.dateRange is ${String(q.dateRange)}; Keepa accepts 0 (day), 1 (week), 2 (month) or 3 (90 days).`);
  }
  if ((q.priceTypes as number[]).length !== 1) throw new ConfigError(`${s}.priceTypes must hold exactly one csv type (2 = Used).`);
  return q as unknown as DealQuery;
}

function describeKind(def: unknown): string {
  if (typeof def === 'number') return 'a JSON number';
  if (typeof def === 'boolean') return 'true or false';
  if (typeof def === 'string') return 'a string';
  return 'a list of JSON numbers';
}
