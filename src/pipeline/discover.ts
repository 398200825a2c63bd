// Discovery: looks at the deal list and puts new work into the queue (docs/tokens.md). A look
// reads the list's pages in the plan's order (sortType 4, percentage delta: the most promising
// first; newest first when it reads little of a long list) until the list ends or the look's page
// budget is spent; every deal on a page is compared with what is known (newWork.ts), which costs
// nothing: a deal never seen, and a known deal whose used price fell, are new work. A look
// that reads the whole list therefore misses nothing that was in the
// list at two consecutive looks, whatever its creation date or sort position. How many pages a
// look reads and how often looks come is the plan's (discoveryPlan.ts): all of a small list, and
// looks as often as Keepa refreshes its answer (120 s) where tokens allow; between looks that
// read part of a long list by percentage delta, glances at the newest page. A look cut short
// (429, run end, crash) continues at its next page; its place is kept in `ingest.scan`.
// Keepa's times are not trusted past the present: a deal dated in the future is queued with its
// time clamped to now, so one such deal can never carry the watermark ahead of every later deal.
import { RateLimitedError } from '../errors.js';
import type { JobContext } from '../job.js';
import { dealOfferCount, MAX_BATCH } from '../keepa/cost.js';
import { CLOCK_TOLERANCE_MS } from '../keepa/figures.js';
import { saveFutureDeal } from '../keepa/savedFutureDeal.js';
import { keepaMinutesToMs, msToKeepaMinutes } from '../keepa/time.js';
import type { DealPage, KeepaDeal } from '../keepa/types.js';
import type { Funnel } from '../state/runs.js';
import { compareCursor, type Watermark } from '../state/watermark.js';
import { keepaDrops, peekDeal, sellsOftenEnough } from './analytics/index.js';
import { type ChunkOutcome, commitChunk } from './chunkCommit.js';
import type { PipelineDeps } from './context.js';
import { type DiscoveryPlan, discoveryPlan, NEWEST_FIRST, PERCENT_DELTA } from './discoveryPlan.js';
import { bump } from './funnel.js';
import { offerIfNew, repeatOf } from './newWork.js';
import { appearedAtMs, candidateTokens, candidateValue, dealValueInputs } from './value.js';

/** Keepa: "stop when the response contains less than 150 results". */
export const DEAL_PAGE_SIZE = 150;
const SCAN_KEY = 'ingest.scan';
/** A look at the deal list in progress, or the record of the last one. */
export interface Scan {
  nextPage: number;
  /** Pages this look reads at most (the plan's, fixed when it starts). */
  pages: number;
  /** The order it reads them in (the plan's, fixed when it starts). */
  sortType: number;
  /** A glance: the newest page only, between the plan's looks. */
  glance?: boolean;
  /** When the last glance started; null while none. */
  lastGlanceAt?: number | null;
  /**
   * The shallowest drop (percent) on the last page the last look by percentage delta read: a
   * glance queues only deals that deep, the ones that look would have shown. Null: no floor.
   */
  floorPercent?: number | null;
  startedAt: number;
  /**
   * When the last completed look started; the next one is due the plan's interval after it.
   * Counted from its end (seconds after its tick), the next look would miss its tick and wait a
   * whole tick more: an idle daemon then went 35 minutes without committing, past the stall limit.
   */
  lastStartedAt: number | null;
  /** Pages the list held at the last look that reached its end; null while unknown. */
  listPages: number | null;
  /** The watermark as it was stored when the look began (null: none yet). */
  expected: Watermark | null;
  /** The newest deal this look has seen. */
  top: Watermark | null;
}

function readScan(v: unknown): Partial<Scan> | null {
  return typeof v === 'object' && v !== null ? (v as Partial<Scan>) : null;
}

/** The plan as things stand: the bucket's refill rate and the list size the last looks measured. */
export function currentPlan(deps: Pick<PipelineDeps, 'keepa' | 'config' | 'store'>, nowMs: number): DiscoveryPlan {
  const saved = readScan(deps.store.system.getJson(SCAN_KEY));
  const listPages = typeof saved?.listPages === 'number' ? saved.listPages : null;
  return discoveryPlan(deps.keepa.bucket.snapshot(nowMs).refillRate, listPages, deps.config.pipeline.discoverEveryMinutes, deps.config.dealQuery.sortType);
}

