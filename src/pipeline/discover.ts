// Discovery: pages through the deal list and puts candidates into the queue. Pages are not
// trusted to be in order: each page is sorted by (lastUpdate, ASIN), duplicates are dropped, and a
// scan ends when a whole page is at or behind its floor or the list ends. The watermark moves to
// the newest deal of a scan only when the scan is complete, so a scan cut short (429, page limit,
// crash) never skips the deals it did not reach; its place is kept in `ingest.scan`.
// Keepa's times are not trusted past the present: a deal dated in the future is queued with its
// time clamped to now, so one such deal can never carry the watermark ahead of every later deal.
import { RateLimitedError } from '../errors.js';
import { MAX_BATCH } from '../keepa/cost.js';
import { CLOCK_TOLERANCE_MS } from '../keepa/figures.js';
import { keepaMinutesToMs, msToKeepaMinutes } from '../keepa/time.js';
import type { KeepaDeal } from '../keepa/types.js';
import type { Funnel } from '../state/runs.js';
import { compareCursor, type Watermark } from '../state/systemState.js';
import { parseDeal, usedPrice } from './dealRecord.js';
import { bump, type ChunkOutcome, commitChunk, type PipelineDeps, type RunContext, tokensSpent } from './context.js';

/** Keepa: "stop when the response contains less than 150 results". */
export const DEAL_PAGE_SIZE = 150;
const SCAN_KEY = 'ingest.scan';
/** The last deal Keepa dated in the future: `{ aheadMs, atMs }`, for status. */
export const FUTURE_DEAL_KEY = 'keepa.futureDeal';

/** A scan of the deal list in progress. */
export interface Scan {
  /** Deals at or behind this cursor are already in the queue or done. */
  floor: Watermark;
  /** The watermark as it was stored when the scan began (null: none yet). */
  expected: Watermark | null;
  /** The newest deal this scan has queued. */
  top: Watermark | null;
  nextPage: number;
  startedAt: number;
  /**
   * When the last completed scan started; the next one starts `discoverEveryMinutes` after it.
   * Counted from its end (seconds after its tick), the next scan would miss its tick and wait a
   * whole tick more: an idle daemon then went 35 minutes without committing, past the stall limit.
   */
  lastStartedAt: number | null;
}

export const cursorOf = (d: KeepaDeal): Watermark => ({ lastUpdateKm: d.lastUpdate, asin: d.asin });

function readScan(v: unknown): Partial<Scan> | null {
  return typeof v === 'object' && v !== null ? (v as Partial<Scan>) : null;
}

/**
 * The scan to continue, or a new one when the last completed long enough ago; null when it is not
 * time. A first scan reaches back only as far as a candidate may wait: older deals would expire.
 */
export function currentScan(deps: PipelineDeps, nowMs: number): Scan | null {
  const saved = readScan(deps.store.system.getJson(SCAN_KEY));
  if (saved && saved.floor && typeof saved.nextPage === 'number' && saved.nextPage > 0) return saved as Scan;
  const lastStartedAt = saved?.lastStartedAt ?? null;
  if (lastStartedAt !== null && nowMs - lastStartedAt < scanIntervalMs(deps, nowMs)) return null;
  const expected = deps.store.system.watermark();
  const oldest: Watermark = { lastUpdateKm: msToKeepaMinutes(nowMs - deps.config.pipeline.candidateMaxAgeHours * 3_600_000), asin: '' };
  // A watermark in the future (saved before times were clamped) would hide every deal until then;
  // where the real one stood is unknown, so the scan reaches back as a first scan does.
  const kept = expected !== null && expected.lastUpdateKm > presentKm(nowMs) ? null : expected;
  const floor = kept !== null && compareCursor(kept, oldest) > 0 ? kept : oldest;
  return { floor, expected, top: null, nextPage: 0, startedAt: nowMs, lastStartedAt };
}

/** Keepa caches a query's answer for 120 s; a deal may show up in the list a little after its creation. */
const CREATION_MARGIN_MINUTES = 15;

