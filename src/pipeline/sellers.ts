// Seller lookups that could not be made with their deal's heavy fetch (no tokens within the wait,
// or Keepa failed) are deferred, never dropped: the deal is saved without the seller's name and
// score, its winning seller is remembered in `sellers.due`, and this step names it later (1 token a
// seller, up to 100 a call). A seller looked up within `pipeline.sellerCacheDays` is named from the
// seller cache, here and in enrich, without a token. Counted in the funnel: seller_deferred,
// seller_filled, seller_unknown, seller_cached.
import { describeError, RateLimitedError } from '../errors.js';
import type { JobContext } from '../job.js';
import type { KeepaSeller } from '../keepa/types.js';
import type { Funnel } from '../state/runs.js';
import type { Store } from '../state/store.js';
import { sellerColumns } from './analytics/index.js';
import { sellerBatchSize } from './batchSize.js';
import { type ChunkOutcome, commitChunk } from './chunkCommit.js';
import type { PipelineDeps } from './context.js';
import { bump } from './funnel.js';

const DUE_KEY = 'sellers.due';

/** The records of `ids` looked up within `pipeline.sellerCacheDays`: these are not paid for again. */
export function knownSellers(deps: Pick<PipelineDeps, 'store' | 'config' | 'clock'>, ids: readonly string[]): Record<string, KeepaSeller> {
  const days = deps.config.pipeline.sellerCacheDays;
  return days > 0 ? deps.store.sellers.fresh(ids, deps.clock.now() - days * 86_400_000) : {};
}

/** ASIN -> the winning seller's id, for saved deals whose seller is still to be named. */
export function sellersDue(store: Store): Record<string, string> {
  const v = store.system.getJson(DUE_KEY);
  if (typeof v !== 'object' || v === null) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Remembers deals saved without their seller's record (inside the chunk's transaction). */
export function deferSellers(store: Store, entries: Readonly<Record<string, string>>, nowMs: number): void {
  if (Object.keys(entries).length === 0) return;
  store.system.setJson(DUE_KEY, { ...sellersDue(store), ...entries }, nowMs);
}

/** Looks up the deferred sellers the bucket can pay for now and writes their names and scores. */
export async function sellerChunk(deps: PipelineDeps, run: JobContext): Promise<ChunkOutcome> {
  const { store, keepa, clock } = deps;
  const due = sellersDue(store);
  const ids = [...new Set(Object.values(due))];
  if (ids.length === 0) return 'empty';
  // Sellers looked up meanwhile (another deal won by them) are named without a call.
  const known = knownSellers(deps, ids);
  const batch = [...Object.keys(known), ...ids.filter((id) => known[id] === undefined).slice(0, sellerBatchSize(deps, clock.now()))];
  const toAsk = batch.filter((id) => known[id] === undefined);
  const charge = { tokens: 0 };
  let answered: Record<string, KeepaSeller> = {};
  try {
    if (toAsk.length > 0) answered = await keepa.sellers(toAsk, { job: 'seller', maxWaitMs: deps.config.pipeline.maxTokenWaitSeconds * 1000, signal: run.signal, charge });
  } catch (e: unknown) {
    if (e instanceof RateLimitedError) return 'out_of_tokens';
    if (run.signal.aborted) throw e;
    deps.log.warn(`deferred seller lookup failed: ${describeError(e)}; it will be tried again`, { component: 'sellers', sellers: batch.length });
    return 'failed';
  }
  const tokens = charge.tokens;
  const funnel: Funnel = { tokens_seller: tokens };
  if (Object.keys(known).length > 0) funnel.seller_cached = Object.keys(known).length;
  const sellers = { ...known, ...answered };
  const asked = new Set(batch);
  commitChunk(deps, run, funnel, tokens, (nowMs) => {
    store.sellers.put(answered, nowMs);
    const left = { ...sellersDue(store) };
    for (const [asin, sellerId] of Object.entries(left)) {
      if (!asked.has(sellerId)) continue;
      delete left[asin];
      const record = sellers[sellerId];
      const stored = store.deals.find(asin);
      // The deal may be gone, or a refresh may have found another winner meanwhile.
      if (stored === null || stored['Seller_ID'] !== sellerId) continue;
      if (record === undefined) {
        bump(funnel, 'seller_unknown');
        continue;
      }
      store.deals.upsert({ ASIN: asin, ...sellerColumns(record) }, nowMs, 'light');
      bump(funnel, 'seller_filled');
    }
    store.system.setJson(DUE_KEY, left, nowMs);
  });
  return 'done';
}
