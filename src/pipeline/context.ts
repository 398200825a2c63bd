// What every pipeline stage is given, and the one way a chunk commits: its state changes, the
// run's counters, the token figures and the alerts its deals start in one short transaction
// (docs/design.md rule 4).
import { queueDealAlerts } from '../alerts/episodes.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { BucketSnapshot } from '../keepa/bucket.js';
import type { KeepaClient } from '../keepa/client.js';
import type { CostSnapshot } from '../keepa/cost.js';
import type { Logger } from '../log.js';
import type { Funnel } from '../state/runs.js';
import type { Store } from '../state/store.js';

export interface PipelineDeps {
  store: Store;
  keepa: KeepaClient;
  clock: Clock;
  log: Logger;
  config: Config;
}

/** How a chunk ended: `done` did work, `empty` found none, `out_of_tokens` must checkpoint, `failed` hit an error. */
export type ChunkOutcome = 'done' | 'empty' | 'out_of_tokens' | 'failed';

export interface RunContext {
  runId: number;
  signal: AbortSignal;
  heartbeat(): void;
}

/** Adds one to a funnel counter. */
export function bump(funnel: Funnel, key: string, by = 1): void {
  funnel[key] = (funnel[key] ?? 0) + by;
}

/**
 * Whether a funnel key counts tokens spent: `tokens_<stage>` does; `tokens_saved` (never spent)
 * and `tokens_retry` (already counted in its stage's key) do not.
 */
export function isSpentTokenKey(key: string): boolean {
  return key.startsWith('tokens_') && key !== 'tokens_saved' && key !== 'tokens_retry';
}

export const BUCKET_STATE_KEY = 'keepa.bucket';
export const COST_STATE_KEY = 'keepa.costs';

/** Tokens Keepa reported consumed so far by this process, all jobs together. */
export function tokensSpent(deps: Pick<PipelineDeps, 'keepa' | 'clock'>): number {
  const spent = deps.keepa.bucket.snapshot(deps.clock.now()).spentByJob;
  return Object.values(spent).reduce((a, b) => a + b, 0);
}

/**
 * Commits a chunk. `progress: false` marks a chunk that only recorded failures: it is kept in the
 * run's counters but does not count as the pipeline moving (status judges health by progress).
 */
export function commitChunk(deps: PipelineDeps, run: RunContext, funnel: Funnel, tokens: number, apply: (nowMs: number) => void, progress = true): void {
  const now = deps.clock.now();
  const { store } = deps;
  store.checkFile();
  store.db.transaction(() => {
    // A chunk that rolled back may have left its ASINs behind.
    store.deals.takeSaved();
    apply(now);
    queueDealAlerts(store, deps.config.alerts, store.deals.takeSaved(), now);
    store.runs.recordChunk(run.runId, funnel, tokens, now, progress);
    saveKeepaState(deps, now);
  }).immediate();
  run.heartbeat();
}

export function saveKeepaState(deps: Pick<PipelineDeps, 'store' | 'keepa'>, nowMs: number): void {
  deps.store.system.setJson(BUCKET_STATE_KEY, deps.keepa.bucket.snapshot(nowMs), nowMs);
  deps.store.system.setJson(COST_STATE_KEY, deps.keepa.costs.snapshot(), nowMs);
}

/**
 * A restart resumes with the last known token figures and learned costs instead of starting blind.
 * `refused` says why saved token figures were not believed (the bucket then asks Keepa once).
 */
export function restoreKeepaState(deps: Pick<PipelineDeps, 'store' | 'keepa'>, nowMs: number): { restored: boolean; refused: string | null } {
  const bucket = deps.store.system.getJson(BUCKET_STATE_KEY);
  const costs = deps.store.system.getJson(COST_STATE_KEY);
  if (isCostSnapshot(costs)) deps.keepa.costs.restore(costs);
  if (!isBucketSnapshot(bucket)) return { restored: false, refused: null };
  const refused = deps.keepa.bucket.restore(bucket, nowMs);
  return { restored: refused === null, refused };
}

function isBucketSnapshot(v: unknown): v is BucketSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.balance === 'number' && typeof o.asOfMs === 'number' && typeof o.spentByJob === 'object' && o.spentByJob !== null;
}

function isCostSnapshot(v: unknown): v is CostSnapshot {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).recent === 'object';
}
