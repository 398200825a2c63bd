// Whether a deal on the list is new work: the one place that decides it. Discovery compares every
// deal it reads with what is known (free: no token spent) and queues only what this file lets
// through; the queue stores what it is given.
import type { KeepaDeal } from '../keepa/types.js';
import { type Candidate, OPEN_STAGES, type Queue, type QueueItem } from '../state/queue.js';
import { isVisible } from './analytics/index.js';
import type { PipelineDeps } from './context.js';
import { parseDeal, usedPrice } from './dealRecord.js';

/**
 * Keepa moves a deal's lastUpdate whenever it reads the product again, price changed or not. So
 * a deal already known is new work only when its used price moved:
 * - a saved deal whose history was analysed recently gets a light refresh (live offers) when its
 *   price changed in the direction that can change what the dashboard shows, and its data is
 *   older than the gap; never a second heavy fetch. A visible deal whose price fell stays
 *   visible, only understated, until its regular refresh: re-reading it for that took 3% of
 *   the tokens at 20/min, all of them repeats;
 * - a rejected or expired one is looked at again when its verdict is older than
 *   `reanalyzeAfterDays`, or, when no history was paid for it, once its price fell (a cheaper
 *   buy can pass) and the gap passed.
 * Returns the funnel key of the decision, or null when it is new work.
 */
export function repeatOf(deps: Pick<PipelineDeps, 'store' | 'config'>, d: KeepaDeal, nowMs: number): string | null {
  const { store, config } = deps;
  const reanalyzeBefore = nowMs - config.pipeline.reanalyzeAfterDays * 86_400_000;
  const refreshBefore = nowMs - config.pipeline.minRefreshGapMinutes * 60_000;
  const item = store.queue.get(d.asin);
  const previous = usedPrice(parseDeal(item?.dealJson ?? null));
  const current = usedPrice(d);
  const saved = store.deals.fetchTimes(d.asin);
  if (saved !== null && saved.analyzedAt !== null && saved.analyzedAt > reanalyzeBefore) {
    if (previous !== null && previous === current) return 'unchanged';
    if (saved.fetchedAt >= refreshBefore) return 'recently_fetched';
    const row = store.deals.find(d.asin);
    const fell = previous !== null && current !== null && current < previous;
    if (fell && row !== null && isVisible(row, config.peek.minSalesPerYear)) {
      if (item !== null) store.queue.noteDeal(d.asin, JSON.stringify(d));
      return 'cheaper_still_visible';
    }
    store.deals.requestRefresh(d.asin);
    if (item !== null) store.queue.noteDeal(d.asin, JSON.stringify(d));
    return 'refresh_requested';
  }
  if (item === null || (item.stage !== 'rejected' && item.stage !== 'expired') || item.updatedAt < reanalyzeBefore) return null;
  const cheaper = previous !== null && current !== null && current < previous;
  if (item.analyzedAt === null && cheaper && item.updatedAt < refreshBefore) return null;
  return item.stage === 'expired' ? 'expired_unchanged' : 'recently_rejected';
}

/**
 * Whether the queue already holds this deal or one as new: an item still waiting (or parked)
 * with a deal as recent, or a finished one whose processed deal is as recent.
 */
export function alreadyOffered(item: QueueItem | null, lastUpdateKm: number): boolean {
  if (item === null) return false;
  if (OPEN_STAGES.includes(item.stage) || item.stage === 'parked') return lastUpdateKm <= item.lastUpdateKm;
  return lastUpdateKm <= (item.processedLastUpdateKm ?? item.lastUpdateKm);
}

/**
 * Offers a candidate from the deal list. It is new work only when its deal's lastUpdate is newer
 * than the last one processed for that ASIN (`seen` otherwise); an item still waiting takes the
 * newer deal (`updated`).
 */
export function offerIfNew(queue: Queue, c: Candidate, nowMs: number): 'queued' | 'updated' | 'seen' {
  return alreadyOffered(queue.get(c.asin), c.lastUpdateKm) ? 'seen' : queue.offer(c, nowMs);
}