/** A typical scan reads two pages: the new deals, then one page behind the floor that ends it. */
const TYPICAL_SCAN_TOKENS = 2 * 5;
/** Discovery is overhead: at low refill rates scans are spaced to stay near this share (at 5/min: every 50 min, so the watermark moves within the hour). */
const DISCOVERY_SHARE = 0.04;

/** `discoverEveryMinutes`, or longer where the refill rate is so low that scans would cost more than their share. */
export function scanIntervalMs(deps: Pick<PipelineDeps, 'keepa' | 'config'>, nowMs: number): number {
  const configured = deps.config.pipeline.discoverEveryMinutes * 60_000;
  const rate = deps.keepa.bucket.snapshot(nowMs).refillRate;
  if (rate === null || rate <= 0) return configured;
  return Math.max(configured, (TYPICAL_SCAN_TOKENS / (DISCOVERY_SHARE * rate)) * 60_000);
}

/** The promise a deal already shows: its used-price drop in dollars against the query's interval average. */
export function dealPriority(deal: KeepaDeal, dateRange: number): number {
  const used = 2;
  const current = deal.current[used] ?? -1;
  const avg = deal.avg?.[dateRange]?.[used] ?? -1;
  if (current <= 0 || avg <= 0) return 0;
  return Math.max(0, avg - current) / 100;
}

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

/** Newest first by (lastUpdate, ASIN), each ASIN once (its newest deal). */
export function sortAndDedupe(deals: readonly KeepaDeal[]): KeepaDeal[] {
  const newest = new Map<string, KeepaDeal>();
  for (const d of deals) {
    const seen = newest.get(d.asin);
    if (seen === undefined || d.lastUpdate > seen.lastUpdate) newest.set(d.asin, d);
  }
  return [...newest.values()].sort((a, b) => compareCursor(cursorOf(b), cursorOf(a)));
}

export interface PageResult {
  outcome: ChunkOutcome;
  complete: boolean;
  warning: string | null;
}

