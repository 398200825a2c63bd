// The one way a chunk commits (docs/design.md rule 4): its state changes, the run's counters, the
// token figures and the alerts its deals start, in one short transaction. A crash loses at most the
// chunk in flight, and nothing paid for and committed is fetched twice.
import { queueDealAlerts } from '../alerts/episodes.js';
import { describeError, isProgrammingError } from '../errors.js';
import type { JobContext } from '../job.js';
import { saveKeepaState } from '../keepa/savedBucket.js';
import type { Funnel } from '../state/runs.js';
import type { PipelineDeps } from './context.js';
import { failureReason } from './retryThenPark.js';

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
  store.db
    .transaction(() => {
      // A chunk that rolled back may have left its ASINs behind.
      store.deals.takeSaved();
      apply(now);
      queueDealAlerts(store, deps.config.alerts, store.deals.takeSaved(), now);
      store.runs.recordChunk(run.runId, funnel, tokens, now, progress);
      saveKeepaState(deps, now);
    })
    .immediate();
  run.heartbeat();
}

/**
 * Commits a chunk whose `apply` analyses what was fetched. The analysis returns its verdicts on the
 * data (`bad_data` among them); a programming error it throws (a TypeError...) is no verdict: the
 * chunk rolls back, `onFailure` records a failure on its `count` items in a chunk of their own
 * (retried, then parked: retryThenPark.ts), and it is logged as an error. Anything else thrown (the
 * database locked or gone) ends the run, as for every other chunk.
 */
export function commitOrFail(deps: PipelineDeps, run: JobContext, stage: string, count: number, funnel: Funnel, tokens: number, apply: (nowMs: number) => void, onFailure: (error: string, reason: string, nowMs: number) => number): ChunkOutcome {
  const paid = { ...funnel };
  try {
    commitChunk(deps, run, funnel, tokens, apply);
    return 'done';
  } catch (e: unknown) {
    if (!isProgrammingError(e)) throw e;
    const error = describeError(e);
    const reason = failureReason(e);
    let parked = 0;
    commitChunk(
      deps,
      run,
      { ...paid, failed: count },
      tokens,
      (nowMs) => {
        parked = onFailure(error, reason, nowMs);
      },
      false,
    );
    deps.log.error(`${stage} of ${count} items failed in the analysis: ${error}; they will be tried again, then parked`, { component: stage, items: count, parked, stack: e instanceof Error ? e.stack : undefined });
    return 'failed';
  }
}
