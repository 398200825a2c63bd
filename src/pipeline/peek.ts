// Peek: cheap product stats (no history, no offers: 1 token a product) for queued candidates.
// Dead and hopeless items are rejected here with a recorded reason before anyone pays for history.

import type { JobContext } from '../job.js';
import { dealOfferCount } from '../keepa/cost.js';
import type { Funnel } from '../state/runs.js';
import { keepaDrops, peekProduct, salesPerYear } from './analytics/index.js';
import { peekBatchSize } from './batchSize.js';
import { type ChunkOutcome, commitOrFail } from './chunkCommit.js';
import type { PipelineDeps } from './context.js';
import { parseDeal } from './dealRecord.js';
import { fetchProducts } from './fetch.js';
import { bump } from './funnel.js';
import { failItems, failMissing } from './retryThenPark.js';
import { appearedAtMs, candidateTokens, candidateValue, workableSince } from './value.js';

const PEEK_PARAMS = { stats: 365, history: false } as const;

/**
 * Whether the best candidate waiting for its peek is worth more than the best one waiting for its
 * heavy fetch: a backlog of peeked candidates must not hold new deals from their peek (at 20/min
 * the start's backlog kept every new deal waiting 30 minutes; docs/tokens.md).
 */
export function peekFirst(deps: PipelineDeps, nowMs: number): boolean {
  const since = workableSince(deps.keepa.bucket, nowMs);
  const peek = deps.store.queue.head('queued', nowMs, since);
  const enrich = deps.store.queue.head('peeked', nowMs, since);
  return peek !== null && (enrich === null || peek.priority > enrich.priority);
}

export async function peekChunk(deps: PipelineDeps, run: JobContext): Promise<ChunkOutcome> {
  const { store, clock } = deps;
  const since = workableSince(deps.keepa.bucket, clock.now());
  // Only candidates worth more than the best peeked one: the rest would wait peeked, their peek
  // paid for before it can be used (at least the head, so a chunk always makes progress).
  const bar = store.queue.head('peeked', clock.now(), since)?.priority ?? -Infinity;
  const items = store.queue.due('queued', peekBatchSize(deps, clock.now()), clock.now(), since).filter((item, i) => i === 0 || item.priority > bar);
  if (items.length === 0) return 'empty';
  const onFailure = (error: string, reason: string, nowMs: number): number => failItems(deps, items, error, reason, nowMs);
  const fetched = await fetchProducts(
    deps,
    run,
    'peek',
    items.map((i) => i.asin),
    PEEK_PARAMS,
    onFailure,
  );
  if (!fetched.ok) return fetched.outcome;

  const funnel: Funnel = { tokens_peek: fetched.tokens };
  return commitOrFail(
    deps,
    run,
    'peek',
    items.length,
    funnel,
    fetched.tokens,
    (nowMs) => {
      store.queue.addTokens(
        items.map((i) => i.asin),
        fetched.tokens,
      );
      failMissing(deps, items, fetched.products, funnel, nowMs);
      for (const item of items) {
        const product = fetched.products.get(item.asin);
        if (product === undefined) continue;
        const result = peekProduct(product, deps.config.peek);
        bump(funnel, 'peeked');
        if (result.ok) {
          // Re-ranked with what the peek paid for: its buy and sell prices and the product's drops.
          const deal = parseDeal(item.dealJson);
          const tokens = candidateTokens(deps.keepa.costs, {
            offers: deps.config.pipeline.offersPerProduct,
            expectedOffers: deal === null ? undefined : dealOfferCount(deal),
            peeked: true,
            lookupSellers: deps.config.pipeline.lookupSellers,
          });
          const value = candidateValue(
            {
              buyCents: result.buyPriceCents,
              sellCents: result.sellPriceCents,
              salesPerYear: salesPerYear(keepaDrops(product.stats)),
              appearedAtMs: deal === null ? item.queuedAt : appearedAtMs(deal),
              tokens,
            },
            deps.config.business,
            nowMs,
          );
          store.queue.advance(item.asin, 'peeked', nowMs, value.key);
          bump(funnel, 'peek_passed');
        } else {
          store.queue.finish(item.asin, 'rejected', result.reason, nowMs);
          bump(funnel, `rejected_${result.reason ?? 'unknown'}`);
        }
      }
    },
    onFailure,
  );
}
