// Peek: cheap product stats (no history, no offers: 1 token a product) for queued candidates.
// Dead and hopeless items are rejected here with a recorded reason before anyone pays for history.
import { keepaDrops, peekProduct, salesPerYear } from './analytics/index.js';
import type { Funnel } from '../state/runs.js';
import { bump, type ChunkOutcome, commitChunk, type PipelineDeps, type RunContext } from './context.js';
import { dealOfferCount } from '../keepa/cost.js';
import { parseDeal } from './dealRecord.js';
import { failItems, failMissing, fetchProducts } from './fetch.js';
import { appearedAtMs, candidateTokens, candidateValue } from './value.js';

/** Enough to amortise one request; small enough that a crash loses little. */
const MAX_PEEK_BATCH = 50;
const PEEK_PARAMS = { stats: 365, history: false } as const;

export function peekBatchSize(deps: PipelineDeps, nowMs: number): number {
  const shape = { path: 'product', count: 1 } as const;
  const affordable = deps.keepa.costs.maxBatchSize(shape, deps.keepa.bucket.grantableNow(nowMs));
  return Math.max(1, Math.min(MAX_PEEK_BATCH, affordable));
}

export async function peekChunk(deps: PipelineDeps, run: RunContext): Promise<ChunkOutcome> {
  const { store, clock } = deps;
  const items = store.queue.due('queued', peekBatchSize(deps, clock.now()), clock.now());
  if (items.length === 0) return 'empty';
  const fetched = await fetchProducts(deps, run, 'peek', items.map((i) => i.asin), PEEK_PARAMS, (error, reason, nowMs) =>
    failItems(deps, items, error, reason, nowMs),
  );
  if (!fetched.ok) return fetched.outcome;

  const funnel: Funnel = { tokens_peek: fetched.tokens };
  commitChunk(deps, run, funnel, fetched.tokens, (nowMs) => {
    store.queue.addTokens(items.map((i) => i.asin), fetched.tokens);
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
        const value = candidateValue({
          buyCents: result.buyPriceCents,
          sellCents: result.sellPriceCents,
          salesPerYear: salesPerYear(keepaDrops(product.stats)),
          appearedAtMs: deal === null ? item.queuedAt : appearedAtMs(deal),
          tokens,
        }, deps.config.business, nowMs);
        store.queue.advance(item.asin, 'peeked', nowMs, value.key);
        bump(funnel, 'peek_passed');
      } else {
        store.queue.finish(item.asin, 'rejected', result.reason, nowMs);
        bump(funnel, `rejected_${result.reason ?? 'unknown'}`);
      }
    }
  });
  return 'done';
}