/** The look to continue, or a new one when the plan says it is time; null when it is not. */
export function currentScan(deps: PipelineDeps, nowMs: number): Scan | null {
  const saved = readScan(deps.store.system.getJson(SCAN_KEY));
  const listPages = typeof saved?.listPages === 'number' ? saved.listPages : null;
  if (saved && typeof saved.nextPage === 'number' && saved.nextPage > 0 && typeof saved.pages === 'number') return { listPages, lastStartedAt: null, expected: null, top: null, startedAt: nowMs, sortType: deps.config.dealQuery.sortType, ...saved } as Scan;
  const lastStartedAt = typeof saved?.lastStartedAt === 'number' ? saved.lastStartedAt : null;
  const lastGlanceAt = typeof saved?.lastGlanceAt === 'number' ? saved.lastGlanceAt : null;
  const plan = currentPlan(deps, nowMs);
  const floorPercent = typeof saved?.floorPercent === 'number' ? saved.floorPercent : null;
  const start = { nextPage: 0, startedAt: nowMs, lastStartedAt, lastGlanceAt, floorPercent, listPages, expected: deps.store.watermark.current(), top: null };
  if (lastStartedAt === null || nowMs - lastStartedAt >= plan.intervalMs) return { ...start, pages: plan.pages, sortType: plan.sortType };
  if (glanceDueAt(plan, lastStartedAt, lastGlanceAt) <= nowMs) return { ...start, pages: 1, sortType: NEWEST_FIRST, glance: true };
  return null;
}

/** When the next glance is due: its interval after the last look or glance; never without a plan for them. */
function glanceDueAt(plan: DiscoveryPlan, lastStartedAt: number, lastGlanceAt: number | null): number {
  return plan.glanceMs === null ? Infinity : Math.max(lastStartedAt, lastGlanceAt ?? -Infinity) + plan.glanceMs;
}

/** When the next look is due (epoch ms): now when one is in progress. */
export function nextLookAt(deps: PipelineDeps, nowMs: number): number {
  const saved = readScan(deps.store.system.getJson(SCAN_KEY));
  if (saved && typeof saved.nextPage === 'number' && saved.nextPage > 0) return nowMs;
  const last = typeof saved?.lastStartedAt === 'number' ? saved.lastStartedAt : null;
  if (last === null) return nowMs;
  const plan = currentPlan(deps, nowMs);
  const lastGlanceAt = typeof saved?.lastGlanceAt === 'number' ? saved.lastGlanceAt : null;
  return Math.min(last + plan.intervalMs, glanceDueAt(plan, last, lastGlanceAt));
}

export const cursorOf = (d: KeepaDeal): Watermark => ({ lastUpdateKm: d.lastUpdate, asin: d.asin });

/** The latest Keepa minute a deal may carry at `nowMs`: the present plus the clock tolerance. */
function presentKm(nowMs: number): number {
  return msToKeepaMinutes(nowMs + CLOCK_TOLERANCE_MS);
}

/**
 * The deals with times past the tolerance clamped to the present minute (not to the tolerance's
 * end, which would hide the deals of the next minutes), and how far ahead the furthest was (0: none).
 */
export function clampToPresent(deals: readonly KeepaDeal[], nowMs: number): { deals: KeepaDeal[]; aheadMs: number } {
  const limit = presentKm(nowMs);
  const now = msToKeepaMinutes(nowMs);
  let aheadMs = 0;
  const clamped = deals.map((d) => {
    if (d.lastUpdate <= limit && d.creationDate <= limit) return d;
    aheadMs = Math.max(aheadMs, keepaMinutesToMs(Math.max(d.lastUpdate, d.creationDate)) - nowMs);
    return { ...d, lastUpdate: Math.min(d.lastUpdate, now), creationDate: Math.min(d.creationDate, now) };
  });
  return { deals: clamped, aheadMs };
}

/**
 * The list's size in pages as the answer counts it: Keepa's `categoryCount` for the query's
 * categories (on a real answer, 756 for Books in a list of about 760 deals; docs/keepa.md); null
 * when the answer does not say.
 */
export function countedPages(page: Pick<DealPage, 'categoryIds' | 'categoryCount'>, categories: readonly number[]): number | null {
  let count = 0;
  let found = false;
  (page.categoryIds ?? []).forEach((id, i) => {
    const n = page.categoryCount?.[i];
    if (categories.includes(id) && typeof n === 'number' && n > 0) {
      count += n;
      found = true;
    }
  });
  return found ? Math.max(1, Math.ceil(count / DEAL_PAGE_SIZE)) : null;
}

