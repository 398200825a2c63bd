// The deal list: every book whose latest deal listing (listings.ts) Keepa has listed, still live
// and younger than the query's dateRange interval (1, 7, 31 or 90 days), seen as Keepa last read
// it: the deal's `lastUpdate` moves forward with each re-read of the product (every 2-12 hours
// while listed), and a re-drop of the used price shows at the next read. Some deals enter the list
// hours after they were created. A query is filtered, sorted (by deal age "as Keepa sorts them,
// but not strictly": a little local disorder; by percentage delta strictly, as real pages are),
// cached for 120 s and served in pages of 150.

import { msToKeepaMinutes } from '../keepa/time.js';
import { CsvType, type KeepaDeal } from '../keepa/types.js';
import { DATE_RANGE_WINDOW_DAYS, DEAL_CACHE_MS, DEAL_INTERVAL_DAYS, DEAL_PAGE_SIZE, DROP_IS_POSITIVE, RANGES_NEED_SWITCH } from './assumptions.js';
import { type Catalog, shelfPrice } from './catalog.js';
import { ListingIndex } from './listingIndex.js';
import { type Listing, MAX_LISTING_LIFETIME_MS, priceAt } from './listings.js';
import type { MarketStore } from './markets.js';
import { USED_CONDITION_CSV } from './offers.js';
import { hashSeed, Random } from './random.js';
import { type DealSelection, selectionKey } from './selection.js';
import { BOOKS_ROOT } from './words.js';

const DAY_MS = 86_400_000;
const MIN_DROP_PERCENT = 10;
/** A book's usual lowest used price, as a share of the price its copies sell at. */
const USUAL_USED_SHARE = 0.97;

/** Deal fields the simulator sends beyond those keepa-deals' types name: real deals carry them. */
export interface SimulatedDeal extends KeepaDeal {
  salesRankDrops30: number;
  salesRankDrops90: number;
  salesRankDrops180: number;
  salesRankDrops365: number;
}

export interface DealQueryFaults {
  /** Each page after the first repeats this many deals from the end of the page before. */
  duplicatePerPage?: number;
  /** Consecutive deals share one `lastUpdate` minute in groups of this size. */
  sharedGroupSize?: number;
}

export interface DealPageResult {
  deals: KeepaDeal[];
  /** Deals matched by the query (all pages). */
  total: number;
}

export interface DealStreamOptions {
  catalog: Catalog;
  markets: MarketStore;
  seed: number;
  /** Chance that two neighbours in the sorted list are swapped (0 = strict order). */
  sortDisorder: number;
  /** The simulation's start (for `opportunitiesSeen`). */
  startMs: number;
}

interface CachedQuery {
  createdMs: number;
  deals: KeepaDeal[];
  total: number;
}

export class DealStream {
  private readonly cache = new Map<string, CachedQuery>();
  private readonly snapshots = new Map<string, KeepaDeal>();
  private readonly index: ListingIndex;

  constructor(private readonly options: DealStreamOptions) {
    this.index = new ListingIndex(options.markets, options.catalog.size);
  }

  /**
   * One page of the query's answer. `faults` is asked only when the answer is computed (not
   * cached): a fault shapes a whole answer, every page of it, for the 120 s it is cached.
   */
  query(selection: DealSelection, nowMs: number, faults: () => DealQueryFaults = () => ({})): DealPageResult {
    const key = selectionKey(selection);
    for (const [k, v] of this.cache) if (nowMs - v.createdMs >= DEAL_CACHE_MS || nowMs < v.createdMs) this.cache.delete(k);
    let cached = this.cache.get(key);
    if (!cached) {
      cached = this.compute(selection, nowMs, faults(), key);
      this.cache.set(key, cached);
    }
    const start = selection.page * DEAL_PAGE_SIZE;
    return { deals: cached.deals.slice(start, start + DEAL_PAGE_SIZE), total: cached.total };
  }

