// Run history retention and the counters /metrics reads: pruning deletes old runs but keeps what
// status judges health by, and the counters neither drop with the pruning nor with a restart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/state/store.js';
import { smallColumns, T0 } from '../helpers.js';

const DAY = 86_400_000;

function counter(store: Pick<Store, 'runs'>, name: string, labels: Record<string, string> = {}): number | undefined {
  return store.runs.counters.all().find((c) => c.name === name && JSON.stringify(c.labels) === JSON.stringify(labels))?.value;
}

/** `days` of history: an ingest run every 6 hours saving 2 deals for 10 tokens, one failure on day 1. */
function history(store: Store, days: number): void {
  for (let t = T0 - days * DAY; t < T0; t += 6 * 3_600_000) {
    const id = store.runs.start('ingest', t);
    store.runs.recordChunk(id, { saved: 2 }, 10, t + 1000, true);
    store.runs.finish(id, t === T0 - days * DAY + DAY ? 'failed' : 'ok', t + 2000, t === T0 - days * DAY + DAY ? { error: 'KeepaHttpError: once' } : {});
  }
  store.runs.recordSkipped('janitor', T0 - (days - 1) * DAY, 'ingest was running');
}

describe('run history retention', () => {
  it('deletes runs older than the cutoff, keeping each job’s newest run, newest commit and newest error', () => {
    const store = openStore({ path: ':memory:', columns: smallColumns(), nowMs: T0 });
    history(store, 200);
    const before = store.runs.runsSince(0).length;
    const lastError = store.runs.lastErrorRunPerJob();
    const pruned = store.runs.prune(T0 - 90 * DAY);
    expect(pruned).toBe(before - 90 * 4 - 1);
    const left = store.runs.runsSince(0);
    expect(left.filter((r) => r.startedAt < T0 - 90 * DAY).map((r) => r.error)).toEqual(['KeepaHttpError: once']);
    expect(store.runs.lastErrorRunPerJob()).toEqual(lastError);
    expect(store.runs.lastRunPerJob().map((r) => r.job)).toEqual(['ingest']);
    expect(store.runs.recentRuns(1000).filter((r) => r.job === 'janitor')).toHaveLength(1);
  });

  it('the /metrics counters survive the pruning and a restart on the same file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kd-runs-')), 'deals.db');
    const store = openStore({ path, columns: smallColumns(), nowMs: T0 });
    history(store, 100);
    const runs = 100 * 4;
    expect(counter(store, 'deals_saved_total')).toBe(2 * runs);
    expect(counter(store, 'keepa_tokens_consumed_total', { job: 'ingest' })).toBe(10 * runs);
    expect(counter(store, 'runs_total', { job: 'ingest', outcome: 'ok' })).toBe(runs - 1);
    expect(counter(store, 'run_duration_seconds_count', { job: 'ingest' })).toBe(runs);
    expect(counter(store, 'run_duration_seconds_bucket', { job: 'ingest', le: '1' })).toBe(0);
    expect(counter(store, 'run_duration_seconds_bucket', { job: 'ingest', le: '5' })).toBe(runs);
    expect(counter(store, 'run_duration_seconds_sum', { job: 'ingest' })).toBe(2 * runs);
    store.runs.prune(T0 - 7 * DAY);
    store.db.close();

    const reopened = openStore({ path, columns: smallColumns(), nowMs: T0 });
    expect(reopened.runs.runsSince(0).length).toBeLessThan(7 * 4 + 3);
    expect(counter(reopened, 'deals_saved_total')).toBe(2 * runs);
    expect(counter(reopened, 'keepa_tokens_consumed_total', { job: 'ingest' })).toBe(10 * runs);
    const id = reopened.runs.start('ingest', T0);
    reopened.runs.recordChunk(id, { saved: 3 }, 5, T0 + 1000);
    expect(counter(reopened, 'deals_saved_total')).toBe(2 * runs + 3);
    reopened.db.close();
  });

  it('a run left running by a crash counts once as interrupted', () => {
    const store = openStore({ path: ':memory:', columns: smallColumns(), nowMs: T0 });
    store.runs.start('ingest', T0);
    expect(store.runs.markInterrupted()).toBe(1);
    expect(store.runs.markInterrupted()).toBe(0);
    expect(counter(store, 'runs_total', { job: 'ingest', outcome: 'interrupted' })).toBe(1);
  });
});

describe('queue history retention', () => {
  it('deletes items finished before the cutoff, keeping open and parked ones and those of saved deals', () => {
    const store = openStore({ path: ':memory:', columns: smallColumns(), nowMs: T0 });
    const old = T0 - 120 * DAY;
    const offer = (asin: string, at: number) => store.queue.offer({ asin, lastUpdateKm: Math.floor(at / 60_000), priority: 1, dealJson: null }, at);
    for (const asin of ['OLDREJECT1', 'OLDDONE001', 'OLDSAVED01', 'OLDQUEUED1', 'NEWREJECT1']) offer(asin, asin.startsWith('NEW') ? T0 - DAY : old);
    store.queue.finish('OLDREJECT1', 'rejected', 'few_rank_drops', old);
    store.queue.finish('OLDDONE001', 'done', null, old);
    store.queue.finish('OLDSAVED01', 'done', null, old, true);
    store.deals.upsert({ ASIN: 'OLDSAVED01' }, old, 'full');
    store.queue.finish('NEWREJECT1', 'rejected', 'few_rank_drops', T0 - DAY);
    expect(store.queue.pruneFinished(T0 - 90 * DAY)).toBe(2);
    expect(['OLDREJECT1', 'OLDDONE001', 'OLDSAVED01', 'OLDQUEUED1', 'NEWREJECT1'].map((a) => store.queue.get(a)?.stage ?? null)).toEqual([null, null, 'done', 'queued', 'rejected']);
  });
});
