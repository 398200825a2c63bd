// Benchmark of the full deal analysis on the real Keepa books of test/fixtures/real-keepa/books:
// each book analysed RUNS times after a warm-up; prints, per book, the inferred sales of the last
// 365 days against Keepa's own salesRankDrops365 (hidden from the engine), and the median and p95
// time of one product's analysis in microseconds.
// Run: npm run build && node dist/bench/analytics.js
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_BUSINESS } from '../src/settings.js';
import { keepaMinutesToMs } from '../src/keepa/time.js';
import type { KeepaProduct } from '../src/keepa/types.js';
import { analyzeProduct } from '../src/pipeline/analytics/index.js';

const WARM_UP = 20;
const RUNS = 200;

interface Book {
  product: KeepaProduct;
  /** Keepa's count, taken out of the product the engine sees. */
  keepaDrops365: number | null;
  nowMs: number;
}

/** The package root: the nearest folder above this file (in bench/ or dist/bench/) with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The real books, each with `stats.salesRankDrops*` removed, analysed as of its fetch (lastUpdate). */
export function realBooks(): Book[] {
  const dir = join(packageRoot(), 'test', 'fixtures', 'real-keepa', 'books');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const product = JSON.parse(readFileSync(join(dir, f), 'utf8')) as KeepaProduct;
      const stats = product.stats ?? null;
      const keepaDrops365 = typeof stats?.salesRankDrops365 === 'number' ? stats.salesRankDrops365 : null;
      if (stats) {
        delete stats.salesRankDrops30;
        delete stats.salesRankDrops90;
        delete stats.salesRankDrops180;
        delete stats.salesRankDrops365;
      }
      return { product, keepaDrops365, nowMs: keepaMinutesToMs(product.lastUpdate ?? 0) };
    });
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
  console.log('| ASIN | Keepa drops 365 | inferred sales 365 | priced (3 y) | offer drops (3 y) | List at | 1yr. Avg. | Deal Trust | rejected |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const book of realBooks()) {
    const { row, rejected, sales, salesLast365, offerDrops } = analyzeProduct({ product: book.product, settings: DEFAULT_BUSINESS, nowMs: book.nowMs });
    const priced = sales.filter((s) => s.priceCents !== null).length;
    const cells = [book.product.asin, book.keepaDrops365 ?? 'none', salesLast365, priced, offerDrops, row['List_at'] ?? '', row['1yr_Avg'] ?? '', row['Deal_Trust'] ?? '', rejected ?? ''];
    console.log(`| ${cells.join(' | ')} |`);
  }
  const { medianUs, p95Us } = benchAnalytics();
  console.log(`analyzeProduct on the real books: median ${medianUs} µs, p95 ${p95Us} µs a product over ${RUNS} runs of each`);
}