  /** ASINs of real opportunities whose deal was live at some moment from the start until `nowMs`. */
  opportunitiesSeen(nowMs: number): string[] {
    const { catalog, markets, startMs } = this.options;
    const seen: string[] = [];
    for (let index = 0; index < catalog.size; index++) {
      const book = catalog.book(index);
      if (book.archetype !== 'opportunity') continue;
      const listings = markets.listings(index).between(startMs - MAX_LISTING_LIFETIME_MS, nowMs);
      if (listings.some((l) => l.atMs + l.lifetimeMs > startMs && l.visibleMs <= nowMs)) seen.push(book.asin);
    }
    return seen.sort();
  }

  private compute(selection: DealSelection, nowMs: number, faults: DealQueryFaults, key: string): CachedQuery {
    const k = selection.dateRange;
    const pt = selection.priceType;
    const matched: KeepaDeal[] = [];
    // The simulated deals are Used price drops: other price types have none.
    if (pt === CsvType.USED) {
      for (const { index, listing } of this.index.live(nowMs, (DATE_RANGE_WINDOW_DAYS[k] ?? 90) * DAY_MS)) {
        const deal = this.snapshot(index, listing, lastUpdateMs(listing, nowMs));
        if (this.passes(deal, index, selection)) matched.push(deal);
      }
    }
    const sorted = matched.sort(comparator(selection.sortType, k, pt));
    // Real pages by percentage delta (sortType 4) are strictly ordered; by deal age they are not.
    if (Math.abs(selection.sortType) !== 4) disorder(sorted, this.options.sortDisorder, new Random(hashSeed(this.options.seed, key, nowMs)));
    const shared = faults.sharedGroupSize ? shareLastUpdate(sorted, faults.sharedGroupSize) : sorted;
    const deals = faults.duplicatePerPage ? repeatAcrossPages(shared, faults.duplicatePerPage) : shared;
    return { createdMs: nowMs, deals, total: matched.length };
  }

  private passes(deal: KeepaDeal, index: number, s: DealSelection): boolean {
    const k = s.dateRange;
    const pt = s.priceType;
    const current = deal.current[pt] ?? -1;
    const drop = deal.delta?.[k]?.[pt] ?? 0;
    const dropPercent = deal.deltaPercent?.[k]?.[pt] ?? 0;
    const signed = DROP_IS_POSITIVE ? 1 : -1;
    const ranges = s.isRangeEnabled || !RANGES_NEED_SWITCH;
    // A deal is a drop of at least 10% (Keepa's documented minimum), whatever the filter says.
    const minDrop = Math.max(MIN_DROP_PERCENT, ranges && s.deltaPercentRange ? s.deltaPercentRange[0] : 0);
    if (signed * dropPercent < minDrop) return false;
    if (ranges) {
      if (s.deltaPercentRange && signed * dropPercent > s.deltaPercentRange[1]) return false;
      if (s.currentRange && !within(current, s.currentRange)) return false;
      if (s.deltaRange && !within(signed * drop, s.deltaRange)) return false;
      const rank = deal.current[CsvType.SALES_RANK] ?? -1;
      if (s.salesRankRange && (rank < 0 || !within(rank, s.salesRankRange))) return false;
    }
    const cats = [deal.rootCat ?? 0, ...(deal.categories ?? [])];
    if (s.includeCategories && s.includeCategories.length > 0 && !cats.some((c) => s.includeCategories?.includes(c))) return false;
    if (s.excludeCategories && cats.some((c) => s.excludeCategories?.includes(c))) return false;
    if (s.titleSearch) {
      const title = (deal.title ?? '').toLowerCase();
      if (
        !s.titleSearch
          .toLowerCase()
          .split(/\s+/)
          .filter(Boolean)
          .every((w) => title.includes(w))
      )
        return false;
    }
    if (s.isFilterEnabled || !RANGES_NEED_SWITCH) {
      const book = this.options.catalog.book(index);
      const amazon = (deal.current[CsvType.AMAZON] ?? -1) > 0;
      if (s.minRating !== null && s.minRating > 0 && book.rating < s.minRating) return false;
      if (s.hasReviews && book.reviewCount <= 0) return false;
      if (s.mustHaveAmazonOffer && !amazon) return false;
      if (s.mustNotHaveAmazonOffer && amazon) return false;
    }
    return true;
  }

