// Enrich: the heavy fetch (csv history, live offers, stats over 365 days) for candidates that
// passed the peek, the winning sellers' records, then the analytics. Paid-for products are always
// committed: a seller lookup that cannot be made now is deferred (sellers.ts), never dropped. A
// batch is sized to pay for its seller lookups too, so that they rarely have to wait.
import { ColumnTypeError, describeError, isProgrammingError, RateLimitedError } from '../errors.js';
import type { JobContext } from '../job.js';
import { dealOfferCount } from '../keepa/cost.js';
import type { KeepaDeal, KeepaProduct, KeepaSeller } from '../keepa/types.js';
import type { Funnel } from '../state/runs.js';
import { analyzeProduct, winningOfferSellerId } from './analytics/index.js';
import { enrichBatchSize, MAX_ENRICH_BATCH } from './batchSize.js';
import { type ChunkOutcome, commitOrFail } from './chunkCommit.js';
import type { PipelineDeps } from './context.js';
import { parseDeal } from './dealRecord.js';
import { buildEvidence, encodeEvidence, salesInYear } from './evidence.js';
import { fetchProducts } from './fetch.js';
import { bump } from './funnel.js';
import { failItems, failMissing } from './retryThenPark.js';
import { deferSellers, knownSellers } from './sellers.js';
import { workableSince } from './value.js';

/**
 * The analytics look back three years and compare with the last point before the window, so a
 * month more than that keeps a drop at the window's start; older history is not worth the bytes.
 */
export const HISTORY_DAYS = 3 * 365 + 30;

/** Offers (all conditions) the deal list shows for the items, on average; sharpens the offers cost estimate. */
function expectedOffers(deals: readonly (KeepaDeal | null)[]): number | undefined {
  const counts = deals.map((d) => (d === null ? undefined : dealOfferCount(d))).filter((n): n is number => n !== undefined);
  if (counts.length === 0) return undefined;
  return Math.max(1, Math.ceil(counts.reduce((a, b) => a + b, 0) / counts.length));
}

export async function enrichChunk(deps: PipelineDeps, run: JobContext): Promise<ChunkOutcome> {
  const { store, clock, config } = deps;
  const log = deps.log.child({ component: 'enrich' });
  const due = store.queue.due('peeked', MAX_ENRICH_BATCH, clock.now(), workableSince(deps.keepa.bucket, clock.now()));
  if (due.length === 0) return 'empty';
  const dealsByAsin = new Map(due.map((i) => [i.asin, parseDeal(i.dealJson)]));
  const offers = expectedOffers([...dealsByAsin.values()]);
  const items = due.slice(0, enrichBatchSize(deps, clock.now(), offers, config.pipeline.lookupSellers));
  const onFailure = (error: string, reason: string, nowMs: number): number => failItems(deps, items, error, reason, nowMs);
  const fetched = await fetchProducts(
    deps,
    run,
    'enrich',
    items.map((i) => i.asin),
    {
      stats: 365,
      history: true,
      days: HISTORY_DAYS,
      offers: config.pipeline.offersPerProduct,
      expectedOffers: offers,
      onlyLiveOffers: true,
    },
    onFailure,
  );
  if (!fetched.ok) return fetched.outcome;

  const funnel: Funnel = { tokens_enrich: fetched.tokens };
  const asked = new Set(config.pipeline.lookupSellers ? sellersToAsk(deps, fetched.products, dealsByAsin) : []);
  const known = knownSellers(deps, [...asked]);
  const unknown = [...asked].filter((id) => known[id] === undefined);
  const answered = unknown.length > 0 ? await lookupSellers(deps, run, unknown, funnel) : {};
  const sellers = { ...known, ...answered };
  if (Object.keys(known).length > 0) funnel.seller_cached = Object.keys(known).length;
  const tokens = fetched.tokens + (funnel.tokens_seller ?? 0);

  const deferred: Record<string, string> = {};
  const outcome = commitOrFail(
    deps,
    run,
    'enrich',
    items.length,
    funnel,
    tokens,
    (nowMs) => {
      store.queue.addTokens(
        items.map((i) => i.asin),
        tokens,
      );
      failMissing(deps, items, fetched.products, funnel, nowMs);
      store.sellers.put(answered, nowMs);
      for (const item of items) {
        const product = fetched.products.get(item.asin);
        if (product === undefined) continue;
        const sellerId = winningOfferSellerId(product);
        const result = analyzeProduct({
          product,
          deal: dealsByAsin.get(item.asin) ?? null,
          seller: sellerId === null ? null : (sellers[sellerId] ?? null),
          settings: config.business,
          nowMs,
        });
        bump(funnel, 'enriched');
        if (result.rejected !== null) {
          store.queue.finish(item.asin, 'rejected', result.rejected, nowMs, true);
          bump(funnel, `rejected_${result.rejected}`);
          continue;
        }
        try {
          store.deals.upsert({ ...result.row, ASIN: item.asin }, nowMs, 'full');
          const evidence = buildEvidence(product, result, config.business, nowMs);
          store.evidence.save(item.asin, salesInYear(evidence.sales, nowMs), encodeEvidence(evidence), nowMs);
        } catch (e: unknown) {
          if (!(e instanceof ColumnTypeError)) throw e;
          failItems(deps, [item], describeError(e), 'save_error', nowMs);
          bump(funnel, 'failed');
          log.error(`could not save ${item.asin}: ${describeError(e)}`, { asin: item.asin });
          continue;
        }
        store.queue.finish(item.asin, 'done', null, nowMs, true);
        bump(funnel, 'saved');
        if (config.pipeline.lookupSellers && sellerId !== null && sellers[sellerId] === undefined && (funnel.seller_lookup_failed !== undefined || !asked.has(sellerId))) deferred[item.asin] = sellerId;
      }
      deferSellers(store, deferred, nowMs);
      if (Object.keys(deferred).length > 0) funnel.seller_deferred = Object.keys(deferred).length;
    },
    onFailure,
  );
  if (outcome !== 'done') return outcome;
  log.info(`enriched ${funnel.enriched ?? 0}, saved ${funnel.saved ?? 0}`, { funnel });
  return 'done';
}

