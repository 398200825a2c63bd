// Deletes deals not seen for the grace period, comparing integer timestamps. It does nothing while
// ingestion is unhealthy: the old janitor kept deleting during a stall and 350 deals fell to 48.
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Job, JobResult } from '../job.js';
import { msToIso } from '../keepa/time.js';
import type { Logger } from '../log.js';
import type { Store } from '../state/store.js';

export interface JanitorDeps {
  store: Pick<Store, 'db' | 'deals' | 'runs' | 'queue' | 'sellers'>;
  clock: Clock;
  config: Pick<Config, 'pipeline'>;
  log: Logger;
}

export function janitorJob(deps: JanitorDeps): Job {
  const log = deps.log.child({ component: 'janitor' });
  return {
    name: 'janitor',
    run: async ({ runId }): Promise<JobResult> => {
      const { store, clock } = deps;
      const now = clock.now();
      // History is pruned whatever ingestion's health: the runs that judge it are kept.
      const historyCutoff = now - deps.config.pipeline.historyDays * 86_400_000;
      const pruned = store.db
        .transaction(() => {
          const counts = {
            runs_pruned: store.runs.prune(historyCutoff),
            queue_pruned: store.queue.pruneFinished(historyCutoff),
            // A seller record older than the cache's age is never read again.
            sellers_pruned: store.sellers.prune(now - deps.config.pipeline.sellerCacheDays * 86_400_000),
          };
          store.runs.recordChunk(runId, counts, 0, now, false);
          return counts;
        })
        .immediate();
      if (pruned.runs_pruned + pruned.queue_pruned > 0) log.info(`deleted ${pruned.runs_pruned} runs and ${pruned.queue_pruned} finished queue items older than ${msToIso(historyCutoff)}`, pruned);
      const graceMs = deps.config.pipeline.staleAfterHours * 3_600_000;
      const lastIngestCommit = store.runs.lastCommitPerJob().ingest ?? null;
      if (lastIngestCommit === null || now - lastIngestCommit > graceMs) {
        const since = lastIngestCommit === null ? 'ever' : `since ${msToIso(lastIngestCommit)}`;
        const warning = `ingestion is unhealthy (no ingest chunk committed ${since}); deleting nothing until it recovers`;
        log.warn(warning);
        return { outcome: 'ok', funnel: { deleted: 0, held_back: 1 }, warning };
      }
      const cutoff = now - graceMs;
      const deleted = store.db
        .transaction(() => {
          const asins = store.deals.deleteSeenBefore(cutoff);
          store.runs.recordChunk(runId, { deleted: asins.length }, 0, now);
          return asins;
        })
        .immediate();
      log.info(`deleted ${deleted.length} deals not seen since ${msToIso(cutoff)}`, { deleted: deleted.length, asins: deleted.slice(0, 20) });
      return { outcome: 'ok' };
    },
  };
}
