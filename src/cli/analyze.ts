// bin/analyze [--json] [--now ISO] [--config PATH] FILE|ASIN: what the daemon would save for one
// product, for checking the analytics by hand: the deal row (database column names), the inferred
// sales, the sales of the last 365 days and the rejection reason. FILE is a Keepa /product answer
// or a single product object; with KEEPA_API_KEY set, an ASIN is fetched the way enrich fetches it.
import { existsSync, readFileSync } from 'node:fs';
import { systemClock } from '../clock.js';
import { type Config, loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { TokenBucket } from '../keepa/bucket.js';
import { KeepaClient } from '../keepa/client.js';
import { keepaMinutesToIso, keepaMinutesToMs } from '../keepa/time.js';
import type { KeepaProduct } from '../keepa/types.js';
import { createLogger } from '../log.js';
import { type AnalysisResult, analyzeProduct, type DealRow, isVisible, type PeekResult, peekProduct } from '../pipeline/analytics/index.js';
import type { Sale } from '../pipeline/analytics/types.js';
import { HISTORY_DAYS } from '../pipeline/enrich.js';
import { CONFIG_OPTION, type CommandArgs, type CommandSpec, configPathOf } from './args.js';
import { runCommand, UsageError } from './run.js';

const ASIN = /^[0-9A-Z]{10}$/;
/** Keepa's productType 4: the ASIN is invalid or Keepa has no product for it. */
const PRODUCT_TYPE_INVALID = 4;

/** One product and when Keepa answered with it (null when the input does not say). */
export interface ProductInput {
  product: KeepaProduct;
  answeredAtMs: number | null;
}

/**
 * The product in a file's text: a /product answer holding exactly one product, or a product
 * object. Anything else is a ConfigError in one sentence naming `source`.
 */
export function readProductInput(text: string, source: string): ProductInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source} is not a JSON document (a .jsonl file holds one per line): give a Keepa /product answer or one product object.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${source} holds no Keepa product: expected a /product answer or a product object.`);
  const body = value as Record<string, unknown>;
  if (typeof body.error === 'object' && body.error !== null) {
    const message = (body.error as Record<string, unknown>).message;
    throw new ConfigError(`${source} is a Keepa error answer, not a product${typeof message === 'string' ? ` ("${message}")` : ''}.`);
  }
  const answeredAtMs = typeof body.timestamp === 'number' && Number.isFinite(body.timestamp) ? body.timestamp : null;
  let product: unknown = body;
  if (Array.isArray(body.products)) {
    if (body.products.length !== 1) throw new ConfigError(`${source} holds ${body.products.length} products; bin/analyze reads an answer with exactly one.`);
    product = body.products[0];
  }
  if (typeof product !== 'object' || product === null || typeof (product as Record<string, unknown>).asin !== 'string') {
    throw new ConfigError(`${source} holds no Keepa product: expected a products list or an object with an asin.`);
  }
  const p = product as KeepaProduct;
  if (p.productType === PRODUCT_TYPE_INVALID) throw new ConfigError(`Keepa has no product for ASIN ${p.asin} (productType 4: the ASIN is invalid or unknown to Keepa).`);
  for (const field of ['csv', 'offers', 'stats'] as const) {
    const v = p[field];
    if (v !== undefined && v !== null && typeof v !== 'object') throw new ConfigError(`${source}: the product's ${field} is not a list or object, so it is not a Keepa product.`);
  }
  return { product: p, answeredAtMs };
}

export interface AnalyzeOutcome {
  asin: string;
  /** When the analysis takes place (ISO). */
  now: string;
  row: DealRow;
  sales: { time: string; price: number | null; condition: string | null }[];
  salesLast365: number;
  /** Keepa's own count, for comparison; null when the stats do not carry it. */
  keepaSalesRankDrops365: number | null;
  rejected: string | null;
  visible: boolean;
  peek: PeekResult;
}

export function analyzeInput(input: ProductInput, config: Config, nowMs: number | null): AnalyzeOutcome {
  const { product } = input;
  const at = nowMs ?? input.answeredAtMs ?? (typeof product.lastUpdate === 'number' ? keepaMinutesToMs(product.lastUpdate) : null);
  if (at === null) throw new ConfigError(`The input says nowhere when Keepa answered (no timestamp, no lastUpdate): give --now ISO.`);
  const result: AnalysisResult = analyzeProduct({ product, settings: config.business, nowMs: at });
  const drops = product.stats?.salesRankDrops365;
  return {
    asin: product.asin,
    now: new Date(at).toISOString(),
    row: result.row,
    sales: result.sales.map(saleOut),
    salesLast365: result.salesLast365,
    keepaSalesRankDrops365: typeof drops === 'number' && drops >= 0 ? drops : null,
    rejected: result.rejected,
    visible: isVisible(result.row, config.peek.minSalesPerYear),
    peek: peekProduct(product, config.peek),
  };
}

function saleOut(s: Sale): { time: string; price: number | null; condition: string | null } {
  return { time: keepaMinutesToIso(s.t), price: s.priceCents === null ? null : s.priceCents / 100, condition: s.condition };
}