  /**
   * The deal as Keepa read the product at `atMs` (its lastUpdate), drawn from the listing and the
   * book alone: the used price is the listing's (after its re-drops up to then), the averages
   * blend the book's usual prices with the deal's since it started, the rank and the rank drops
   * follow the book's sales. Building the product's three-year history for each of thousands of
   * listed deals would cost seconds a query; these figures agree with it closely enough for a
   * deal list, which Keepa also keeps apart from its product data.
   */
  private snapshot(index: number, listing: Listing, atMs: number): KeepaDeal {
    const key = `${index}:${listing.seq}:${atMs}`;
    const cached = this.snapshots.get(key);
    if (cached) return cached;
    // Snapshots go stale as lastUpdate moves; a query needs at most one a book, so twice the
    // catalog (20,000 at most, about 80 MB) covers any query's working set.
    if (this.snapshots.size > Math.min(20_000, 2 * this.options.catalog.size)) this.snapshots.clear();
    const book = this.options.catalog.book(index);
    const rng = new Random(hashSeed(this.options.seed, index, listing.seq, 'deal'));
    const t = msToKeepaMinutes(atMs);
    const price = priceAt(listing, atMs);
    const current = new Array<number>(book.csvLength).fill(-1);
    const usual = new Array<number>(book.csvLength).fill(-1);
    const set = (type: number, now: number, before: number): void => {
      current[type] = now;
      usual[type] = before;
    };
    set(CsvType.USED, price, shelfPrice(book.typicalPrice * USUAL_USED_SHARE));
    if (book.newOffersTarget > 0) set(CsvType.NEW, shelfPrice(book.typicalPrice * book.newPriceFactor), shelfPrice(book.typicalPrice * book.newPriceFactor));
    const rank = Math.round(book.saleRank * rng.range(1, book.archetype === 'dead' ? 3 : 2.5));
    set(CsvType.SALES_RANK, rank, Math.round(rank * 1.1));
    set(CsvType.COUNT_USED, book.usedOffersTarget + 1, book.usedOffersTarget);
    if (book.newOffersTarget > 0) set(CsvType.COUNT_NEW, book.newOffersTarget, book.newOffersTarget);
    current[USED_CONDITION_CSV[listing.condition] ?? -1] = price + Math.max(0, listing.shipping);
    const sinceListed = t - msToKeepaMinutes(listing.atMs);
    const avg = DEAL_INTERVAL_DAYS.map((days) => {
      const window = days * 1_440;
      const share = Math.min(1, sinceListed / window);
      return usual.map((u, i) => (u < 0 ? -1 : Math.round(u * (1 - share) + (current[i] ?? u) * share)));
    });
    const sign = DROP_IS_POSITIVE ? 1 : -1;
    const delta = avg.map((row) =>
      row.map((a, i) => {
        const c = current[i] ?? -1;
        return a < 0 || c < 0 ? 0 : sign * (a - c);
      }),
    );
    const deltaPercent = avg.map((row) =>
      row.map((a, i) => {
        const c = current[i] ?? -1;
        return a <= 0 || c < 0 ? 0 : Math.round((sign * (a - c) * 100) / a);
      }),
    );
    const lastFall = [listing.atMs, ...listing.redrops.map((r) => r.atMs)].filter((ms) => ms <= atMs).pop() ?? listing.atMs;
    const currentSince = current.map((c) => (c < 0 ? -1 : msToKeepaMinutes(listing.atMs)));
    currentSince[CsvType.USED] = msToKeepaMinutes(lastFall);
    const drops = (days: number): number => (book.salesPerDay === 0 ? 0 : Math.round(book.salesPerDay * days * rng.range(0.8, 1.2)));
    const deal: SimulatedDeal = {
      asin: book.asin,
      title: book.title,
      creationDate: msToKeepaMinutes(listing.atMs),
      lastUpdate: t,
      current,
      avg,
      delta,
      deltaPercent,
      currentSince,
      rootCat: BOOKS_ROOT.catId,
      categories: [book.category.catId],
      image: null,
      salesRankDrops30: drops(30),
      salesRankDrops90: drops(90),
      salesRankDrops180: drops(180),
      salesRankDrops365: drops(365),
    };
    this.snapshots.set(key, deal);
    return deal;
  }
}

