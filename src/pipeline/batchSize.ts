// How many items a chunk takes (docs/design.md rule 2): as many as the bucket can pay for now at
// the cost model's estimates, at least one (the bucket waits for or refuses a single call), and
// never more than a ceiling that keeps what a crash loses small.
import { MAX_BATCH } from '../keepa/cost.js';
import type { PipelineDeps } from './context.js';

/** Enough to amortise one request; small enough that a crash loses little. */
const MAX_PEEK_BATCH = 50;
/** A few products a chunk: at 5 tokens/min one offers page costs more than a minute of refill. */
export const MAX_ENRICH_BATCH = 10;

/** Peeks (1 token a product) the bucket can pay for now. */
export function peekBatchSize(deps: PipelineDeps, nowMs: number): number {
  const shape = { path: 'product', count: 1 } as const;
  const affordable = deps.keepa.costs.maxBatchSize(shape, deps.keepa.bucket.grantableNow(nowMs));
  return Math.max(1, Math.min(MAX_PEEK_BATCH, affordable));
}

/**
 * Heavy fetches (stats, history and `offers` expected offers a product) the bucket can pay for
 * now; `withSellers` sizes the batch to pay for a seller lookup a product too.
 */
export function enrichBatchSize(deps: PipelineDeps, nowMs: number, offers: number | undefined, withSellers = false): number {
  const shape = { path: 'product', count: 1, offers: deps.config.pipeline.offersPerProduct, expectedOffers: offers } as const;
  const { costs } = deps.keepa;
  const capacity = deps.keepa.bucket.grantableNow(nowMs);
  const affordable = withSellers ? Math.floor(capacity / (costs.estimate(shape) + costs.estimate({ path: 'seller', count: 1 }))) : costs.maxBatchSize(shape, capacity);
  return Math.max(1, Math.min(MAX_ENRICH_BATCH, affordable));
}

/** Seller lookups (1 token a seller, up to 100 a call) the bucket can pay for now. */
export function sellerBatchSize(deps: PipelineDeps, nowMs: number): number {
  const { keepa } = deps;
  const affordable = Math.max(1, keepa.costs.maxBatchSize({ path: 'seller', count: 1 }, keepa.bucket.grantableNow(nowMs)));
  return Math.min(MAX_BATCH.seller, affordable);
}
