// Fetching products for a chunk of queue items. A failure other than running out of tokens is
// committed as a chunk of its own, and retried, then parked, as retryThenPark.ts decides.
import { describeError, RateLimitedError } from '../errors.js';
import type { JobContext } from '../job.js';
import type { ProductParams } from '../keepa/client.js';
import type { KeepaProduct } from '../keepa/types.js';
import { commitChunk } from './chunkCommit.js';
import type { PipelineDeps } from './context.js';
import { failureReason, isOperatorProblem } from './retryThenPark.js';

export type Fetched = { ok: true; products: Map<string, KeepaProduct>; tokens: number } | { ok: false; outcome: 'out_of_tokens' | 'failed' };

/**
 * Fetches `asins` for a stage. A failure other than running out of tokens is committed as a chunk
 * through `onFailure` (which records it on the items and returns how many it parked).
 */
export async function fetchProducts(deps: PipelineDeps, run: JobContext, stage: string, asins: readonly string[], params: ProductParams, onFailure: (error: string, reason: string, nowMs: number) => number): Promise<Fetched> {
  const charge = { tokens: 0 };
  try {
    const products = await deps.keepa.products(asins, params, { job: stage, maxWaitMs: deps.config.pipeline.maxTokenWaitSeconds * 1000, signal: run.signal, charge });
    return { ok: true, products: new Map(products.map((p) => [p.asin, p])), tokens: charge.tokens };
  } catch (e: unknown) {
    if (e instanceof RateLimitedError) return { ok: false, outcome: 'out_of_tokens' };
    if (isOperatorProblem(e) || run.signal.aborted) throw e;
    const error = describeError(e);
    const reason = failureReason(e);
    const tokens = charge.tokens;
    let parked = 0;
    commitChunk(
      deps,
      run,
      { failed: asins.length, [`tokens_${stage}`]: tokens, tokens_retry: tokens },
      tokens,
      (nowMs) => {
        parked = onFailure(error, reason, nowMs);
      },
      false,
    );
    deps.log.warn(`${stage} of ${asins.length} items failed: ${error}; they will be tried again`, { component: stage, asins: asins.length, parked, reason });
    return { ok: false, outcome: 'failed' };
  }
}