/** The deal's drop in percent over the query's range and price type: what `sortType` 4 orders by. */
export function dropPercent(deal: KeepaDeal, query: { dateRange: number; priceTypes: readonly number[] }): number {
  return deal.deltaPercent?.[query.dateRange]?.[query.priceTypes[0] ?? 2] ?? 0;
}

/** Each ASIN once (its newest deal), in the page's order. */
export function dedupe(deals: readonly KeepaDeal[]): KeepaDeal[] {
  const newest = new Map<string, KeepaDeal>();
  for (const d of deals) {
    const seen = newest.get(d.asin);
    if (seen === undefined || d.lastUpdate > seen.lastUpdate) newest.set(d.asin, d);
  }
  return [...newest.values()];
}

export interface PageResult {
  outcome: ChunkOutcome;
  complete: boolean;
  warning: string | null;
}

/**
 * What the deal object alone says (free: no token spent), or null when the peek must look: a
 * rejection by the rules that would reject it later (too few sales a year by Keepa's own counts,
 * the peek's rule, only where the deal carries them; a sales rank above the maximum), or `pass`
 * when the peek's rules pass on the deal's own prices and counts (`peekDeal`): its peek is not
 * needed. A deal the rules would fail on its prices is left to the peek, which also reads the
 * 1-year average and the landed prices.
 */
export function freeVerdict(deal: KeepaDeal, deps: Pick<PipelineDeps, 'config'>): 'pass' | 'few_rank_drops' | 'rank_above_max' | null {
  const drops = keepaDrops(deal);
  const carried = [drops.d30, drops.d90, drops.d180, drops.d365].some((v) => typeof v === 'number');
  if (carried && !sellsOftenEnough(drops, deps.config.peek.minSalesPerYear)) return 'few_rank_drops';
  const rank = deal.current[3] ?? -1;
  if (rank > deps.config.business.maxSalesRank) return 'rank_above_max';
  return peekDeal(deal, deps.config.peek)?.ok === true ? 'pass' : null;
}