/** Reads one page of the current scan and commits what it found. */
export async function discoverPage(deps: PipelineDeps, run: RunContext, scan: Scan): Promise<PageResult> {
  const { keepa, store, config, clock } = deps;
  const log = deps.log.child({ component: 'discover' });
  const before = tokensSpent(deps);
  let page;
  try {
    page = await keepa.deals(config.dealQuery, scan.nextPage, { job: 'discover', maxWaitMs: config.pipeline.maxTokenWaitSeconds * 1000, signal: run.signal });
  } catch (e: unknown) {
    if (e instanceof RateLimitedError) return { outcome: 'out_of_tokens', complete: false, warning: null };
    throw e;
  }
  const tokens = tokensSpent(deps) - before;
  const future = clampToPresent(page.dr, clock.now());
  if (future.aheadMs > 0) {
    log.warn(`Keepa dated a deal ${Math.round(future.aheadMs / 60_000)} min in the future; queued with its time clamped to now (is this host's clock right?)`, { aheadMs: future.aheadMs });
  }
  const deals = sortAndDedupe(future.deals);
  const fresh = deals.filter((d) => compareCursor(cursorOf(d), scan.floor) > 0);
  // The list is sorted by deal age: once a whole page was created before the floor (less a margin
  // for Keepa's cache), later pages hold only deals an earlier scan has read. Those that were
  // updated since are still taken from this page; updates to older ones are the refresh's job.
  const createdBefore = scan.floor.lastUpdateKm - CREATION_MARGIN_MINUTES;
  const allOld = deals.every((d) => d.creationDate <= createdBefore);
  const complete = fresh.length === 0 || allOld || page.dr.length < DEAL_PAGE_SIZE || scan.nextPage + 1 >= MAX_BATCH.deal;
  const now = clock.now();
  let warning: string | null = null;
  const newestMs = deals[0] ? keepaMinutesToMs(deals[0].lastUpdate) : null;
  if (scan.nextPage === 0 && newestMs !== null && now - newestMs > config.pipeline.staleListHours * 3_600_000) {
    warning = `the newest deal in Keepa's list is ${Math.round((now - newestMs) / 3_600_000)} h old; check dealQuery.sortType (1 = newest first) and the query filters`;
    log.warn(warning, { newest: new Date(newestMs).toISOString() });
  }

  const funnel: Funnel = { scanned: page.dr.length, duplicates: page.dr.length - deals.length, tokens_discover: tokens };
  let top = scan.top;
  const reanalyzeBefore = now - config.pipeline.reanalyzeAfterDays * 86_400_000;
  const refreshBefore = now - config.pipeline.minRefreshGapMinutes * 60_000;
  /**
   * Keepa moves a deal's lastUpdate whenever it reads the product again, price changed or not. So
   * a deal already known is new work only when its used price moved:
   * - a saved deal whose history was analysed recently gets a light refresh (live offers) when its
   *   price changed and its data is older than the gap; never a second heavy fetch;
   * - a rejected one is looked at again when its verdict is older than `reanalyzeAfterDays`, or,
   *   when the peek rejected it, once its price fell (a cheaper buy can pass) and the gap passed.
   * Returns the funnel key of the decision, or null when it is new work.
   */
  const repeatOf = (d: KeepaDeal): string | null => {
    const item = store.queue.get(d.asin);
    const previous = usedPrice(parseDeal(item?.dealJson ?? null));
    const current = usedPrice(d);
    const saved = store.deals.fetchTimes(d.asin);
    if (saved !== null && saved.analyzedAt !== null && saved.analyzedAt > reanalyzeBefore) {
      if (previous !== null && previous === current) return 'unchanged';
      if (saved.fetchedAt >= refreshBefore) return 'recently_fetched';
      store.deals.requestRefresh(d.asin);
      if (item !== null) store.queue.noteDeal(d.asin, JSON.stringify(d));
      return 'refresh_requested';
    }
    if (item === null || item.stage !== 'rejected' || item.updatedAt < reanalyzeBefore) return null;
    const cheaper = previous !== null && current !== null && current < previous;
    if (item.analyzedAt === null && cheaper && item.updatedAt < refreshBefore) return null;
    return 'recently_rejected';
  };
  commitChunk(deps, run, funnel, tokens, (nowMs) => {
    for (const d of fresh) {
      if (top === null || compareCursor(cursorOf(d), top) > 0) top = cursorOf(d);
      const repeat = repeatOf(d);
      if (repeat !== null) {
        bump(funnel, repeat);
        continue;
      }
      const outcome = store.queue.offer({ asin: d.asin, lastUpdateKm: d.lastUpdate, priority: dealPriority(d, config.dealQuery.dateRange), dealJson: JSON.stringify(d) }, nowMs);
      bump(funnel, outcome);
    }
    store.deals.touchSeen(deals.map((d) => d.asin), nowMs);
    if (future.aheadMs > 0) store.system.setJson(FUTURE_DEAL_KEY, { aheadMs: future.aheadMs, atMs: nowMs }, nowMs);
    if (complete) {
      // A rewind during the scan wins: the advance is refused and the next scan starts from it. A
      // watermark in the future is the one the scan replaced, so it is overwritten.
      const inFuture = scan.expected !== null && scan.expected.lastUpdateKm > presentKm(nowMs);
      if (inFuture && top !== null) store.system.setWatermark(top, nowMs);
      const advanced = top !== null && (inFuture || store.system.advanceWatermark(scan.expected, top, nowMs));
      funnel.watermark_moved = advanced ? 1 : 0;
      store.system.setJson(SCAN_KEY, { lastStartedAt: scan.startedAt }, nowMs);
    } else {
      store.system.setJson(SCAN_KEY, { ...scan, top, nextPage: scan.nextPage + 1 }, nowMs);
    }
  });
  log.info(`deal page ${scan.nextPage}: ${page.dr.length} deals, ${fresh.length} newer than the floor, ${funnel.queued ?? 0} queued`, {
    page: scan.nextPage,
    scanned: page.dr.length,
    fresh: fresh.length,
    queued: funnel.queued ?? 0,
    tokens,
    complete,
  });
  return { outcome: 'done', complete, warning };
}
