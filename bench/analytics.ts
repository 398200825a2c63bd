// Benchmark of the full deal analysis on the real Keepa books of test/fixtures/real-keepa/books:
// each book analysed RUNS times after a warm-up. Prints the golden table of docs/analytics.md (the
// inferred sales over 30, 90, 180 and 365 days against Keepa's own salesRankDrops*, hidden from
// the engine, on the books and on the two other real products with a rank history), the rows the
// books make, and the median and p95 time of one product's analysis in microseconds.
// Run: npm run build && node dist/bench/analytics.js
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { keepaMinutesToMs, msToKeepaMinutes } from '../src/keepa/time.js';
import { CsvType, type KeepaProduct } from '../src/keepa/types.js';
import { analyzeProduct } from '../src/pipeline/analytics/index.js';
import { offerDropsBetween } from '../src/pipeline/analytics/sales.js';
import { DEFAULT_BUSINESS } from '../src/settings.js';

const WARM_UP = 20;
const RUNS = 200;

const WINDOWS = [30, 90, 180, 365] as const;
/** The other real products with a dense rank history (not books: the threshold's bounds, docs/analytics.md). */
const NON_BOOKS = ['kc_B0D8W1YVBX_response.json', 'kc_B0F7XPYCSJ_response.json'];

interface Book {
  product: KeepaProduct;
  /** Keepa's counts per window (30, 90, 180, 365 days), taken out of the product the engine sees. */
  keepaDrops: (number | null)[];
  nowMs: number;
}

/** The package root: the nearest folder above this file (in bench/ or dist/bench/) with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'real-keepa');

/** The product with `stats.salesRankDrops*` removed, analysed as of its fetch (lastUpdate). */
function blind(product: KeepaProduct): Book {
  const stats = product.stats ?? null;
  const keepaDrops = WINDOWS.map((days) => {
    const v = stats?.[`salesRankDrops${days}`];
    return typeof v === 'number' ? v : null;
  });
  if (stats) for (const days of WINDOWS) delete stats[`salesRankDrops${days}`];
  return { product, keepaDrops, nowMs: keepaMinutesToMs(product.lastUpdate ?? 0) };
}

/** The real books, blind. */
export function realBooks(): Book[] {
  const dir = join(FIXTURES, 'books');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => blind(JSON.parse(readFileSync(join(dir, f), 'utf8')) as KeepaProduct));
}

function nonBooks(): Book[] {
  return NON_BOOKS.map((f) => {
    const answer = JSON.parse(readFileSync(join(FIXTURES, 'other', f), 'utf8')) as { products: KeepaProduct[] };
    const product = answer.products[0];
    if (!product) throw new Error(`${f} holds no product`);
    return blind(product);
  });
}

/** Median of the valid sales-rank points of the last 365 days. */
function medianRank(product: KeepaProduct, now: number): number | null {
  const csv = product.csv?.[CsvType.SALES_RANK] ?? [];
  const ranks: number[] = [];
  for (let i = 0; i + 1 < csv.length; i += 2) {
    const t = csv[i] ?? 0;
    const v = csv[i + 1] ?? -1;
    if (v > 0 && t >= now - 365 * 1440 && t <= now) ranks.push(v);
  }
  ranks.sort((a, b) => a - b);
  return ranks[Math.floor(ranks.length / 2)] ?? null;
}

/** One line of the golden table: inferred / Keepa per window, priced / all sales and offer drops of the year. */
function goldenRow(book: Book, label: string): string {
  const { sales } = analyzeProduct({ product: book.product, settings: DEFAULT_BUSINESS, nowMs: book.nowMs });
  const now = msToKeepaMinutes(book.nowMs);
  const within = (days: number) => sales.filter((s) => s.t >= now - days * 1440 && s.t <= now);
  const counts = WINDOWS.map((days, i) => `${within(days).length.toLocaleString('en-US')} / ${book.keepaDrops[i]?.toLocaleString('en-US') ?? '-'}`);
  const year = within(365);
  const priced = year.filter((s) => s.priceCents !== null).length;
  const drops = offerDropsBetween(book.product, now - 365 * 1440, now);
  return `| ${label} | ${medianRank(book.product, now)?.toLocaleString('en-US') ?? '-'} | ${counts.join(' | ')} | ${priced} / ${year.length} | ${drops.toLocaleString('en-US')} |`;
}

export function benchAnalytics(runs = RUNS): { medianUs: number; p95Us: number } {
  const inputs = realBooks().map((b) => ({ product: b.product, settings: DEFAULT_BUSINESS, nowMs: b.nowMs }));
  for (let i = 0; i < WARM_UP; i++) for (const input of inputs) analyzeProduct(input);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const input of inputs) {
      const t0 = performance.now();
      analyzeProduct(input);
      times.push((performance.now() - t0) * 1000);
    }
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
  return { medianUs: at(0.5), p95Us: at(0.95) };
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  console.log('| ASIN | median rank | 30 d | 90 d | 180 d | 365 d | priced / all (365 d) | offer drops (365 d) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const book of realBooks()) console.log(goldenRow(book, book.product.asin));
  for (const book of nonBooks()) console.log(goldenRow(book, `${book.product.asin} (not a book)`));
  console.log('\n| ASIN | List at | 1yr. Avg. | Deal Trust | rejected |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const book of realBooks()) {
    const { row, rejected } = analyzeProduct({ product: book.product, settings: DEFAULT_BUSINESS, nowMs: book.nowMs });
    const cells = [book.product.asin, row['List_at'] ?? '', row['1yr_Avg'] ?? '', row['Deal_Trust'] ?? '', rejected ?? ''];
    console.log(`| ${cells.join(' | ')} |`);
  }
  const { medianUs, p95Us } = benchAnalytics();
  console.log(`analyzeProduct on the real books: median ${medianUs} µs, p95 ${p95Us} µs a product over ${RUNS} runs of each`);
}
