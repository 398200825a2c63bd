// The one way a chunk commits (docs/design.md rule 4): its state changes, the run's counters, the
// token figures and the alerts its deals start, in one short transaction. A crash loses at most the
// chunk in flight, and nothing paid for and committed is fetched twice.
import { queueDealAlerts } from '../alerts/episodes.js';
import { saveKeepaState } from '../keepa/savedBucket.js';
import type { Funnel } from '../state/runs.js';
import type { JobContext } from '../job.js';
import type { PipelineDeps } from './context.js';

/** How a chunk ended: `done` did work, `empty` found none, `out_of_tokens` must checkpoint, `failed` hit an error. */
export type ChunkOutcome = 'done' | 'empty' | 'out_of_tokens' | 'failed';

/**
 * Commits a chunk. `progress: false` marks a chunk that only recorded failures: it is kept in the
 * run's counters but does not count as the pipeline moving (status judges health by progress).
 */
export function commitChunk(deps: PipelineDeps, run: JobContext, funnel: Funnel, tokens: number, apply: (nowMs: number) => void, progress = true): void {
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
