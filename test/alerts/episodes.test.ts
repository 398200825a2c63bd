// Episodes through the one chunk commit: the outbox row is written with the deal row, once per
// episode, and an unsent message follows the deal (newer figures, dropped when it stops matching).
import { describe, expect, it } from 'vitest';
import { alertSetting } from '../../src/alerts/config.js';
import { transition } from '../../src/alerts/episodes.js';
import { parseMessage } from '../../src/alerts/message.js';
import { loadConfig } from '../../src/config.js';
import type { JobContext } from '../../src/job.js';
import { TokenBucket } from '../../src/keepa/bucket.js';
import { KeepaClient } from '../../src/keepa/client.js';
import { silentLogger } from '../../src/log.js';
import type { DealRow } from '../../src/pipeline/analytics/types.js';
import { commitChunk } from '../../src/pipeline/chunkCommit.js';
import type { PipelineDeps } from '../../src/pipeline/context.js';
import { memoryStore, T0, virtualClock } from '../helpers.js';

const MINUTE = 60_000;

function setup(minProfit = 10) {
  const clock = virtualClock();
  const store = memoryStore(undefined, T0);
  const log = silentLogger();
  const base = loadConfig({ env: {} });
  const config = { ...base, alerts: alertSetting({ rules: [{ name: 'ten', minProfit, destination: { url: 'http://127.0.0.1:9/hook' } }] }, {}, { httpHost: '127.0.0.1', httpPort: 8750 }) };
  const keepa = new KeepaClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k'.repeat(64), bucket: new TokenBucket({ maxDeficit: 0 }), clock, log });
  const deps: PipelineDeps = { store, keepa, clock, log, config };
  const run: JobContext = { runId: store.runs.start('ingest', clock.now()), signal: new AbortController().signal, heartbeat: () => undefined };
  const save = (row: DealRow, kind: 'full' | 'light' = 'full'): void => {
    clock.advance(5 * MINUTE);
    commitChunk(deps, run, {}, 0, (now) => store.deals.upsert(row, now, kind));
  };
  const outbox = () => store.alerts.recent(100).reverse();
  return { clock, store, save, outbox, deps, run };
}

const deal = (profit: number, asin = 'B0EPISODE1'): DealRow => ({ ASIN: asin, Title: 'A book', Profit: profit, List_at: 30, '1yr_Avg': 25, Price_Now: 6, All_in_Cost: 12 });

describe('alert episodes', () => {
  it('transition: starts on the first match, not on refreshes, again after a stop; a deal found again is new', () => {
    const started = transition(null, true, 100);
    expect(started).toEqual({ next: { episode: 1, matching: true, dealFirstSeenAt: 100 }, starts: true, stopped: null });
    expect(transition(started.next, true, 100).starts).toBe(false);
    const stopped = transition(started.next, false, 100);
    expect(stopped).toEqual({ next: { episode: 1, matching: false, dealFirstSeenAt: 100 }, starts: false, stopped: 1 });
    expect(transition(stopped.next, true, 100)).toMatchObject({ next: { episode: 2 }, starts: true });
    expect(transition(started.next, true, 999)).toMatchObject({ next: { episode: 2, dealFirstSeenAt: 999 }, starts: true, stopped: 1 });
    expect(transition(null, false, 100)).toEqual({ next: null, starts: false, stopped: null });
  });

  it('a new matching deal puts one message in the outbox with its row; a non-matching one none', () => {
    const { save, outbox } = setup();
    save(deal(4, 'B0NOMATCH1'));
    save(deal(15));
    expect(outbox().map((r) => [r.id, r.state])).toEqual([['ten:B0EPISODE1:1', 'pending']]);
    const m = parseMessage(outbox()[0]!.payload);
    expect(m).toMatchObject({ id: 'ten:B0EPISODE1:1', rule: 'ten', asin: 'B0EPISODE1', profit: 15, roi: 125, listAt: 30, priceNow: 6, url: 'http://127.0.0.1:8750/deals/B0EPISODE1' });
  });

  it('a refresh that keeps it matching sends nothing new; one that stops it drops the unsent message; matching anew is episode 2', () => {
    const { save, outbox, store } = setup();
    save(deal(15));
    save({ ASIN: 'B0EPISODE1', Profit: 16 }, 'light');
    expect(outbox()).toHaveLength(1);
    expect(parseMessage(outbox()[0]!.payload)).toMatchObject({ profit: 16 });
    save({ ASIN: 'B0EPISODE1', Profit: 3 }, 'light');
    expect(outbox().map((r) => r.state)).toEqual(['dropped']);
    save({ ASIN: 'B0EPISODE1', Profit: 14 }, 'light');
    expect(outbox().map((r) => [r.id, r.state])).toEqual([
      ['ten:B0EPISODE1:1', 'dropped'],
      ['ten:B0EPISODE1:2', 'pending'],
    ]);
    // Delivered messages are history: a later stop does not touch them.
    store.alerts.markDelivered({ id: 'ten:B0EPISODE1:2', destination: 'ten' }, '204', T0);
    save({ ASIN: 'B0EPISODE1', Profit: 1 }, 'light');
    expect(outbox().map((r) => r.state)).toEqual(['dropped', 'delivered']);
  });

  it('a chunk that rolls back leaves no outbox row, and its deals are not counted in the next chunk', () => {
    const { store, deps, run, outbox, save } = setup();
    expect(() =>
      commitChunk(deps, run, {}, 0, (now) => {
        store.deals.upsert(deal(20, 'B0ROLLBACK'), now, 'full');
        throw new Error('the disk is full');
      }),
    ).toThrow(/disk is full/);
    expect(outbox()).toEqual([]);
    save(deal(15));
    expect(outbox().map((r) => r.asin)).toEqual(['B0EPISODE1']);
  });
});
