// Benchmark of the full deal analysis: one product with 3 years of realistic history, analysed
// 2,000 times after a warm-up; prints the median and p95 in microseconds.
// Run: npm run build && node dist/bench/analytics.js
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DEFAULT_BUSINESS } from '../src/settings.js';
import { msToKeepaMinutes } from '../src/keepa/time.js';
import type { KeepaOffer, KeepaProduct } from '../src/keepa/types.js';
import { analyzeProduct } from '../src/pipeline/analytics/index.js';

const NOW_MS = Date.UTC(2025, 5, 15);
const HOUR = 60;
const DAY = 24 * HOUR;
const WARM_UP = 200;
const RUNS = 2000;

/** mulberry32: a tiny seeded PRNG, so every run measures the same product. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A used book with 3 years of history: rank every 3 hours drifting worse between sales and
 * jumping better an hour or two after one; a sale every few days taking a used (mostly) or new
 * offer; new sellers arriving; used and new prices moving daily; the four used-condition
 * "with shipping" triples (19-22); 20 live offers; stats over 365 days.
 */
function benchProduct(seed = 42): KeepaProduct {
  const rand = prng(seed);
  const now = msToKeepaMinutes(NOW_MS);
  const start = now - 3 * 365 * DAY;
  const rank: number[] = [];
  const used: number[] = [];
  const fresh: number[] = [];
  const usedCount: number[] = [];
  const newCount: number[] = [];
  const triples: number[][] = [[], [], [], []];

  let r = 300_000;
  let usedPrice = 2500;
  let newPrice = 4500;
  let uc = 12;
  let nc = 4;
  let nextSale = start + Math.floor(rand() * 4 * DAY);
  let nextPrice = start;
  for (let t = start; t <= now; t += 3 * HOUR) {
    if (t >= nextSale) {
      const isUsed = rand() < 0.8;
      if (isUsed && uc > 1) usedCount.push(t, --uc);
      else if (nc > 1) newCount.push(t, --nc);
      r = Math.max(5_000, Math.floor(r * (0.3 + rand() * 0.3)));
      rank.push(t + HOUR + Math.floor(rand() * HOUR), r);
      nextSale = t + Math.floor((1 + rand() * 5) * DAY);
    } else {
      r = Math.min(2_000_000, Math.floor(r * (1 + rand() * 0.02)));
      rank.push(t, rand() < 0.002 ? -1 : r);
    }
    if (rand() < 0.03) usedCount.push(t, ++uc);
    if (rand() < 0.01) newCount.push(t, ++nc);
    if (t >= nextPrice) {
      usedPrice = Math.max(400, usedPrice + Math.round((rand() - 0.5) * 300));
      newPrice = Math.max(usedPrice + 200, newPrice + Math.round((rand() - 0.5) * 300));
      used.push(t, rand() < 0.02 ? -1 : usedPrice);
      fresh.push(t, newPrice);
      triples.forEach((h, i) => h.push(t, usedPrice + (3 - i) * 150, rand() < 0.5 ? 0 : 399));
      nextPrice = t + Math.floor((0.5 + rand()) * DAY);
    }
  }

  const csv: (number[] | null)[] = new Array<number[] | null>(33).fill(null);
  csv[1] = fresh;
  csv[2] = used;
  csv[3] = rank;
  csv[11] = newCount;
  csv[12] = usedCount;
  triples.forEach((h, i) => (csv[19 + i] = h));

  const offers: KeepaOffer[] = Array.from({ length: 20 }, (_, i) => ({
    sellerId: `SELLER${i}`,
    condition: 1 + (i % 5),
    isFBA: i % 3 === 0,
    lastSeen: now - i * HOUR,
    offerCSV: [now - 30 * DAY, usedPrice + 500 + i * 40, 399, now - DAY, usedPrice + i * 35, i % 4 === 0 ? -1 : 399],
  }));
  const series = (values: Record<number, number>) => Array.from({ length: 33 }, (_, i) => values[i] ?? -1);
  const prices = { 0: -1, 1: newPrice, 2: usedPrice, 3: r, 11: nc, 12: uc, 18: newPrice + 399, 19: usedPrice + 450, 20: usedPrice + 300, 21: usedPrice + 150, 22: usedPrice };
  return {
    asin: '0000000001',
    title: 'Calculus: Early Transcendentals',
    manufacturer: 'Cengage Learning',
    binding: 'hardcover',
    categoryTree: [
      { catId: 283155, name: 'Books' },
      { catId: 75, name: 'Science & Math' },
      { catId: 13884, name: 'Mathematics' },
    ],
    csv,
    stats: {
      current: series(prices),
      avg30: series(prices),
      avg90: series(prices),
      avg180: series(prices),
      avg365: series(prices),
      salesRankDrops30: 8,
      salesRankDrops90: 25,
      salesRankDrops180: 50,
      salesRankDrops365: 100,
      totalOfferCount: 20,
      offerCountFBA: 2,
      offerCountFBM: 2,
    },
    offers,
    liveOffersOrder: offers.map((_, i) => i),
    fbaFees: { pickAndPackFee: 322 },
    referralFeePercentage: 15,
    trackingSince: start - 365 * DAY,
    lastUpdate: now - HOUR,
  };
}

export function benchAnalytics(runs = RUNS): { medianUs: number; p95Us: number } {
  const product = benchProduct();
  const input = { product, settings: DEFAULT_BUSINESS, nowMs: NOW_MS };
  for (let i = 0; i < WARM_UP; i++) analyzeProduct(input);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    analyzeProduct(input);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
  return { medianUs: at(0.5), p95Us: at(0.95) };
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const product = benchProduct();
  const points = (product.csv ?? []).reduce((n, h) => n + (h ? h.length : 0), 0);
  const { salesCount, offerDrops, rejected } = analyzeProduct({ product, settings: DEFAULT_BUSINESS, nowMs: NOW_MS });
  const { medianUs, p95Us } = benchAnalytics();
  console.log(`analyzeProduct: ${points} csv numbers, ${offerDrops} offer drops, ${salesCount} sales, rejected ${rejected ?? 'no'}`);
  console.log(`median ${medianUs} µs, p95 ${p95Us} µs over ${RUNS} runs`);
}
