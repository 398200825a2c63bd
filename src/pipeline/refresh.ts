// Refresh: saved deals whose data is oldest get a light update (stats and live offers, no
// history) on a share of the tokens. It writes only the columns a light update computes, never
// NULL over `List_at` or `1yr_Avg`. A deal it finds still visible counts as seen; one that is no
// longer worth showing ages out through the janitor.
import { ColumnTypeError, describeError } from '../errors.js';
import type { JobContext } from '../job.js';
import type { Funnel } from '../state/runs.js';
import { isVisible, lightUpdate } from './analytics/index.js';
import { enrichBatchSize } from './batchSize.js';
import { type ChunkOutcome, commitOrFail } from './chunkCommit.js';
import type { PipelineDeps } from './context.js';
import { offersOf } from './evidence.js';
import { fetchProducts } from './fetch.js';
import { bump } from './funnel.js';
import { deferSellers } from './sellers.js';

/**
 * While new deals wait, refresh takes at most this share of the tokens whatever `refreshShare`
 * says: a new deal is worth most in its first minutes, a saved one is already shown.
 */
const MAX_SHARE_WHILE_DEALS_WAIT = 0.5;

/**
 * Whether refresh may spend now: always when ingestion has nothing due, otherwise while its share
 * of all tokens spent stays under `refreshShare` (and under half).
 */
export function refreshAllowed(deps: PipelineDeps, nowMs: number, queueHasWork: boolean): boolean {
  const share = deps.config.pipeline.refreshShare;
  if (share <= 0) return false;
  if (!queueHasWork) return true;
  const spent = deps.keepa.bucket.snapshot(nowMs).spentByJob;
  const total = Object.values(spent).reduce((a, b) => a + b, 0);
  return total === 0 || (spent.refresh ?? 0) / total < Math.min(share, MAX_SHARE_WHILE_DEALS_WAIT);
}

/** Whether a saved deal is due a refresh at `nowMs`: its data is older than `refreshAfterHours`, or a refresh was asked for. */
export function refreshDue(deps: PipelineDeps, nowMs: number): boolean {
  return deps.store.deals.stalest(1, nowMs - deps.config.pipeline.refreshAfterHours * 3_600_000).length > 0;
}

export async function refreshChunk(deps: PipelineDeps, run: JobContext): Promise<ChunkOutcome> {
  const { store, clock, config } = deps;
  const now = clock.now();
  const asins = store.deals.stalest(enrichBatchSize(deps, now, undefined), now - config.pipeline.refreshAfterHours * 3_600_000);
  if (asins.length === 0) return 'empty';
  // A deal that cannot be refreshed goes to the back of the line rather than blocking the others.
  const onFailure = (_error: string, _reason: string, nowMs: number): number => {
    store.deals.markRefreshed(asins, nowMs);
    return 0;
  };
  const fetched = await fetchProducts(deps, run, 'refresh', asins, { stats: 365, history: false, offers: config.pipeline.offersPerProduct, onlyLiveOffers: true }, onFailure);
  if (!fetched.ok) return fetched.outcome;
  const funnel: Funnel = { tokens_refresh: fetched.tokens };
  return commitOrFail(
    deps,
    run,
    'refresh',
    asins.length,
    funnel,
    fetched.tokens,
    (nowMs) => {
      store.queue.addTokens(asins, fetched.tokens);
      for (const asin of asins) {
        const product = fetched.products.get(asin);
        const stored = store.deals.find(asin);
        if (stored === null) continue;
        if (product === undefined) {
          store.deals.markRefreshed([asin], nowMs);
          bump(funnel, 'not_in_answer');
          continue;
        }
        const { row } = lightUpdate({ product, stored, settings: config.business, nowMs });
        try {
          store.deals.upsert({ ...row, ASIN: asin }, nowMs, 'light');
          store.evidence.updateOffers(asin, JSON.stringify(offersOf(product)), nowMs);
          bump(funnel, 'refreshed');
          // A new winning seller is saved without its name: it is looked up later, as enrich defers.
          const sellerId = row['Seller_ID'];
          if (typeof sellerId === 'string' && sellerId !== stored['Seller_ID'] && row['Seller'] === null) {
            deferSellers(store, { [asin]: sellerId }, nowMs);
            bump(funnel, 'seller_deferred');
          }
          // Scans stop at deals created before their floor, so a long-lived deal is not read again
          // from the list; one the refresh finds still worth showing stays current for the janitor.
          if (isVisible({ ...stored, ...row }, config.peek.minSalesPerYear)) store.deals.touchSeen([asin], nowMs);
        } catch (e: unknown) {
          if (!(e instanceof ColumnTypeError)) throw e;
          bump(funnel, 'failed');
          deps.log.error(`could not save the refresh of ${asin}: ${describeError(e)}`, { component: 'refresh', asin });
        }
      }
    },
    onFailure,
  );
}
