// How right the saved analytics are, against the simulator's ground truth. What the daemon SHOULD
// save for a deal is the project's own definitions (the pure functions of the analytics) applied to
// the sales the simulator really made, on the product as the daemon fetched it: `List at`,
// `1yr. Avg.` and `Price Now` of each saved row are compared with that to the cent. The inference
// is also run on each saved ASIN's product to count the withdrawn listings it took for sales.
import { msToKeepaMinutes } from '../src/keepa/time.js';
import { CsvType, type KeepaProduct } from '../src/keepa/types.js';
import { listPrice, listPriceProblem, yearAverage } from '../src/pipeline/analytics/listPrice.js';
import { winningOffer } from '../src/pipeline/analytics/offers.js';
import { inferSales, SALES_WINDOW_MINUTES, saleAt, withoutOutliers } from '../src/pipeline/analytics/sales.js';
import type { LedgerEntry, MarketTruth, Simulator } from '../src/simulator/index.js';

const HOUR_MINUTES = 60;
/** An inferred sale with no true sale behind it but a withdrawal this near took the withdrawal for a sale. */
const MATCH_MINUTES = 48 * HOUR_MINUTES;

/** What a full analysis saved: the three columns that rest on the sales and the offers, in dollars. */
export interface SavedPrices {
  asin: string;
  savedAtMs: number;
  listAt: number | null;
  yearAvg: number | null;
  priceNow: number | null;
}

export interface Accuracy {
  rows: number;
  listAtRight: number;
  yearAvgRight: number;
  priceNowRight: number;
  /** Over the distinct ASINs saved, the products as last fetched, their 3-year windows. */
  trueSales: number;
  inferredSales: number;
  /** Inferred sales with no true sale behind them but a listing withdrawn near them. */
  withdrawnCountedAsSales: number;
  /** Inferred sales with no true sale behind them and no withdrawal near them either. */
  inventedSales: number;
}

export interface Truth {
  listAtCents: number | null;
  yearAvgCents: number | null;
  priceNowCents: number | null;
}

/** The definitions applied to the true sales of the window ending at `nowMs`. */
export function truthFor(product: KeepaProduct, truth: MarketTruth, nowMs: number): Truth {
  const now = msToKeepaMinutes(nowMs);
  const sales = withoutOutliers(
    truth.sales
      .map((s) => ({ minute: msToKeepaMinutes(s.ms), price: s.price, condition: s.condition === 1 ? ('New' as const) : ('Used' as const) }))
      .filter((s) => s.minute > now - SALES_WINDOW_MINUTES && s.minute <= now)
      .map((s) => saleAt(s.minute, s.price, s.condition)),
  );
  const offer = winningOffer(product);
  const lp = listPrice(sales, product.stats);
  const usedNow = product.stats?.current?.[CsvType.USED];
  const problem = lp === null ? null : listPriceProblem(lp, typeof usedNow === 'number' && usedNow > 0 ? usedNow : (offer?.totalCents ?? null));
  return {
    listAtCents: lp !== null && problem === null ? lp.cents : null,
    yearAvgCents: yearAverage(sales, now),
    priceNowCents: offer?.totalCents ?? null,
  };
}

/** When the daemon fetched what a save rests on: its last heavy fetch (history and offers) of the ASIN. */
function fetchedAt(ledger: readonly LedgerEntry[], asin: string, savedAtMs: number): number {
  let at = savedAtMs;
  for (const e of ledger) {
    if (e.atMs > savedAtMs) break;
    if (e.path === '/product' && e.status === 200 && e.params.history !== '0' && e.params.offers !== undefined && e.asins.includes(asin)) at = e.atMs;
  }
  return at;
}

/** Times (Keepa minutes) of the product's valid sales-rank points, ascending. */
function rankPointTimes(product: KeepaProduct): number[] {
  const csv = product.csv?.[CsvType.SALES_RANK] ?? [];
  const times: number[] = [];
  for (let i = 0; i + 1 < csv.length; i += 2) if ((csv[i + 1] ?? -1) > 0) times.push(csv[i] ?? 0);
  return times;
}

/** Index of the first element >= t. */
function lowerBound(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const sameCents = (dollars: number | null, cents: number | null): boolean => (dollars === null || cents === null ? dollars === cents : Math.round(dollars * 100) === cents);

export type InferenceErrors = Pick<Accuracy, 'trueSales' | 'inferredSales' | 'withdrawnCountedAsSales' | 'inventedSales'>;

/** The inference run on `product` as fetched at `atMs`, its 3-year window checked against the true sales. */
export function inferenceErrors(product: KeepaProduct, truth: MarketTruth, atMs: number): InferenceErrors {
  const now = msToKeepaMinutes(atMs);
  const inWindow = (ms: number): boolean => msToKeepaMinutes(ms) > now - SALES_WINDOW_MINUTES && ms <= atMs;
  const soldAt = truth.sales.filter((x) => inWindow(x.ms)).map((x) => msToKeepaMinutes(x.ms));
  const withdrawnAt = truth.withdrawals.filter((x) => inWindow(x.ms)).map((x) => msToKeepaMinutes(x.ms));
  const rankTimes = rankPointTimes(product);
  const out: InferenceErrors = { trueSales: soldAt.length, inferredSales: 0, withdrawnCountedAsSales: 0, inventedSales: 0 };
  for (const sale of inferSales(product, now).sales) {
    out.inferredSales++;
    // A sale shows at the first rank point after it: the inferred sale is real when a true one
    // lies between the rank point before it and its own time.
    const since = rankTimes[lowerBound(rankTimes, sale.t) - 1] ?? -Infinity;
    if (soldAt.some((m) => m > since && m <= sale.t)) continue;
    if (withdrawnAt.some((m) => Math.abs(m - sale.t) <= MATCH_MINUTES)) out.withdrawnCountedAsSales++;
    else out.inventedSales++;
  }
  return out;
}

export function measureAccuracy(sim: Simulator, ledger: readonly LedgerEntry[], saves: readonly SavedPrices[]): Accuracy {
  const out: Accuracy = { rows: 0, listAtRight: 0, yearAvgRight: 0, priceNowRight: 0, trueSales: 0, inferredSales: 0, withdrawnCountedAsSales: 0, inventedSales: 0 };
  const lastFetch = new Map<string, number>();
  for (const save of saves) {
    const atMs = fetchedAt(ledger, save.asin, save.savedAtMs);
    const product = sim.productAt(save.asin, atMs);
    const truth = sim.marketTruth(save.asin);
    if (!product || !truth) continue;
    const right = truthFor(product, truth, atMs);
    out.rows++;
    if (sameCents(save.listAt, right.listAtCents)) out.listAtRight++;
    if (sameCents(save.yearAvg, right.yearAvgCents)) out.yearAvgRight++;
    if (sameCents(save.priceNow, right.priceNowCents)) out.priceNowRight++;
    lastFetch.set(save.asin, atMs);
  }
  for (const [asin, atMs] of lastFetch) {
    const product = sim.productAt(asin, atMs);
    const truth = sim.marketTruth(asin);
    if (!product || !truth) continue;
    const found = inferenceErrors(product, truth, atMs);
    out.trueSales += found.trueSales;
    out.inferredSales += found.inferredSales;
    out.withdrawnCountedAsSales += found.withdrawnCountedAsSales;
    out.inventedSales += found.inventedSales;
  }
  return out;
}