/**
 * The winning sellers of the products the analysis will save: a seller is paid for only there.
 * The analysis decides without it (the seller fills columns, never a verdict), and at 20/min a
 * third of the lookups were for deals it then rejected (docs/tokens.md). A programming error in
 * the analysis asks for none: the chunk's commit meets the same error and fails the chunk with it.
 */
function sellersToAsk(deps: PipelineDeps, products: ReadonlyMap<string, KeepaProduct>, deals: ReadonlyMap<string, KeepaDeal | null>): string[] {
  const ids: string[] = [];
  for (const [asin, product] of products) {
    const sellerId = winningOfferSellerId(product);
    if (sellerId === null) continue;
    let rejected: string | null;
    try {
      rejected = analyzeProduct({ product, deal: deals.get(asin) ?? null, seller: null, settings: deps.config.business, nowMs: deps.clock.now() }).rejected;
    } catch (e: unknown) {
      if (!isProgrammingError(e)) throw e;
      return [];
    }
    if (rejected === null) ids.push(sellerId);
  }
  return ids;
}

/**
 * A stop lets the seller lookup of a chunk in flight finish for this long (its products are paid
 * for and commit with it); well inside the daemon's stop grace.
 */
export const SELLER_STOP_GRACE_MS = 10_000;

/** One call for the chunk's winning sellers; never fails the chunk whose products were paid for. */
async function lookupSellers(deps: PipelineDeps, run: JobContext, ids: readonly string[], funnel: Funnel): Promise<Record<string, KeepaSeller>> {
  const charge = { tokens: 0 };
  const grace = new AbortController();
  const onStop = (): void => {
    void deps.clock.sleep(SELLER_STOP_GRACE_MS, grace.signal).then(
      () => grace.abort(run.signal.reason),
      () => undefined,
    );
  };
  if (run.signal.aborted) onStop();
  else run.signal.addEventListener('abort', onStop, { once: true });
  try {
    return await deps.keepa.sellers(ids, { job: 'seller', maxWaitMs: deps.config.pipeline.maxTokenWaitSeconds * 1000, signal: grace.signal, charge });
  } catch (e: unknown) {
    if (run.signal.aborted) throw e;
    funnel.seller_lookup_failed = ids.length;
    if (!(e instanceof RateLimitedError)) deps.log.warn(`seller lookup failed: ${describeError(e)}; the deals are saved and their sellers looked up later`, { component: 'enrich' });
    return {};
  } finally {
    run.signal.removeEventListener('abort', onStop);
    grace.abort();
    funnel.tokens_seller = charge.tokens;
  }
}