/** `lastUpdate`: the latest re-read of the product at or before now, starting at the listing. */
function lastUpdateMs(listing: Listing, nowMs: number): number {
  const reads = Math.floor((nowMs - listing.atMs) / listing.refreshMs);
  return listing.atMs + reads * listing.refreshMs;
}

function within(value: number, [min, max]: [number, number]): boolean {
  return value >= min && value <= max;
}

function comparator(sortType: number, k: number, pt: number): (a: KeepaDeal, b: KeepaDeal) => number {
  const byAsin = (a: KeepaDeal, b: KeepaDeal): number => (a.asin < b.asin ? -1 : a.asin > b.asin ? 1 : 0);
  const dir = sortType < 0 ? -1 : 1;
  switch (Math.abs(sortType)) {
    case 2:
      return (a, b) => dir * ((b.delta?.[k]?.[pt] ?? 0) - (a.delta?.[k]?.[pt] ?? 0)) || byAsin(a, b);
    case 3: {
      const rank = (d: KeepaDeal): number => {
        const r = d.current[CsvType.SALES_RANK] ?? -1;
        return r < 0 ? Number.MAX_SAFE_INTEGER : r;
      };
      return (a, b) => dir * (rank(a) - rank(b)) || byAsin(a, b);
    }
    case 4:
      return (a, b) => dir * ((b.deltaPercent?.[k]?.[pt] ?? 0) - (a.deltaPercent?.[k]?.[pt] ?? 0)) || byAsin(a, b);
    default:
      return (a, b) => b.creationDate - a.creationDate || b.lastUpdate - a.lastUpdate || byAsin(a, b);
  }
}

/** Keepa's pages are "sorted, but not strictly": swap some neighbours, each deal moving at most one place. */
function disorder(deals: KeepaDeal[], chance: number, rng: Random): void {
  if (chance <= 0) return;
  for (let i = 0; i + 1 < deals.length; i++) {
    if (!rng.chance(chance)) continue;
    const a = deals[i];
    const b = deals[i + 1];
    if (!a || !b) continue;
    deals[i] = b;
    deals[i + 1] = a;
    i++;
  }
}

function shareLastUpdate(deals: KeepaDeal[], groupSize: number): KeepaDeal[] {
  const out: KeepaDeal[] = [];
  for (let i = 0; i < deals.length; i += groupSize) {
    const group = deals.slice(i, i + groupSize);
    const minute = Math.max(...group.map((d) => d.lastUpdate));
    for (const d of group) out.push({ ...d, lastUpdate: minute });
  }
  return out;
}

function repeatAcrossPages(deals: KeepaDeal[], perPage: number): KeepaDeal[] {
  const repeat = Math.min(perPage, DEAL_PAGE_SIZE - 1);
  const out: KeepaDeal[] = deals.slice(0, DEAL_PAGE_SIZE);
  let next = out.length;
  while (next < deals.length) {
    const tail = out.slice(out.length - repeat);
    const fresh = deals.slice(next, next + DEAL_PAGE_SIZE - tail.length);
    out.push(...tail, ...fresh);
    next += fresh.length;
  }
  return out;
}
