// What every pipeline stage is given, and the one way a chunk commits: its state changes, the
// run's counters, the token figures and the alerts its deals start in one short transaction
// (docs/design.md rule 4).
import { queueDealAlerts } from '../alerts/episodes.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { KeepaClient } from '../keepa/client.js';
import { saveKeepaState } from '../keepa/savedBucket.js';
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
