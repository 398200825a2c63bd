// One loader for all configuration: defaults, then an optional JSON file (--config PATH),
// then the environment, which wins. Every check is a sentence naming the setting and what it
// accepts; a bad value is a ConfigError and the daemon starts nothing.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cron from 'node-cron';
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

/** Thresholds of the cheap peek (analytics.md, "Peek rules"). */
export interface PeekSettings {
  minSalesRankDrops365: number;
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
  /** A new scan of the deal list starts when the last one finished longer ago than this. */
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
}

export type LogFormat = 'json' | 'pretty';

export interface Config {
  keepaApiKey: string | null;
  keepaBaseUrl: string;
  dealsDb: string;
  headersPath: string;
  ingestCron: string;
  janitorCron: string;
  logLevel: string;
  logFormat: LogFormat;
  /** Status server port on `httpHost`; 0 turns it off. */
  httpPort: number;
  httpHost: string;
  dealQuery: DealQuery;
  business: BusinessSettings;
  peek: PeekSettings;
  pipeline: PipelineSettings;
}

/** The project folder (where package.json and headers.json live), whether running from src/ or dist/src/. */
const HERE = dirname(fileURLToPath(import.meta.url));
export const PROJECT_DIR = basename(dirname(HERE)) === 'dist' ? resolve(HERE, '../..') : resolve(HERE, '..');

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

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
  // The old system sent 4 believing it meant "last update"; Keepa documents 4 as percentage
  // delta and 1 as deal age, newest first, which is what incremental discovery needs.
  sortType: 1,
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
  minSalesRankDrops365: 1,
  minSellPrice: 12,
  maxBuyToSellRatio: 1.1,
  minMarginPercent: 20,
};

export const DEFAULT_PIPELINE: PipelineSettings = {
  maxPagesPerRun: 3,
  candidateMaxAgeHours: 72,
  maxAttempts: 5,
  refreshShare: 0.2,
  offersPerProduct: 20,
  maxDeficit: 60,
  maxTokenWaitSeconds: 60,
  staleAfterHours: 72,
  discoverEveryMinutes: 30,
  maxRunSeconds: 240,
  staleListHours: 6,
  refreshAfterHours: 24,
  reanalyzeAfterDays: 30,
  minRefreshGapMinutes: 240,
  lookupSellers: true,
};

type Env = Record<string, string | undefined>;

export interface LoadOptions {
  env?: Env;
  /** Path of a JSON config file (the `--config` flag). */
  configPath?: string | null;
  /** Whether stdout is a terminal; decides the default log format. */
  isTty?: boolean;
}

