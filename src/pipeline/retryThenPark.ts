// What a failure does to the items of a chunk (docs/design.md rule 6). Running out of tokens is
// not the items' fault: they stay due and the run checkpoints. A network failure, a 5xx after
// retries or an unreadable answer counts an attempt on every item of the chunk, with a growing
// next-try time; after `maxAttempts` the item is parked with its reason. A rejected key or a lapsed
// subscription is the operator's to fix: the run fails and says so.
import { BadResponseError, KeepaHttpError, NetworkError } from '../errors.js';
import { backoffDelay } from '../keepa/backoff.js';
import type { KeepaProduct } from '../keepa/types.js';
import type { QueueItem } from '../state/queue.js';
import type { Funnel } from '../state/runs.js';
import type { PipelineDeps } from './context.js';
import { bump } from './funnel.js';

const RETRY_BASE_MS = 5 * 60_000;
const RETRY_MAX_MS = 6 * 3_600_000;

/** The park reason for an error: a readable word that status groups by. */
export function failureReason(e: unknown): string {
  if (e instanceof NetworkError) return 'network';
  if (e instanceof BadResponseError) return 'bad_response';
  if (e instanceof KeepaHttpError) return `http_${e.status}`;
  return 'error';
}

/** A failure no retry can mend: the operator must change the key, the plan or a setting. */
export function isOperatorProblem(e: unknown): boolean {
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
