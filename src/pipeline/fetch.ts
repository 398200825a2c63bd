// Fetching products for a chunk of queue items, and what a failed fetch does to them. Running out
// of tokens is not the items' fault: they stay due and the run checkpoints. A network failure,
// a 5xx after retries or an unreadable answer counts an attempt on every item of the chunk, with a
// growing next-try time; after `maxAttempts` the item is parked with its reason (docs/design.md rule 6).
// A rejected key or a lapsed subscription is the operator's to fix: the run fails and says so.
import { BadResponseError, KeepaHttpError, NetworkError, RateLimitedError, describeError } from '../errors.js';
import { backoffDelay } from '../keepa/backoff.js';
import type { ProductParams } from '../keepa/client.js';
import type { KeepaProduct } from '../keepa/types.js';
import type { QueueItem } from '../state/queue.js';
import type { Funnel } from '../state/runs.js';
import { bump, commitChunk, type PipelineDeps, type RunContext } from './context.js';

const RETRY_BASE_MS = 5 * 60_000;
const RETRY_MAX_MS = 6 * 3_600_000;

export type Fetched =
  | { ok: true; products: Map<string, KeepaProduct>; tokens: number }
  | { ok: false; outcome: 'out_of_tokens' | 'failed' };

/** The park reason for an error: a readable word that status groups by. */
export function failureReason(e: unknown): string {
  if (e instanceof NetworkError) return 'network';
  if (e instanceof BadResponseError) return 'bad_response';
  if (e instanceof KeepaHttpError) return `http_${e.status}`;
  return 'error';
}

function isOperatorProblem(e: unknown): boolean {
  return e instanceof KeepaHttpError && (e.status === 400 || e.status === 401 || e.status === 402 || e.status === 403);
}

/** Records a failure of each item: attempts + 1 and a later next try, or parked. Returns how many were parked. */
export function failItems(deps: PipelineDeps, items: readonly QueueItem[], error: string, reason: string, nowMs: number): number {
  let parked = 0;
  for (const item of items) {
    const retryDelayMs = backoffDelay(item.attempts, { hintMs: Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** item.attempts), baseMs: 60_000 });
    if (deps.store.queue.fail(item.asin, error, reason, { nowMs, retryDelayMs, maxAttempts: deps.config.pipeline.maxAttempts })) parked += 1;
  }
  return parked;
}

/** Items whose product Keepa did not return count a failure each (retried, then parked). */
export function failMissing(deps: PipelineDeps, items: readonly QueueItem[], products: ReadonlyMap<string, KeepaProduct>, funnel: Funnel, nowMs: number): void {
  const missing = items.filter((i) => !products.has(i.asin));
  if (missing.length === 0) return;
  // Left out by the parser when a field did not fit Keepa's types, or absent: retried, then parked.
  failItems(deps, missing, "Keepa's answer had no readable product for this ASIN (absent, or a field of the wrong type; see the log)", 'bad_data', nowMs);
  bump(funnel, 'failed', missing.length);
}

/**
 * Fetches `asins` for a stage. A failure other than running out of tokens is committed as a chunk
 * through `onFailure` (which records it on the items and returns how many it parked).
 */
export async function fetchProducts(
  deps: PipelineDeps,
  run: RunContext,
  stage: string,
  asins: readonly string[],
  params: ProductParams,
  onFailure: (error: string, reason: string, nowMs: number) => number,
): Promise<Fetched> {
  const charge = { tokens: 0 };
  try {
    const products = await deps.keepa.products(
      asins,
      params,
      { job: stage, maxWaitMs: deps.config.pipeline.maxTokenWaitSeconds * 1000, signal: run.signal, charge },
    );
    return { ok: true, products: new Map(products.map((p) => [p.asin, p])), tokens: charge.tokens };
  } catch (e: unknown) {
    if (e instanceof RateLimitedError) return { ok: false, outcome: 'out_of_tokens' };
    if (isOperatorProblem(e) || run.signal.aborted) throw e;
    const error = describeError(e);
    const reason = failureReason(e);
    const tokens = charge.tokens;
    let parked = 0;
    commitChunk(deps, run, { failed: asins.length, [`tokens_${stage}`]: tokens, tokens_retry: tokens }, tokens, (nowMs) => {
      parked = onFailure(error, reason, nowMs);
    }, false);
    deps.log.warn(`${stage} of ${asins.length} items failed: ${error}; they will be tried again`, { component: stage, asins: asins.length, parked, reason });
    return { ok: false, outcome: 'failed' };
  }
}