/** Reads `--config PATH` (or `--config=PATH`) from command-line arguments. */
export function configPathFromArgs(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--config') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ConfigError('--config needs a path to a JSON file, as in --config /etc/keepa-deals.json.');
      return value;
    }
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return null;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.configPath ? readConfigFile(options.configPath) : {};
  const pick = (envName: string, fileKey: string): unknown => {
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    return file[fileKey];
  };

  const keepaApiKey = optionalString(pick('KEEPA_API_KEY', 'keepaApiKey'), 'KEEPA_API_KEY');
  if (keepaApiKey !== null && !/^[A-Za-z0-9]{16,128}$/.test(keepaApiKey)) {
    throw new ConfigError('KEEPA_API_KEY must be the access key from keepa.com/#!api (letters and digits only, no spaces or quotes).');
  }
  const keepaBaseUrl = urlSetting(pick('KEEPA_BASE_URL', 'keepaBaseUrl') ?? 'https://api.keepa.com', 'KEEPA_BASE_URL');
  // Without a key the daemon runs against the simulator: its invented deals go to a database of
  // their own, so that adding a key later never mixes them with real ones.
  const defaultDb = keepaApiKey === null ? 'data/demo.db' : 'data/deals.db';
  const dealsDb = stringSetting(pick('DEALS_DB', 'dealsDb') ?? resolve(PROJECT_DIR, defaultDb), 'DEALS_DB', 'a file path');
  const headersPath = stringSetting(pick('DEALS_HEADERS', 'headersPath') ?? resolve(PROJECT_DIR, 'headers.json'), 'DEALS_HEADERS', 'a file path');
  // The demo (no key) runs every 20 s so that a newcomer sees deals within two minutes.
  const ingestCron = cronSetting(pick('INGEST_CRON', 'ingestCron') ?? (keepaApiKey === null ? '*/20 * * * * *' : '*/5 * * * *'), 'INGEST_CRON');
  const janitorCron = cronSetting(pick('JANITOR_CRON', 'janitorCron') ?? '17 */4 * * *', 'JANITOR_CRON');
  const logLevel = stringSetting(pick('LOG_LEVEL', 'logLevel') ?? 'info', 'LOG_LEVEL', LOG_LEVELS.join(', '));
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL is "${logLevel}"; it accepts ${LOG_LEVELS.join(', ')}.`);
  const logFormat = stringSetting(pick('LOG_FORMAT', 'logFormat') ?? (options.isTty ? 'pretty' : 'json'), 'LOG_FORMAT', 'json or pretty');
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new ConfigError(`LOG_FORMAT is "${logFormat}"; it accepts json or pretty.`);
  const httpPort = intSetting(pick('HTTP_PORT', 'httpPort') ?? 8750, 'HTTP_PORT', 0, 65535, 'a port from 1 to 65535, or 0 to turn the status server off');
  const httpHost = stringSetting(pick('HTTP_HOST', 'httpHost') ?? '127.0.0.1', 'HTTP_HOST', 'an address to bind the status server to');

  return {
    keepaApiKey,
    keepaBaseUrl,
    dealsDb,
    headersPath,
    ingestCron,
    janitorCron,
    logLevel,
    logFormat,
    httpPort,
    httpHost,
    dealQuery: dealQuerySetting(file.dealQuery),
    business: businessSetting(file.business),
    peek: peekSetting(file.peek),
    pipeline: pipelineSetting(file.pipeline, keepaApiKey === null ? DEMO_PIPELINE : {}),
  };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e: unknown) {
    throw new ConfigError(`--config ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); give the path of a readable JSON file.`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    throw new ConfigError(`--config ${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
  if (!isRecord(parsed)) throw new ConfigError(`--config ${path} must hold a JSON object of settings.`);
  return parsed;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(v: unknown, name: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new ConfigError(`${name} must be a string.`);
  return v.trim();
}

function stringSetting(v: unknown, name: string, accepts: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${name} must be ${accepts}; it is ${JSON.stringify(v)}.`);
  return v.trim();
}

function urlSetting(v: unknown, name: string): string {
  const s = stringSetting(v, name, 'an http(s) URL');
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new ConfigError(`${name} is "${s}"; it must be an http(s) URL such as https://api.keepa.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must use http or https; it is "${s}".`);
  return s.replace(/\/+$/, '');
}

function cronSetting(v: unknown, name: string): string {
  const s = stringSetting(v, name, 'a cron expression');
  const check = cron.validateDetailed(s);
  if (!check.valid) {
    const why = check.errors.map((e) => e.message).join('; ');
    throw new ConfigError(`${name} is "${s}", which is not a valid cron expression (${why}); write 5 fields (minute hour day month weekday) or 6 with seconds first, as in "*/5 * * * *".`);
  }
  return s;
}

function numberFrom(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

function intSetting(v: unknown, name: string, min: number, max: number, accepts: string): number {
  const n = numberFrom(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} is ${JSON.stringify(v)}; it accepts ${accepts}.`);
  return n;
}

/** Object settings come from the config file only, where values must already be JSON numbers. */
function numberField(obj: Record<string, unknown>, section: string, key: string, min: number, max: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(`${section}.${key} is ${JSON.stringify(v)}; it must be a JSON number from ${min} to ${max} (a quoted "4" is not a number).`);
  }
  return v;
}

function mergeSection(defaults: object, given: unknown, section: string): Record<string, unknown> {
  if (given === undefined) return { ...defaults };
  if (!isRecord(given)) throw new ConfigError(`${section} in the config file must be a JSON object.`);
  for (const key of Object.keys(given)) {
    if (!(key in defaults)) throw new ConfigError(`${section}.${key} is not a setting; known: ${Object.keys(defaults).join(', ')}.`);
  }
  return { ...defaults, ...given };
}

function booleanField(obj: Record<string, unknown>, section: string, key: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') throw new ConfigError(`${section}.${key} is ${JSON.stringify(v)}; it must be true or false.`);
  return v;
}

function businessSetting(given: unknown): BusinessSettings {
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

function peekSetting(given: unknown): PeekSettings {
  const s = 'peek';
  const m = mergeSection(DEFAULT_PEEK, given, s);
  return {
    minSalesRankDrops365: numberField(m, s, 'minSalesRankDrops365', 0, 100000),
    minSellPrice: numberField(m, s, 'minSellPrice', 0, 100000),
    maxBuyToSellRatio: numberField(m, s, 'maxBuyToSellRatio', 0, 100),
    minMarginPercent: numberField(m, s, 'minMarginPercent', -100, 10000),
  };
}

/** The demo (no key) scans the simulator's deal list every 2 minutes so that new deals show up while one watches. */
const DEMO_PIPELINE: Partial<PipelineSettings> = { discoverEveryMinutes: 2 };

function pipelineSetting(given: unknown, modeDefaults: Partial<PipelineSettings>): PipelineSettings {
  const s = 'pipeline';
  const m = mergeSection({ ...DEFAULT_PIPELINE, ...modeDefaults }, given, s);
  const offersPerProduct = numberField(m, s, 'offersPerProduct', 20, 100);
  if (!Number.isInteger(offersPerProduct)) throw new ConfigError(`${s}.offersPerProduct must be a whole number from 20 to 100.`);
  return {
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
  };
}

function dealQuerySetting(given: unknown): DealQuery {
  const s = 'dealQuery';
  const m = mergeSection(DEFAULT_DEAL_QUERY, given, s);
  const q = m as Record<string, unknown>;
  for (const [key, def] of Object.entries(DEFAULT_DEAL_QUERY)) {
    const v = q[key];
    const ok =
      typeof def === 'number' ? typeof v === 'number' && Number.isFinite(v)
      : typeof def === 'boolean' ? typeof v === 'boolean'
      : typeof def === 'string' ? typeof v === 'string'
      : Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) {
      throw new ConfigError(`${s}.${key} is ${JSON.stringify(v)}; it must be ${describeKind(def)} (Keepa silently ignores a quoted number such as "4").`);
    }
  }
  for (const key of ['deltaRange', 'deltaPercentRange', 'deltaLastRange', 'salesRankRange', 'currentRange'] as const) {
    if ((q[key] as number[]).length !== 2) throw new ConfigError(`${s}.${key} must be a pair [min, max] of numbers.`);
  }
  if (![1, 2, 3, 4, -2, -3, -4].includes(q.sortType as number)) {
    throw new ConfigError(`${s}.sortType is ${String(q.sortType)}; Keepa accepts 1 (deal age, newest first), 2 (absolute delta), 3 (sales rank), 4 (percentage delta), or -2..-4 to invert; discovery needs 1.`);
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
