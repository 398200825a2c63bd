// A store in the states an operator meets: deals flowing, or stalled for hours with tokens in the
// bucket. Shared by the HTTP, page and screenshot tests.
import { BUCKET_STATE_KEY } from '../../src/keepa/savedBucket.js';
import type { Store } from '../../src/state/store.js';
import { buildStatus, type StatusReport } from '../../src/status.js';
import { memoryStore, T0 } from '../helpers.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const CONFIG = { ingestCron: '*/5 * * * *', pipeline: { candidateMaxAgeHours: 72 } };
export const EVIL_TITLE = '<script>alert("owned")</script> & Sons';

export interface Fixture {
  store: Store;
  nowMs: number;
  report(): StatusReport;
}

const REFILL = 20;
const CAPACITY = 1200;

function saveBucket(store: Store, atMs: number, balance: number): void {
  store.system.setJson(
    BUCKET_STATE_KEY,
    { balance, asOfMs: atMs, refillRate: REFILL, capacity: CAPACITY, nextRefillMs: atMs + MINUTE, figuresAtMs: atMs, rechargeSinceMs: null, tokenFlowReduction: 0, spentByJob: { discover: 210, peek: 960, enrich: 5400, seller: 310 } },
    atMs,
  );
}

function saveDeal(store: Store, i: number, atMs: number): void {
  const price = 8 + (i % 7) * 3.5;
  store.deals.upsert(
    {
      ASIN: `B0TEST${String(i).padStart(4, '0')}`,
      Title: i === 0 ? EVIL_TITLE : `Used textbook number ${i}: an introduction to things, ${i + 2}th edition`,
      Price_Now: price,
      List_at: price * 2.4,
      '1yr_Avg': price * 2.1,
      Profit: price * 0.9,
      Margin: 30 + (i % 9),
      Sales_Rank_Drops_last_365_days: 12 + i,
    },
    atMs,
    'full',
  );
}

/**
 * One ingest run per 5 minutes (until `lastRunMs`), each saving a few deals; returns the token
 * balance those runs leave, refilled as Keepa does, so that the page's estimate has true figures.
 */
function fillHistory(store: Store, fromMs: number, lastRunMs: number): number {
  let deal = 1;
  let balance = CAPACITY;
  for (let t = fromMs, n = 0; t <= lastRunMs; t += 5 * MINUTE, n++) {
    const id = store.runs.start('ingest', t);
    const saved = n % 48 < 20 ? 0 : (n % 5) + 1;
    const tokens = 8 + 40 * saved;
    balance = Math.min(CAPACITY, balance + 5 * REFILL) - tokens;
    for (let k = 0; k < saved; k++) saveDeal(store, deal++, t + 30_000);
    store.runs.recordChunk(id, { scanned: 150, queued: saved + 4, peeked: saved + 4, enriched: saved, saved, tokens_peek: 8, tokens_enrich: 40 * saved }, tokens, t + 40_000, saved > 0);
    if (n % 97 === 13) store.runs.finish(id, 'failed', t + 60_000, { error: 'KeepaHttpError: Keepa answered 500 for /product' });
    else store.runs.finish(id, 'ok', t + 60_000);
  }
  return balance;
}

function park(store: Store, asin: string, nowMs: number): void {
  store.queue.offer({ asin, lastUpdateKm: 8_000_000, priority: 1, dealJson: null }, nowMs);
  for (let i = 0; i < 5; i++) store.queue.fail(asin, 'BadResponseError: the product answer had no csv for <ASIN>', 'bad_product_data', { nowMs, retryDelayMs: 0, maxAttempts: 5 });
}

/** Deals flowing: runs every 5 minutes, the last one 2 minutes ago. */
export function flowingFixture(): Fixture {
  const nowMs = T0 + 24 * HOUR;
  const store = memoryStore(undefined, T0);
  store.system.setJson('daemon', { pid: 4242, version: '0.1.0', startedAt: T0 - HOUR, keepa: 'live' }, T0);
  const balance = fillHistory(store, T0 + 2 * MINUTE, nowMs - 2 * MINUTE);
  saveDeal(store, 0, nowMs - 3 * MINUTE);
  park(store, 'B0PARKED01', nowMs - 50 * MINUTE);
  saveBucket(store, nowMs - 3 * MINUTE, balance);
  return { store, nowMs, report: () => buildStatus({ store, config: CONFIG, nowMs, daemonRunning: true }) };
}

/** Stalled: the last ingest chunk committed 3 h ago, the bucket full since, runs still recorded. */
export function stalledFixture(): Fixture {
  const nowMs = T0 + 24 * HOUR;
  const store = memoryStore(undefined, T0);
  store.system.setJson('daemon', { pid: 4242, version: '0.1.0', startedAt: T0, keepa: 'live' }, T0);
  fillHistory(store, T0 + 2 * MINUTE, nowMs - 3 * HOUR - 5 * MINUTE);
  const last = store.runs.start('ingest', nowMs - 3 * HOUR - MINUTE);
  store.runs.recordChunk(last, { scanned: 150, saved: 1, tokens_enrich: 30 }, 30, nowMs - 3 * HOUR, true);
  store.runs.finish(last, 'ok', nowMs - 3 * HOUR);
  for (let t = nowMs - 3 * HOUR + 5 * MINUTE; t < nowMs; t += 5 * MINUTE) {
    const id = store.runs.start('ingest', t);
    store.runs.finish(id, 'failed', t + 1000, { error: 'BadResponseError: the deal list answer was not JSON' });
  }
  saveBucket(store, nowMs - 3 * HOUR, CAPACITY);
  return { store, nowMs, report: () => buildStatus({ store, config: CONFIG, nowMs, daemonRunning: true }) };
}