/** Reads one page of the current look and commits what it found. */
export async function discoverPage(deps: PipelineDeps, run: JobContext, scan: Scan): Promise<PageResult> {
  const { keepa, store, config, clock } = deps;
  const log = deps.log.child({ component: 'discover' });
  const charge = { tokens: 0 };
  let page: DealPage;
  try {
    page = await keepa.deals({ ...config.dealQuery, sortType: scan.sortType }, scan.nextPage, { job: 'discover', maxWaitMs: config.pipeline.maxTokenWaitSeconds * 1000, signal: run.signal, charge });
  } catch (e: unknown) {
    if (e instanceof RateLimitedError) return { outcome: 'out_of_tokens', complete: false, warning: null };
    throw e;
  }
  const tokens = charge.tokens;
  const future = clampToPresent(page.dr, clock.now());
  if (future.aheadMs > 0) {
    log.warn(`Keepa dated a deal ${Math.round(future.aheadMs / 60_000)} min in the future; queued with its time clamped to now (is this host's clock right?)`, { aheadMs: future.aheadMs });
  }
  const listed = dedupe(future.deals);
  // A glance queues what the last look by percentage delta would have shown, minutes earlier: the
  // newest page's shallower drops are deals that look did not read either, and mostly not worth
  // their tokens (reading the newest pages alone at 20/min made 425-475 opportunities visible, 513 by delta).
  const floor = scan.glance === true ? (scan.floorPercent ?? null) : null;
  const deals = floor === null ? listed : listed.filter((d) => dropPercent(d, config.dealQuery) >= floor);
  const listEnded = page.dr.length < DEAL_PAGE_SIZE;
  const complete = listEnded || scan.nextPage + 1 >= Math.min(scan.pages, MAX_BATCH.deal);
  const now = clock.now();
  let top = scan.top;
  for (const d of deals) if (top === null || compareCursor(cursorOf(d), top) > 0) top = cursorOf(d);

  let warning: string | null = null;
  const newestMs = top === null ? null : keepaMinutesToMs(top.lastUpdateKm);
  if (complete && newestMs !== null && now - newestMs > config.pipeline.staleListHours * 3_600_000) {
    warning = `the newest deal in Keepa's list is ${Math.round((now - newestMs) / 3_600_000)} h old; check the query filters (dealQuery)`;
    log.warn(warning, { newest: new Date(newestMs).toISOString() });
  }

  const funnel: Funnel = { scanned: page.dr.length, duplicates: page.dr.length - listed.length, tokens_discover: tokens };
  if (listed.length > deals.length) funnel.shallower_than_look = listed.length - deals.length;
  const offers = config.pipeline.offersPerProduct;
  const oldest = now - config.pipeline.candidateMaxAgeHours * 3_600_000;
  commitChunk(deps, run, funnel, tokens, (nowMs) => {
    for (const d of deals) {
      const repeat = repeatOf(deps, d, now);
      if (repeat !== null) {
        bump(funnel, repeat);
        continue;
      }
      if (appearedAtMs(d) < oldest) {
        // Its cheap price appeared longer ago than a candidate may wait: it would only expire.
        bump(funnel, 'too_old');
        continue;
      }
      const judged = freeVerdict(d, deps);
      // A deal passed free is ranked without a peek token in its cost.
      const cost = candidateTokens(keepa.costs, { offers, expectedOffers: dealOfferCount(d), peeked: judged === 'pass', lookupSellers: config.pipeline.lookupSellers });
      const value = candidateValue(dealValueInputs(d, cost), config.business, nowMs);
      const outcome = offerIfNew(store.queue, { asin: d.asin, lastUpdateKm: d.lastUpdate, priority: value.key, dealJson: JSON.stringify(d), appearedAtMs: appearedAtMs(d) }, nowMs);
      bump(funnel, outcome);
      const verdict = outcome === 'seen' ? null : judged;
      if (verdict === 'pass') {
        // The peek would read the same numbers: straight to the heavy fetch, its peek token saved.
        store.queue.advance(d.asin, 'peeked', nowMs, value.key);
        bump(funnel, 'passed_free');
        bump(funnel, 'tokens_saved', keepa.costs.estimate({ path: 'product', count: 1 }));
      } else if (verdict !== null) {
        // The peek would reject it on the same numbers: rejected here, its peek token saved.
        store.queue.finish(d.asin, 'rejected', verdict, nowMs);
        bump(funnel, `rejected_${verdict}`);
        bump(funnel, 'prefiltered');
        bump(funnel, 'tokens_saved', keepa.costs.estimate({ path: 'product', count: 1 }));
      }
    }
    store.deals.touchSeen(
      deals.map((d) => d.asin),
      nowMs,
    );
    if (future.aheadMs > 0) saveFutureDeal(store.system, future.aheadMs, nowMs);
    if (complete) {
      // A rewind during the look wins: the advance is refused. A watermark in the future is the
      // one the look replaced, so it is overwritten.
      const inFuture = scan.expected !== null && scan.expected.lastUpdateKm > presentKm(nowMs);
      if (inFuture && top !== null) store.watermark.set(top, nowMs);
      const advanced = top !== null && (inFuture || store.watermark.advance(scan.expected, top, nowMs));
      funnel.watermark_moved = advanced ? 1 : 0;
      funnel.looks = 1;
      const counted = countedPages(page, config.dealQuery.includeCategories);
      const listPages = listEnded ? scan.nextPage + 1 : counted !== null ? Math.max(counted, scan.nextPage + 1) : scan.listPages !== null ? Math.max(scan.listPages, scan.nextPage + 1) : null;
      const byDelta = scan.sortType === PERCENT_DELTA && !listEnded && deals.length > 0;
      const record =
        scan.glance === true
          ? { lastStartedAt: scan.lastStartedAt, lastGlanceAt: scan.startedAt, floorPercent: floor }
          : { lastStartedAt: scan.startedAt, lastGlanceAt: null, floorPercent: byDelta ? Math.min(...deals.map((d) => dropPercent(d, config.dealQuery))) : null };
      store.system.setJson(SCAN_KEY, { ...record, listPages }, nowMs);
    } else {
      store.system.setJson(SCAN_KEY, { ...scan, top, nextPage: scan.nextPage + 1 }, nowMs);
    }
  });
  log.info(`deal page ${scan.nextPage}: ${page.dr.length} deals, ${funnel.queued ?? 0} queued, ${funnel.prefiltered ?? 0} rejected free`, {
    page: scan.nextPage,
    scanned: page.dr.length,
    queued: funnel.queued ?? 0,
    prefiltered: funnel.prefiltered ?? 0,
    tokens,
    complete,
  });
  return { outcome: 'done', complete, warning };
}