export function renderText(o: AnalyzeOutcome): string {
  const lines: string[] = [];
  lines.push(`ASIN ${o.asin}, analysed as of ${o.now}`);
  lines.push(o.rejected === null ? `saved as a deal, ${o.visible ? 'visible' : 'not visible (Profit, List at or 1yr. Avg. missing or not positive)'}` : `rejected: ${o.rejected}`);
  lines.push(`peek: ${o.peek.ok ? 'passes' : `rejects (${o.peek.reason})`}`);
  const keepa = o.keepaSalesRankDrops365 === null ? '' : ` (Keepa counts ${o.keepaSalesRankDrops365} sales-rank drops)`;
  lines.push(`sales in the last 365 days: ${o.salesLast365}${keepa}`);
  const priced = o.sales.filter((s) => s.price !== null).length;
  lines.push(`inferred sales over 3 years: ${o.sales.length}, ${priced} with a price`);
  for (const s of o.sales) lines.push(`  ${s.time}  ${s.price === null ? '-' : `$${s.price.toFixed(2)}`}  ${s.condition ?? '-'}`);
  lines.push('row:');
  for (const [column, value] of Object.entries(o.row)) lines.push(`  ${column}: ${value === null ? 'NULL' : String(value)}`);
  return lines.join('\n');
}

interface Options {
  json: boolean;
  nowMs: number | null;
  configPath: string | null;
  target: string;
}

export const ANALYZE_COMMAND: CommandSpec = {
  name: 'bin/analyze',
  summary:
    'Prints what the daemon would save for one product: the deal row (database column names), the inferred sales, the sales of the last 365 days and the rejection reason. FILE is a Keepa /product answer or one product object; an ASIN is fetched from Keepa when KEEPA_API_KEY is set (its token cost is said first).',
  options: {
    json: { type: 'boolean', help: 'print one JSON object with row, sales, salesLast365 and rejected' },
    now: { type: 'string', value: 'ISO', help: 'analyse as of this time (default: when Keepa answered, or now)' },
    config: CONFIG_OPTION,
  },
  positional: { name: 'FILE|ASIN', help: 'a file holding a Keepa /product answer or one product object, or an ASIN to fetch', count: 1 },
};

export function parseOptions(args: CommandArgs): Options {
  const target = args.positionals[0];
  if (target === undefined) throw new UsageError('Give one FILE or ASIN.');
  let nowMs: number | null = null;
  const now = args.values.now;
  if (typeof now === 'string') {
    nowMs = Date.parse(now);
    if (!Number.isFinite(nowMs)) throw new UsageError(`--now must be an ISO date such as 2025-06-15T00:00:00Z; got "${now}".`);
  }
  return { json: args.values.json === true, nowMs, configPath: configPathOf(args), target };
}

/** A fetched ASIN, the way enrich fetches it; says what it costs before and after. */
async function fetchProduct(asin: string, config: Config, apiKey: string, say: (line: string) => void): Promise<ProductInput> {
  const log = createLogger({ level: 'warn', format: 'pretty', stream: process.stderr, secrets: [apiKey] });
  const client = new KeepaClient({ baseUrl: config.keepaBaseUrl, apiKey, bucket: new TokenBucket({ maxDeficit: config.pipeline.maxDeficit }), clock: systemClock, log });
  const params = { stats: 365, history: true, days: HISTORY_DAYS, offers: config.pipeline.offersPerProduct, onlyLiveOffers: true };
  const estimate = client.costs.estimate({ path: 'product', count: 1, offers: params.offers });
  say(`Fetching ${asin} from Keepa with history, stats and up to ${params.offers} live offers: up to ${estimate} tokens (6 per page of 10 offers found).`);
  const charge = { tokens: 0 };
  const products = await client.products([asin], params, { job: 'analyze', maxWaitMs: 60_000, charge });
  say(`Keepa charged ${charge.tokens} tokens.`);
  const product = products.find((p) => p.asin === asin);
  if (product === undefined) throw new ConfigError(`Keepa returned no product for ASIN ${asin}.`);
  if (product.productType === PRODUCT_TYPE_INVALID) throw new ConfigError(`Keepa has no product for ASIN ${asin} (productType 4: the ASIN is invalid or unknown to Keepa).`);
  return { product, answeredAtMs: systemClock.now() };
}

export async function analyzeCommand(args: CommandArgs, out: (text: string) => void, say: (line: string) => void, env: Record<string, string | undefined> = process.env): Promise<number> {
  const options = parseOptions(args);
  const config = loadConfig({ env, configPath: options.configPath });
  let input: ProductInput;
  if (existsSync(options.target)) {
    let text: string;
    try {
      text = readFileSync(options.target, 'utf8');
    } catch (e: unknown) {
      throw new ConfigError(`${options.target} cannot be read (${e instanceof Error ? e.message : String(e)}).`);
    }
    input = readProductInput(text, options.target);
  } else if (ASIN.test(options.target)) {
    if (config.keepaApiKey === null) throw new ConfigError(`${options.target} is not a file; to fetch that ASIN from Keepa set KEEPA_API_KEY.`);
    input = await fetchProduct(options.target, config, config.keepaApiKey, say);
  } else {
    throw new UsageError(`${options.target} is neither a file nor an ASIN (10 capital letters or digits).`);
  }
  const outcome = analyzeInput(input, config, options.nowMs);
  out(options.json ? JSON.stringify(outcome) : renderText(outcome));
  return 0;
}

export function main(argv: readonly string[] = process.argv.slice(2)): void {
  runCommand(ANALYZE_COMMAND, argv, (args) =>
    analyzeCommand(
      args,
      (text) => process.stdout.write(`${text}\n`),
      (line) => process.stderr.write(`${line}\n`),
    ),
  );
}
